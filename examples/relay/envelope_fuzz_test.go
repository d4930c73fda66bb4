package main

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
)

// FuzzEnvelopeAddress: an arbitrary MAIL FROM or RCPT TO argument, decoded by go-smtp's real
// server as the relay receives it, and re-encoded by the relay (newMailFrom, encodeMailbox), never
// gives a next-hop command line whose mailbox differs from what the policy saw:
//
//   - the line parses with the test's own RFC 5321 parser (parseCommandPath), with no parameter
//     after the path;
//   - the parsed mailbox, decoded, is go-smtp's decoded address (the client's mailbox);
//   - the domain tenantgate.AddressDomain reads from the encoded address (the policy's input) is
//     the parsed line's domain; an address literal is no domain to the policy;
//   - non-ASCII only with SMTPUTF8; the path within RFC 5321's 256 octets.
func FuzzEnvelopeAddress(f *testing.F) {
	for _, s := range []string{
		`<"victim@evil.example> ORCPT=rfc822;x"@contoso.com>`,
		`<"ceo@contoso.com> ENVID=x"@internet.example>`,
		`<"victim@evil.example"@contoso.com>`,
		`<"a\"b\\c"@contoso.com>`,
		`<"alice"@contoso.com>`,
		`<a@b@contoso.com>`,
		`<alice@contoso.com> SMTPUTF8`,
		`<zoë@bücher.example> SMTPUTF8`,
		`<user@[192.0.2.1]>`,
		`<user@[IPv6:2001:db8::1]>`,
		`<@a,@b:user@contoso.com>`,
		`<"a` + "\r" + `b"@contoso.com>`,
		`<alice@contoso.com.>`,
		`<>`,
		`alice@contoso.com`,
		`<"">`,
		`<a@"b"@c.example>`,
	} {
		f.Add(s, true, false)
		f.Add(s, false, true)
	}
	d := newDecoder(f)
	f.Fuzz(func(t *testing.T, arg string, mail, utf8 bool) {
		if strings.ContainsAny(arg, "\n") || len(arg) > 1500 {
			return // a command line holds no LF; go-smtp's line limit is 2000
		}
		got, ok := d.decode(t, arg, mail, utf8)
		if !ok {
			return // go-smtp refused the command: the relay never sees it
		}
		verb := "RCPT TO:"
		var wire string
		var reply *smtp.SMTPError
		if mail {
			verb = "MAIL FROM:"
			var m mailFrom
			m, reply = newMailFrom(got.addr, got.opts)
			wire, utf8 = m.Path, m.UTF8
		} else {
			wire, reply = encodeMailbox(got.addr, utf8)
		}
		if reply != nil {
			if reply.Code != 553 {
				t.Fatalf("%q refused with %d, want 553", got.addr, reply.Code)
			}
			return
		}
		line := verb + "<" + wire + ">"
		p, err := parseCommandPath(line)
		if err != nil {
			t.Fatalf("%q (from %q) became %q, which does not parse: %v", got.addr, arg, line, err)
		}
		if len(p.Params) != 0 {
			t.Fatalf("%q became %q with parameters %q", got.addr, line, p.Params)
		}
		if p.Mailbox != got.addr {
			t.Fatalf("%q became %q, which names mailbox %q", got.addr, line, p.Mailbox)
		}
		if len(wire)+2 > maxPath {
			t.Fatalf("%q: path of %d octets", line, len(wire)+2)
		}
		for i := 0; i < len(line); i++ {
			if line[i] >= 0x80 && !utf8 {
				t.Fatalf("%q: non-ASCII without SMTPUTF8", line)
			}
		}
		if wire == "" {
			return
		}
		dom, err := tenantgate.AddressDomain(wire)
		switch {
		case p.Literal && err == nil:
			t.Fatalf("%q: the policy read domain %q from an address literal", wire, dom)
		case !p.Literal && err != nil:
			t.Fatalf("%q: the policy read no domain (%v), the next hop reads %q", wire, err, p.Domain)
		case !p.Literal && string(dom) != p.Domain:
			t.Fatalf("%q: the policy read domain %q, the next hop %q", wire, dom, p.Domain)
		}
	})
}

// decoded is what go-smtp's server handed its backend for one command.
type decoded struct {
	addr string
	opts *smtp.MailOptions
}

// decoder runs a go-smtp server (SMTPUTF8 enabled, as the relay's) on in-memory connections and
// returns what its backend receives.
type decoder struct {
	srv *smtp.Server
	ln  *pipeListener
	got chan decoded
}

func newDecoder(tb testing.TB) *decoder {
	d := &decoder{ln: &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}, got: make(chan decoded, 4)}
	d.srv = smtp.NewServer(captureBackend{d.got})
	d.srv.Domain = "decoder.test"
	d.srv.EnableSMTPUTF8 = true
	d.srv.ErrorLog = discardLog{}
	go d.srv.Serve(d.ln)
	tb.Cleanup(func() { d.srv.Close() })
	return d
}

// decode sends "MAIL FROM:"+arg (mail) or a MAIL and "RCPT TO:"+arg, and returns what the
// backend received for arg's command; ok is false when go-smtp refused it.
func (d *decoder) decode(t *testing.T, arg string, mail, utf8 bool) (decoded, bool) {
	client, server := net.Pipe()
	defer client.Close()
	select {
	case d.ln.conns <- server:
	case <-time.After(5 * time.Second):
		t.Fatal("decoder server does not accept")
	}
	cmds := "EHLO fuzz.test\r\n"
	if mail {
		cmds += "MAIL FROM:" + arg + "\r\n"
	} else {
		m := "MAIL FROM:<f@sender.example>"
		if utf8 {
			m += " SMTPUTF8"
		}
		cmds += m + "\r\nRCPT TO:" + arg + "\r\n"
	}
	cmds += "QUIT\r\n"
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, client); close(done) }()
	client.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(client, cmds); err != nil {
		t.Fatal(err)
	}
	<-done
	var out []decoded
	for {
		select {
		case g := <-d.got:
			out = append(out, g)
			continue
		default:
		}
		break
	}
	want := 1
	if !mail {
		want = 2 // the MAIL, then arg's RCPT
	}
	if len(out) < want {
		return decoded{}, false
	}
	return out[want-1], true
}

type captureBackend struct{ got chan<- decoded }

func (b captureBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return captureSession(b), nil }

type captureSession struct{ got chan<- decoded }

func (captureSession) Reset()        {}
func (captureSession) Logout() error { return nil }
func (s captureSession) Mail(from string, o *smtp.MailOptions) error {
	s.got <- decoded{addr: from, opts: o}
	return nil
}
func (s captureSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.got <- decoded{addr: to}
	return nil
}
func (captureSession) Data(io.Reader) error { return errors.New("no data") }

// pipeListener hands a server the in-memory connections pushed into conns.
type pipeListener struct {
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
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

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
