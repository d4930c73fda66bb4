package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/route"
)

// passThrough is the relay benchmark's baseline: a go-smtp relay that forwards every message to
// the first recipient's MX and decides nothing, with the relay's connection handling for the
// benchmark's recipient, which the relay relays to the Internet (upstream.go, nexthop.go): RCPT is
// accepted without contacting the next hop; at the end of DATA the MX host is looked up (with the
// relay's resolver) and the next-hop session opens (greeting and EHLO read with net/textproto,
// then replayed to go-smtp's client, so that EHLO costs one round trip), MAIL, RCPT and the
// message are sent, the next hop's answer is the client's answer, and the session ends with QUIT
// when the transaction does (go-smtp resets the session after DATA and at MAIL).
//
// Like the relay, it holds each message in memory it reuses (a bytes.Buffer from a pool; the
// relay's spool takes 8 KiB chunks from one), sets a read deadline before every command and a
// write deadline before every reply (go-smtp's ReadTimeout and WriteTimeout, RFC 5321 §4.5.3.2),
// and before every read of a message (DefaultDataBlockTimeout, never past DefaultDataTimeout
// after DATA), and it limits the message size and the recipients as the relay's defaults do.
// What the relay does beyond it — TLS evidence, classification, DNS at RCPT, header checks,
// parsing and editing, the bare CR/LF check, spool limits, budgets, logging — is what the
// benchmark weighs.
type passThrough struct {
	resolver route.Resolver
	port     int
	hostname string
	// buffers hold the messages, *bytes.Buffer, reused as the relay reuses its spool's chunks.
	buffers *sync.Pool
}

func (p passThrough) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &passSession{p: p, conn: c}, nil
}

type passSession struct {
	p     passThrough
	conn  *smtp.Conn
	from  string
	mail  bool
	rcpts []string
	up    *smtp.Client
	host  string // the next hop
}

func (s *passSession) Reset() {
	if s.up != nil {
		_ = s.up.Quit()
		_ = s.up.Close()
	}
	s.up, s.from, s.mail, s.rcpts = nil, "", false, nil
}

func (s *passSession) Logout() error { s.Reset(); return nil }

func (s *passSession) Mail(from string, _ *smtp.MailOptions) error {
	s.Reset()
	s.from, s.mail = from, true
	return nil
}

func (s *passSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.mail {
		return errNoMail
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *passSession) Data(r io.Reader) error {
	buf := s.p.buffers.Get().(*bytes.Buffer)
	defer s.p.buffers.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(&passDataReader{r: r, c: s.conn.Conn(), end: time.Now().Add(DefaultDataTimeout)}); err != nil {
		return err
	}
	msg := buf.Bytes()
	c, err := s.open()
	if err != nil {
		return replyFor(s.host, err)
	}
	s.up = c
	for _, to := range s.rcpts {
		if err := c.Rcpt(to, nil); err != nil {
			return replyFor(s.host, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return replyFor(s.host, err)
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return replyFor(s.host, err)
	}
	if err := w.Close(); err != nil {
		return replyFor(s.host, err)
	}
	return nil
}

// open looks up the first recipient's MX host, dials it, reads its greeting, says EHLO with
// net/textproto and hands the session to go-smtp's client with the greeting and EHLO reply
// replayed (greeted, as the relay's open does on a plaintext session), then sends MAIL FROM.
func (s *passSession) open() (*smtp.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultNextHopTimeout)
	defer cancel()
	_, dom, _ := strings.Cut(s.rcpts[0], "@")
	mxs, err := route.MailHosts(ctx, s.p.resolver, dom)
	if err != nil {
		return nil, err
	}
	s.host = mxs[0].Host
	addrs, err := s.p.resolver.LookupHost(ctx, s.host)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(addrs[0].String(), strconv.Itoa(s.p.port)))
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(DefaultNextHopTimeout))
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		conn.Close()
		return nil, err
	}
	if err := tp.PrintfLine("EHLO %s", s.p.hostname); err != nil {
		conn.Close()
		return nil, err
	}
	_, ext, err := tp.ReadResponse(250)
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	replay := "220 " + s.host + "\r\n" + ehloReply(ext)
	c := smtp.NewClient(&greeted{Conn: conn, r: io.MultiReader(strings.NewReader(replay), conn), swallow: true})
	c.CommandTimeout = DefaultNextHopTimeout
	c.SubmissionTimeout = DefaultNextHopDataTimeout
	if err := c.Hello(s.p.hostname); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Mail(s.from, nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// passDataReader sets the connection's read deadline before each read of a message, as the
// relay's messageReader does.
type passDataReader struct {
	r   io.Reader
	c   net.Conn
	end time.Time
}

func (d *passDataReader) Read(p []byte) (int, error) {
	dl := time.Now().Add(DefaultDataBlockTimeout)
	if d.end.Before(dl) {
		dl = d.end
	}
	d.c.SetReadDeadline(dl)
	return d.r.Read(p)
}

// newPassServer is the pass-through relay's go-smtp server: STARTTLS with the gateway's
// certificate, a client certificate requested as the relay requests it.
func newPassServer(tb testing.TB, sink string, cert *tls.Certificate) *smtp.Server {
	res, port := benchResolver(tb, sink)
	s := smtp.NewServer(passThrough{resolver: res, port: port, hostname: "gw.example.net",
		buffers: &sync.Pool{New: func() any { return new(bytes.Buffer) }}})
	s.Domain = "gw.example.net"
	s.ErrorLog = discardLog{}
	s.ReadTimeout, s.WriteTimeout = DefaultTimeout, DefaultTimeout
	s.MaxMessageBytes, s.MaxRecipients = DefaultMaxMessageBytes, DefaultMaxRecipients
	s.EnableSMTPUTF8 = true
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
	return s
}
