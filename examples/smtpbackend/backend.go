// Package smtpbackend is the README's library example: a go-smtp backend that asks tenantgate's
// classify.Policy at RCPT and again after the header block, and hands accepted mail on.
package smtpbackend

import (
	"bufio"
	"io"
	"net"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// New returns a go-smtp backend. opts must be the options the server's tls.Config was built with
// (tlsid.ServerConfig), so that Exchange Online's client certificate is verified. deliver takes
// accepted mail on (queue, relay) and must read body to the end.
func New(p *classify.Policy, opts tlsid.ServerOptions, deliver func(classify.Verdict, textproto.Header, io.Reader) error) smtp.Backend {
	return smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		x := &session{p: p, deliver: deliver}
		if a, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
			x.Session.RemoteAddr = a.AddrPort().Addr()
		}
		if cs, ok := c.TLSConnectionState(); ok {
			x.Session.TLS = tlsid.EvidenceFor(cs, opts)
		}
		return x, nil
	})
}

type session struct {
	classify.Transaction // Session, MailFrom, RcptTo, Header, HeaderError
	p                    *classify.Policy
	deliver              func(classify.Verdict, textproto.Header, io.Reader) error
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.MailFrom = from; return nil }

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if v := x.p.Recipient(x.Session, to); v.Action == classify.Reject {
		return smtpError(v.Reply) // 550 5.7.1 Unable to relay: not verified Exchange Online
	}
	x.RcptTo = append(x.RcptTo, to) // Inbound, or Defer: the header decides
	return nil
}

func (x *session) Data(r io.Reader) error {
	br := bufio.NewReader(r)
	x.Header, x.HeaderError = headers.Read(br, headers.Limits{})
	v := x.p.Decide(x.Transaction)
	for _, a := range v.Recipients {
		if a.Action == classify.Reject { // one reply for the whole message: refuse it all
			return smtpError(a.Reply)
		}
	}
	v.Apply(&x.Header) // removes forged trust headers, adds the verdict header
	return x.deliver(v, x.Header, br)
}

// smtpError is a policy reply as go-smtp's error.
func smtpError(r tenantgate.Reply) error {
	return &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.EnhancedCode(r.Enhanced), Message: r.Text}
}

func (x *session) Reset()        { x.Transaction = classify.Transaction{Session: x.Session} }
func (x *session) Logout() error { return nil }
