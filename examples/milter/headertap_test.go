package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/d--j/go-milter"
	"github.com/emersion/go-message/textproto"
)

// mtaStream builds what an MTA sends for one connection, packet by packet.
type mtaStream struct {
	b bytes.Buffer
	// macros: send the header stage's macros before every field, as Postfix does (its
	// milter_end_of_header_macros, default "i", go with every SMFIC_HEADER: milter8.c).
	macros bool
}

func (s *mtaStream) add(code byte, data ...string) *mtaStream {
	s.b.Write(pkt(code, strings.Join(data, "")))
	return s
}

// negotiate offers protocol options offer (version 6, header changes).
func (s *mtaStream) negotiate(offer milter.OptProtocol) *mtaStream {
	d := binary.BigEndian.AppendUint32(nil, 6)
	d = binary.BigEndian.AppendUint32(d, uint32(milter.OptAddHeader|milter.OptChangeHeader|milter.OptSetMacros))
	d = binary.BigEndian.AppendUint32(d, uint32(offer))
	return s.add('O', string(d))
}

// session sends connect and HELO from exoPeer with its TLS macros.
func (s *mtaStream) session() *mtaStream {
	s.add('C', "client.example\x00", "4", "\x00\x19", exoPeer.addr, "\x00")
	s.add('D', "H", milter.MacroTlsVersion, "\x00", exoPeer.tlsVersion, "\x00", milter.MacroCertSubject, "\x00", exoPeer.subject, "\x00")
	return s.add('H', "client.example\x00")
}

// envelope sends MAIL and RCPT.
func (s *mtaStream) envelope(from, rcpt string) *mtaStream {
	s.add('M', "<", from, ">\x00")
	s.add('D', "R", "i\x00", "4XyZ1\x00")
	return s.add('R', "<", rcpt, ">\x00")
}

// fields sends header fields.
func (s *mtaStream) fields(fs [][2]string) *mtaStream {
	for _, f := range fs {
		if s.macros {
			s.add('D', "L", "i\x00", "4XyZ1\x00")
		}
		s.add('L', f[0], "\x00", f[1], "\x00")
	}
	return s
}

// message ends the header and sends the body and its end.
func (s *mtaStream) message(body string) *mtaStream {
	if s.macros {
		s.add('D', "N", "i\x00", "4XyZ1\x00")
	}
	s.add('N')
	s.add('B', body)
	s.add('D', "E", "i\x00", "4XyZ1\x00")
	return s.add('E')
}

// replies sends stream on a new connection to addr and returns all the milter wrote until it
// closed the connection.
func replies(t *testing.T, addr string, stream []byte) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	go conn.Write(stream)
	out, err := io.ReadAll(conn)
	if err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatal(err)
	}
	return out
}

// tapPair serves the test app twice, with and without the header tap, and returns both
// listeners.
func tapPair(t *testing.T) (tapped, plain *bufferedListener) {
	t.Helper()
	var out [2]*bufferedListener
	for i := range out {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out[i] = newBufferedListener(ln, time.Minute)
		out[i].noTap = i == 1
		srv := newTestApp(t).Server()
		go srv.Serve(out[i])
		t.Cleanup(func() { srv.Close() })
	}
	return out[0], out[1]
}

