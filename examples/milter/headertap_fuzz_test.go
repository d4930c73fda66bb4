package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// FuzzHeaderPacket: headerPacket takes exactly the SMFIC_HEADER packets go-milter v0.10.1 takes,
// and splits them as it does (session.go: at least 2 bytes; wire.DecodeCStrings: one trailing NUL
// dropped, strings.Split at NUL; exactly two strings).
func FuzzHeaderPacket(f *testing.F) {
	for _, s := range []string{"", "a", "\x00", "\x00\x00", "a\x00b\x00", "a\x00b", "a\x00b\x00c\x00", "\x00tok\x00", "a\x00\x00\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		name, value, ok := headerPacket(data)
		var parts []string
		if len(data) >= 2 {
			d := data
			if d[len(d)-1] == 0 {
				d = d[:len(d)-1]
			}
			parts = strings.Split(string(d), "\x00")
		}
		if want := len(parts) == 2; ok != want {
			t.Fatalf("headerPacket(%q) ok %v, go-milter takes it: %v", data, ok, want)
		}
		if ok && (string(name) != parts[0] || string(value) != parts[1]) {
			t.Fatalf("headerPacket(%q) = %q, %q; go-milter: %q", data, name, value, parts)
		}
	})
}

// pipeListener hands out the server ends of in-memory connections: what the milter writes
// before it closes is never lost to a reset.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error { l.once.Do(func() { close(l.done) }); return nil }

func (l *pipeListener) Addr() net.Addr { return &net.UnixAddr{Name: "pipe", Net: "unix"} }

// exchange sends stream to the milter behind l and returns all it wrote until it closed.
func (l *pipeListener) exchange(t *testing.T, stream []byte) []byte {
	mta, srv := net.Pipe()
	l.conns <- srv
	_ = mta.SetDeadline(time.Now().Add(10 * time.Second))
	go func() { _, _ = mta.Write(stream) }()
	out, err := io.ReadAll(mta)
	mta.Close()
	if err != nil && err != io.ErrClosedPipe {
		t.Fatal(err)
	}
	return out
}

// FuzzHeaderTapStream: whatever packets follow the envelope (each fuzzed chunk one packet: its
// first byte the code, the rest the data), the milter answers exactly the same with the header
// tap as without it. Every code is fuzzed, SMFIC_CONNECT, SMFIC_MAIL and SMFIC_RCPT included:
// the wrapper refuses those go-milter v0.10.1 would panic on (checkPacket), with the tap as
// without it.
func FuzzHeaderTapStream(f *testing.F) {
	seed := &mtaStream{macros: true}
	seed.fields(exoHeader(contosoID, "carol@contoso.com")).message("Hello.\r\n")
	var chunks [][]byte
	for p := seed.b.Bytes(); len(p) >= 5; {
		n := 4 + int(binary.BigEndian.Uint32(p))
		chunks = append(chunks, p[4:n])
		p = p[n:]
	}
	f.Add(bytes.Join(chunks, []byte("\xff\xfe")))
	f.Add([]byte("LX\xff\xfeDL\xff\xfeLa\x00b\x00\xff\xfeN\xff\xfeE"))
	f.Add([]byte("La\x00b\x00c\x00\xff\xfeE"))
	var ls [2]*pipeListener
	var bls [2]*bufferedListener
	for i := range ls {
		ls[i] = newPipeListener()
		bls[i] = newBufferedListener(ls[i], time.Minute)
		bls[i].noTap = i == 1
		srv := newTestApp(f).Server()
		go srv.Serve(bls[i])
		f.Cleanup(func() { srv.Close() })
	}
	head := &mtaStream{}
	head.negotiate(postfixOffer).session().envelope("carol@contoso.com", "erin@woodgrove.example")
	f.Fuzz(func(t *testing.T, body []byte) {
		s := &mtaStream{}
		s.b.Write(head.b.Bytes())
		for _, c := range bytes.Split(body, []byte("\xff\xfe")) {
			if len(c) > 0 {
				s.b.Write(pkt(c[0], string(c[1:])))
			}
		}
		s.add('Q')
		want := ls[1].exchange(t, s.b.Bytes())
		if got := ls[0].exchange(t, s.b.Bytes()); !bytes.Equal(got, want) {
			t.Fatalf("tapped replies\n%q\nwithout the tap\n%q", got, want)
		}
	})
}
