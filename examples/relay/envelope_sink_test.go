package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/route"
)

// lineSink is a next hop that records the command lines it receives, byte for byte (after
// STARTTLS), so a test can assert exactly what the relay wrote. It offers STARTTLS and the EHLO
// keywords in ext, and accepts every command.
type lineSink struct {
	cert *tls.Certificate
	ext  []string

	mu    sync.Mutex
	lines []string
}

func serveLineSink(t testing.TB, ln net.Listener, cert *tls.Certificate, ext []string) *lineSink {
	s := &lineSink{cert: cert, ext: ext}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

// envelope returns the MAIL and RCPT lines received so far.
func (s *lineSink) envelope() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range s.lines {
		if strings.HasPrefix(l, "MAIL ") || strings.HasPrefix(l, "RCPT ") {
			out = append(out, l)
		}
	}
	return out
}

func (s *lineSink) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = nil
}

func (s *lineSink) serve(c net.Conn) {
	defer func() { c.Close() }()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	w := c
	reply := func(l string) { w.Write([]byte(l + "\r\n")) }
	reply("220 sink.test ESMTP")
	tlsOn := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\r\n")
		s.mu.Lock()
		s.lines = append(s.lines, line)
		s.mu.Unlock()
		verb := strings.ToUpper(line)
		if len(verb) > 4 {
			verb = verb[:4]
		}
		switch verb {
		case "EHLO", "HELO":
			ext := append([]string{"sink.test"}, s.ext...)
			if !tlsOn && s.cert != nil {
				ext = append(ext, "STARTTLS")
			}
			var b strings.Builder
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				b.WriteString("250" + sep + e + "\r\n")
			}
			w.Write([]byte(b.String()))
		case "STAR":
			reply("220 2.0.0 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{*s.cert}, ClientAuth: tls.RequestClientCert})
			if err := tc.Handshake(); err != nil {
				return
			}
			c, w, r, tlsOn = tc, tc, bufio.NewReader(tc), true
		case "MAIL", "RCPT", "RSET", "NOOP":
			reply("250 2.0.0 ok")
		case "DATA":
			reply("354 go ahead")
			if _, err := io.Copy(io.Discard, textproto.NewReader(r).DotReader()); err != nil {
				return
			}
			reply("250 2.0.0 queued")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("500 5.5.2 what")
		}
	}
}

// lockedBuffer is a log destination shared by the relay's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// envWorld is a relay whose every next hop (contoso's Exchange Online, every Internet MX of
// testZone) is one lineSink on 127.0.0.1, with the relay's log in text form in logs.
type envWorld struct {
	pki   *pki
	exo   *tls.Certificate
	sink  *lineSink
	relay string
	logs  *lockedBuffer
}

func newEnvWorld(t testing.TB, ext []string) *envWorld {
	t.Helper()
	p := newPKI(t)
	w := &envWorld{pki: p, exo: p.Leaf(t, []string{"mail.protection.outlook.com"}), logs: &lockedBuffer{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	w.sink = serveLineSink(t, ln, p.Leaf(t, []string{"*.mail.protection.outlook.com", "mx.woodgrove.example", "mx.sender.example"}), ext)
	r, err := New(Options{
		Directory:   loadTestDirectory(t),
		ClientRoots: p.Pool, NextHopRoots: p.Pool,
		IdentityCerts: map[string]*tls.Certificate{
			"contoso":  p.Leaf(t, []string{"contoso.gw.example.net"}),
			"fabrikam": p.Leaf(t, []string{"fabrikam.gw.example.net"}),
		},
		Resolver:    route.NewDNSResolver(serveDNS(t, testZone()), route.DNSOptions{Timeout: 2 * time.Second}),
		NextHopPort: port,
		Limits:      Limits{NextHopTimeout: Duration(2 * time.Second)},
		// The text handler, the one that could be forged by a CR or LF in a value if it did
		// not quote; main.go uses the JSON handler.
		Logger: slog.New(slog.NewTextHandler(w.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	rl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := r.Server(p.Leaf(t, []string{"gw.example.net"}))
	go srv.Serve(rl)
	t.Cleanup(func() { srv.Close() })
	w.relay = rl.Addr().String()
	return w
}

// rawClient speaks SMTP to the relay line by line, so that a test can send what go-smtp's
// client would refuse to write.
type rawClient struct {
	t  testing.TB
	c  net.Conn
	tp *textproto.Conn
}

// rawDial connects and says EHLO; with cert it first does STARTTLS presenting cert.
func (w *envWorld) rawDial(t testing.TB, cert *tls.Certificate) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", w.relay, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	rc := &rawClient{t: t, c: c, tp: textproto.NewConn(c)}
	if _, _, err := rc.tp.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	rc.cmd("EHLO client.example")
	if cert != nil {
		if got := rc.cmd("STARTTLS"); got != "220 2.0.0" {
			t.Fatalf("STARTTLS: %s", got)
		}
		tc := tls.Client(c, &tls.Config{RootCAs: w.pki.Pool, ServerName: "gw.example.net", Certificates: []tls.Certificate{*cert}})
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		rc.c, rc.tp = tc, textproto.NewConn(tc)
		rc.cmd("EHLO client.example")
	}
	return rc
}

// cmd sends line and returns the reply's code and enhanced code ("553 5.1.3"), or just the code
// when the reply has none.
func (rc *rawClient) cmd(line string) string {
	rc.t.Helper()
	if _, err := rc.c.Write([]byte(line + "\r\n")); err != nil {
		rc.t.Fatal(err)
	}
	return rc.read()
}

func (rc *rawClient) read() string {
	rc.t.Helper()
	code, msg, err := rc.tp.ReadResponse(0)
	if code == 0 {
		rc.t.Fatalf("no reply: %v", err)
	}
	out := strings.TrimSpace(strings.SplitN(msg, "\n", 2)[0])
	if f := strings.Fields(out); len(f) > 0 && strings.Count(f[0], ".") == 2 {
		return strconv.Itoa(code) + " " + f[0]
	}
	return strconv.Itoa(code)
}

// data sends DATA and msg, and returns the reply to the final dot.
func (rc *rawClient) data(msg string) string {
	rc.t.Helper()
	if got := rc.cmd("DATA"); got != "354" {
		return got
	}
	return rc.cmd(strings.TrimSuffix(msg, "\r\n") + "\r\n.")
}