// TestHeaderTapIdentical: the milter answers every stream with exactly the same bytes, and
// closes the connection at the same point, whether the header tap takes the header fields or
// go-milter passes them: verdicts and header changes (the 75-field block accepted with the
// verdict header; a forged verdict header removed), a block over the size limit refused with
// 554 5.6.0, the fields with and without Postfix's header-stage macros, a field larger than the
// read buffer, malformed header packets (go-milter closes the connection), header fields after
// the end of a message without an Abort (go-milter's order check aborts the message), and an
// MTA that does not agree to send the fields without waiting for replies (nothing tapped: every
// field gets its reply).
func TestHeaderTapIdentical(t *testing.T) {
	tapped, plain := tapPair(t)
	exo := exo75Fields(t)
	forged := append([][2]string{{"Authentication-Results", "gw.example.net; x-tenantgate=pass policy.hop=1"}},
		exoHeader(contosoID, "carol@contoso.com")...)
	folded := append([][2]string{{"Subject", "one\n two\r\n three"}}, exoHeader(contosoID, "carol@contoso.com")...)
	// 7 lines of 900 bytes: a packet larger than the 4 KiB read buffer.
	big := append([][2]string{{"X-Big", strings.Repeat(strings.Repeat("b", 900)+"\n\t", 6) + "b"}}, exoHeader(contosoID, "carol@contoso.com")...)
	var over [][2]string
	for range 300 {
		over = append(over, [2]string{"X-Filler", strings.Repeat("f", 900)})
	}
	over = append(over, exoHeader(contosoID, "carol@contoso.com")...)
	txn := func(macros bool, offer milter.OptProtocol, fs [][2]string, extra func(*mtaStream)) []byte {
		s := &mtaStream{macros: macros}
		s.negotiate(offer).session().envelope("carol@contoso.com", "erin@woodgrove.example").fields(fs)
		if extra != nil {
			extra(s)
		}
		s.message("Hello.\r\n").add('Q')
		return s.b.Bytes()
	}
	cases := []struct {
		name   string
		stream []byte
		tap    bool // the tap takes fields
		want   string
	}{
		{"75 fields", txn(false, postfixOffer, exo, nil), true, "x-tenantgate=pass"},
		{"75 fields, Postfix macros", txn(true, postfixOffer, exo, nil), true, "x-tenantgate=pass"},
		{"forged verdict", txn(true, postfixOffer, forged, nil), true, "x-tenantgate=pass"},
		{"folded value", txn(true, postfixOffer, folded, nil), true, "x-tenantgate=pass"},
		{"field over the read buffer", txn(true, postfixOffer, big, nil), true, "x-tenantgate=pass"},
		{"block over the limit", txn(true, postfixOffer, over, nil), true, "554"},
		{"no quiet options", txn(true, milter.OptHeaderLeadingSpace|milter.OptSkip, exo, nil), false, "x-tenantgate=pass"},
		{"header packet too short", txn(true, postfixOffer, forged, func(s *mtaStream) { s.add('L', "X") }), true, ""},
		{"header packet of three strings", txn(true, postfixOffer, forged, func(s *mtaStream) { s.add('L', "A\x00b\x00c\x00") }), true, ""},
		{"header packet without NUL", txn(true, postfixOffer, forged, func(s *mtaStream) { s.add('L', "A: b") }), true, ""},
		{"macros then no header", txn(true, postfixOffer, forged, func(s *mtaStream) { s.add('D', "L", "i\x00", "x\x00") }), true, "x-tenantgate=pass"},
		{"empty macros packet", txn(true, postfixOffer, forged, func(s *mtaStream) { s.add('D') }), true, ""},
	}
	// Header fields after the end of a message, without an Abort, then another end: go-milter
	// aborts the first message's state before the stray fields.
	s := &mtaStream{macros: true}
	s.negotiate(postfixOffer).session().envelope("carol@contoso.com", "erin@woodgrove.example").fields(forged).message("Hello.\r\n")
	s.fields(exoHeader(contosoID, "carol@contoso.com")).message("Hello.\r\n").add('Q')
	cases = append(cases, struct {
		name   string
		stream []byte
		tap    bool
		want   string
	}{"fields after the end without abort", s.b.Bytes(), true, ""})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := tapped.stats.tapped.Load()
			want := replies(t, plain.Addr().String(), c.stream)
			got := replies(t, tapped.Addr().String(), c.stream)
			if !bytes.Equal(got, want) {
				t.Errorf("tapped replies\n%q\nwithout the tap\n%q", got, want)
			}
			if c.want != "" && !bytes.Contains(want, []byte(c.want)) {
				t.Errorf("replies %q: want %q in them", want, c.want)
			}
			if n := tapped.stats.tapped.Load() - before; (n > 0) != c.tap {
				t.Errorf("%d packets tapped, want tapping %v", n, c.tap)
			}
			if plain.stats.tapped.Load() != 0 {
				t.Error("the listener without the tap tapped")
			}
		})
	}
}

// TestHeaderTapTrickle: the tap takes the same fields, and the milter answers the same, when the
// MTA's bytes arrive one at a time (packets split across reads).
func TestHeaderTapTrickle(t *testing.T) {
	tapped, plain := tapPair(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	trickle := newBufferedListener(trickleListener{ln}, time.Minute)
	srv := newTestApp(t).Server()
	go srv.Serve(trickle)
	t.Cleanup(func() { srv.Close() })
	s := &mtaStream{macros: true}
	s.negotiate(postfixOffer).session().envelope("user@contoso.com", "user@kernel.org").fields(exo75Fields(t)).message("Hello.\r\n").add('Q')
	want := replies(t, plain.Addr().String(), s.b.Bytes())
	for _, l := range []*bufferedListener{tapped, trickle} {
		if got := replies(t, l.Addr().String(), s.b.Bytes()); !bytes.Equal(got, want) {
			t.Errorf("replies\n%q\nwant\n%q", got, want)
		}
		// Every field with its macros: the first too, after the made-up packet.
		if n := l.stats.tapped.Load(); n != 75 {
			t.Errorf("%d fields tapped, want 75", n)
		}
	}
	if !bytes.Contains(want, []byte("x-tenantgate=pass")) {
		t.Errorf("replies %q: want the verdict header", want)
	}
}

// TestHeaderTapBlock: the block the filter reads at the end of the message is the same, byte for
// byte, whether the tap or go-milter passed the fields (every field of the corpus block, folded
// with LF as Postfix passes them, with and without the leading space).
func TestHeaderTapBlock(t *testing.T) {
	fs := exo75Fields(t)
	for _, lead := range []bool{true, false} {
		a, b := newTestApp(t).newFilter(), newTestApp(t).newFilter()
		var m milter.Modifier
		if lead {
			m = fakeModifier{}
		}
		a.Header("Received", "x", m) // sets the protocol options
		b.Header("Received", "x", m)
		for _, f := range fs {
			v := strings.ReplaceAll(f[1], "\r\n", "\n")
			a.Header(f[0], v, m)
			b.tapField([]byte(f[0]), []byte(v))
		}
		if !bytes.Equal(a.hdr.Bytes(), b.hdr.Bytes()) {
			t.Errorf("lead %v: blocks differ:\n%q\n%q", lead, a.hdr.Bytes(), b.hdr.Bytes())
		}
		if _, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(a.hdr.Bytes(), "\r\n"...)))); err != nil {
			t.Errorf("lead %v: %v", lead, err)
		}
	}
}

