package main

import (
	"crypto/tls"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// passThrough is the relay benchmark's baseline: a go-smtp relay that forwards every message to
// one host and decides nothing, with the relay's connection handling for the benchmark's
// recipient, which the relay relays to the Internet (upstream.go, nexthop.go): RCPT is accepted
// without contacting the next hop; at the end of DATA the next-hop session opens (greeting and
// EHLO read with net/textproto, then replayed to go-smtp's client, so that EHLO costs one round
// trip), MAIL, RCPT and the message are sent, the next hop's answer is the client's answer, and
// the session ends with QUIT when the transaction does (go-smtp resets the session after DATA and
// at MAIL).
// What the relay does beyond it — TLS evidence, classification, DNS, header parsing and editing,
// spooling, budgets, logging — is what the benchmark weighs.
type passThrough struct {
	sink     string
	hostname string
}

func (p passThrough) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &passSession{p: p}, nil
}

type passSession struct {
	p     passThrough
	from  string
	mail  bool
	rcpts []string
	up    *smtp.Client
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
	msg, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c, err := s.open()
	if err != nil {
		return replyFor(s.p.sink, err)
	}
	s.up = c
	for _, to := range s.rcpts {
		if err := c.Rcpt(to, nil); err != nil {
			return replyFor(s.p.sink, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return replyFor(s.p.sink, err)
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return replyFor(s.p.sink, err)
	}
	if err := w.Close(); err != nil {
		return replyFor(s.p.sink, err)
	}
	return nil
}

// open dials the sink, reads its greeting, says EHLO with net/textproto and hands the session to
// go-smtp's client with the greeting and EHLO reply replayed (greeted, as the relay's open does
// on a plaintext session), then sends MAIL FROM.
func (s *passSession) open() (*smtp.Client, error) {
	conn, err := net.DialTimeout("tcp", s.p.sink, DefaultNextHopTimeout)
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
	replay := "220 " + s.p.sink + "\r\n" + ehloReply(ext)
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

// newPassServer is the pass-through relay's go-smtp server: STARTTLS with the gateway's
// certificate, a client certificate requested as the relay requests it.
func newPassServer(sink string, cert *tls.Certificate) *smtp.Server {
	s := smtp.NewServer(passThrough{sink: sink, hostname: "gw.example.net"})
	s.Domain = "gw.example.net"
	s.ErrorLog = discardLog{}
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
	return s
}