// TestHeaderTapTimeout: go-milter's read timeout applies to each packet the tap takes, as it
// applies to each packet go-milter reads: fields that arrive 200 ms apart under a 400 ms timeout
// are all taken (a whole run of fields may take longer than one timeout), and a field that comes
// later than the timeout ends the connection, with the tap as without it.
func TestHeaderTapTimeout(t *testing.T) {
	fs := exoHeader(contosoID, "carol@contoso.com")
	for _, tc := range []struct {
		gap    time.Duration
		accept bool
	}{{200 * time.Millisecond, true}, {700 * time.Millisecond, false}} {
		for _, noTap := range []bool{false, true} {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			bl := newBufferedListener(ln, time.Minute)
			bl.noTap = noTap
			srv := newTestApp(t).Server(milter.WithReadTimeout(400 * time.Millisecond))
			go srv.Serve(bl)
			t.Cleanup(func() { srv.Close() })
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			s := &mtaStream{macros: true}
			s.negotiate(postfixOffer).session().envelope("carol@contoso.com", "erin@woodgrove.example")
			go func() {
				conn.Write(s.b.Bytes())
				for _, f := range fs {
					time.Sleep(tc.gap)
					var one mtaStream
					one.macros = true
					conn.Write(one.fields([][2]string{f}).b.Bytes())
				}
				var end mtaStream
				conn.Write(end.message("Hello.\r\n").add('Q').b.Bytes())
			}()
			out, _ := io.ReadAll(conn)
			conn.Close()
			if got := bytes.Contains(out, []byte("x-tenantgate=pass")); got != tc.accept {
				t.Errorf("gap %v, tap off %v: accepted %v, want %v (replies %q)", tc.gap, noTap, got, tc.accept, out)
			}
		}
	}
}

// recordMilter keeps the header fields go-milter passes it.
type recordMilter struct {
	milter.NoOpMilter
	mu     *sync.Mutex
	fields *[]string
}

func (m recordMilter) Header(name, value string, _ milter.Modifier) (*milter.Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	*m.fields = append(*m.fields, name+":"+value)
	return milter.RespContinue, nil
}

// TestHeaderTapForeignMilter: behind a milter that is not this package's filter (nothing attaches
// to the made-up packet) the connection stops tapping after that one packet and passes every
// field to go-milter: the transaction completes with every field delivered, in order.
func TestHeaderTapForeignMilter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	bl := newBufferedListener(ln, time.Minute)
	srv := milter.NewServer(milter.WithMilter(func() milter.Milter { return recordMilter{mu: &mu, fields: &got} }),
		milter.WithProtocols(milter.OptNoHeaderReply|milter.OptHeaderLeadingSpace))
	go srv.Serve(bl)
	t.Cleanup(func() { srv.Close() })
	s := &mtaStream{macros: true}
	fs := exoHeader(contosoID, "carol@contoso.com")
	s.negotiate(postfixOffer).session().envelope("carol@contoso.com", "erin@woodgrove.example").fields(fs).message("Hello.\r\n").add('Q')
	out := replies(t, ln.Addr().String(), s.b.Bytes())
	if !bytes.HasSuffix(out, pkt('a', "")) {
		t.Fatalf("replies %q: want accept at the end", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(fs)+1 || !strings.HasPrefix(got[0], ":") {
		t.Fatalf("fields %q: want the made-up one, then %d", got, len(fs))
	}
	for i, f := range fs {
		if got[i+1] != f[0]+":"+f[1] {
			t.Errorf("field %d: %q, want %q", i, got[i+1], f[0]+":"+f[1])
		}
	}
	if n := bl.stats.tapped.Load(); n != 0 {
		t.Errorf("%d fields tapped", n)
	}
}
