package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/route"
)

// session is one SMTP session of a client. Only cs (address, HELO, TLS evidence) outlives a
// transaction; everything the policy decided is recomputed for the next one (threat case 16).
type session struct {
	r    *Relay
	conn *smtp.Conn
	cs   classify.Session
	log  *slog.Logger

	// The transaction. from and rcpts are the addresses in the RFC 5321 form the next hop
	// receives (encodeMailbox), and the policy classifies exactly those.
	mail  *mailFrom // nil until a MAIL was accepted
	from  string
	rcpts []string
	hop   *hop      // the one next hop of this transaction
	up    *upstream // open from the first Inbound RCPT; for a relayed recipient, from end of data
}

var (
	errTooManyHops = &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 5, 3},
		Message: "Too many recipients for one transaction: send this one in another"}
	errBareLine = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "Message contains a bare CR or LF (RFC 5321 §2.3.8)"}
	errHopChanged = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Recipients changed route after the header was read, try again"}
)

func (s *session) Reset() {
	s.up.close()
	s.mail, s.from, s.rcpts, s.hop, s.up = nil, "", nil, nil, nil
}

func (s *session) Logout() error {
	s.Reset()
	s.r.forget(s.conn)
	return nil
}

// Mail re-encodes the reverse-path (newMailFrom), or refuses it at once; the refused MAIL leaves
// no transaction behind, even when go-smtp still counts an earlier one.
func (s *session) Mail(from string, opts *smtp.MailOptions) error {
	s.Reset()
	m, reply := newMailFrom(from, opts)
	if reply != nil {
		s.log.Info("mail refused", "from", from, "reply", reply.Message)
		return reply
	}
	s.mail, s.from = &m, m.Path
	return nil
}

// Rcpt decides one recipient (classify.Policy.Recipient) and, for a recipient in a served
// tenant, asks that tenant's Exchange Online at once, so that its answer is this RCPT's answer.
// A foreign recipient is accepted only from verified Exchange Online, alone in its transaction,
// after its domain's DNS was checked; nothing is sent to the Internet before the header proves
// the message is the own tenant's.
//
// The recipient is re-encoded (encodeMailbox) before anything else, and refused at once when it
// cannot be sent as the client named it.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.mail == nil {
		return errNoMail
	}
	wire, reply := encodeMailbox(to, s.mail.UTF8)
	if reply != nil {
		s.log.Info("rcpt refused", "from", s.from, "rcpt", to, "reply", reply.Message)
		return reply
	}
	to = wire
	rv := s.r.policy.Recipient(s.cs, s.from, to)
	log := s.log.With("from", s.from, "rcpt", to, "action", string(rv.Action))
	if rv.Action == classify.Reject {
		log.Info("rcpt refused", "reply", rv.Reply, "reasons", codes(rv.Reasons))
		return replyError(rv.Reply)
	}
	h, ok := s.r.planner.next(provisional(rv), to)
	if !ok {
		log.Warn("rcpt unroutable", "reasons", codes(rv.Reasons))
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 5}, Message: "No route for this recipient"}
	}
	if s.hop != nil && (s.hop.key() != h.key() || rv.Action == classify.Defer || s.up == nil) {
		// One next hop per transaction, and a relayed recipient alone: so the next hop's single
		// answer to the message is exactly the answer for every recipient we accepted.
		log.Info("rcpt deferred to another transaction", "hop", h.key())
		return errTooManyHops
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.r.limits.NextHopTimeout.Or(DefaultNextHopTimeout))
	defer cancel()
	if rv.Action == classify.Defer {
		if _, err := route.MailHosts(ctx, s.r.resolver, string(h.Domain)); err != nil {
			reply := errDNSTemporary(string(h.Domain))
			if route.IsPermanent(err) {
				reply = errDNSPermanent(string(h.Domain))
			}
			log.Info("rcpt refused", "reply", reply.Message, "err", err.Error())
			return reply
		}
		s.hop = &h
		s.rcpts = append(s.rcpts, to)
		log.Info("rcpt accepted", "hop", h.key())
		return nil
	}
	if s.up == nil {
		up, reply, err := s.r.dial(ctx, h, *s.mail)
		if err != nil {
			log.Info("rcpt refused", "hop", h.key(), "code", reply.Code, "reply", reply.Message, "err", err.Error())
			return reply
		}
		s.hop, s.up = &h, up
	}
	if reply, err := s.up.rcpt(to); err != nil {
		log.Info("rcpt refused by next hop", "hop", h.key(), "code", reply.Code, "reply", reply.Message)
		if len(s.rcpts) == 0 && errors.Is(reply, errLost) {
			s.up.close()
			s.hop, s.up = nil, nil
		}
		return reply
	}
	s.rcpts = append(s.rcpts, to)
	log.Info("rcpt accepted", "hop", h.key(), "nextHop", s.up.host)
	return nil
}

// Data reads the message, decides it (classify.Policy.Decide), edits the header and hands it to
// the next hop; the next hop's answer is the answer.
func (s *session) Data(r io.Reader) error {
	log := s.log.With("from", s.from, "rcpts", s.rcpts)
	msg, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp answers 552 for an oversized message and drops a lost connection
	}
	if i := bareLine(msg); i >= 0 {
		log.Info("message refused", "reply", errBareLine.Message, "offset", i)
		return errBareLine
	}
	end := headerEnd(msg)
	h, herr := headers.Read(bytes.NewReader(msg[:end]), s.r.hdrLimits)
	v := s.r.policy.Decide(classify.Transaction{Session: s.cs, MailFrom: s.from, RcptTo: s.rcpts, Header: h, HeaderError: herr})
	log = log.With("origin", string(v.Origin), "tenant", tenantString(v.Tenant), "kind", string(v.Kind), "hop", v.Hop)
	for _, a := range v.Recipients {
		if a.Action == classify.Reject {
			log.Info("message refused", "rcpt", a.Rcpt, "reply", a.Reply, "reasons", codes(v.Reasons))
			return replyError(a.Reply)
		}
		h2, ok := s.r.planner.next(v, a.Rcpt)
		if !ok || s.hop == nil || h2.key() != s.hop.key() {
			log.Warn("message deferred: route changed", "rcpt", a.Rcpt, "reasons", codes(v.Reasons))
			return errHopChanged
		}
	}
	if s.up == nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.r.limits.NextHopTimeout.Or(DefaultNextHopTimeout))
		up, reply, err := s.r.dial(ctx, *s.hop, *s.mail)
		cancel()
		if err != nil {
			log.Info("message refused", "code", reply.Code, "reply", reply.Message, "err", err.Error())
			return reply
		}
		s.up = up
		for _, rc := range s.rcpts {
			if reply, err := up.rcpt(rc); err != nil {
				log.Info("message refused by next hop", "rcpt", rc, "code", reply.Code, "reply", reply.Message)
				return reply
			}
		}
	}
	v.Apply(&h)
	body := msg[end:]
	write := func(w io.Writer) error { return writeMessage(w, h, body) }
	if v.DKIMDomain != "" {
		if k, ok := s.r.dkim[v.DKIMDomain]; ok {
			var buf bytes.Buffer
			if err := writeMessage(&buf, h, body); err != nil {
				return err
			}
			var signed bytes.Buffer
			err := dkim.Sign(&signed, &buf, &dkim.SignOptions{Domain: string(v.DKIMDomain), Selector: k.Selector, Signer: k.Signer,
				HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
				HeaderKeys: []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Reply-To"}})
			if err != nil {
				log.Error("dkim signing failed", "domain", string(v.DKIMDomain), "err", err.Error())
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Signing failed, try again later"}
			}
			write = func(w io.Writer) error { _, err := w.Write(signed.Bytes()); return err }
			log = log.With("dkim", string(v.DKIMDomain))
		}
	}
	status, reply, err := s.up.send(write)
	if err != nil {
		log.Info("message refused by next hop", "nextHop", s.up.host, "code", reply.Code, "reply", reply.Message, "err", err.Error(), "reasons", codes(v.Reasons))
		return reply
	}
	log.Info("message relayed", "nextHop", s.up.host, "nextHopTLS", s.up.tls, "status", status, "reasons", codes(v.Reasons))
	return nil
}

func writeMessage(w io.Writer, h textproto.Header, body []byte) error {
	if err := textproto.WriteHeader(w, h); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

// bareLine returns the offset of the first CR not followed by LF or LF not preceded by CR, or -1.
// Such a line break is where SMTP smuggling hides a second message (threat cases 14, 15): the
// relay refuses the message rather than pass on bytes a next hop may split differently.
func bareLine(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\r':
			if i+1 >= len(b) || b[i+1] != '\n' {
				return i
			}
			i++
		case '\n':
			return i
		}
	}
	return -1
}

// headerEnd returns the offset of the first body byte: after the blank line that ends the header
// block, or len(b) when there is no body. b has CRLF line ends only.
func headerEnd(b []byte) int {
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return 2
	}
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	return len(b)
}

// replyError turns a policy reply ("550 5.7.1 Unable to relay") into an SMTP error.
func replyError(reply string) *smtp.SMTPError {
	code, rest, _ := strings.Cut(reply, " ")
	n, err := strconv.Atoi(code)
	if err != nil || n < 400 || n > 599 {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 0, 0}, Message: reply}
	}
	e := &smtp.SMTPError{Code: n, EnhancedCode: smtp.EnhancedCodeNotSet, Message: rest}
	if enh, msg, ok := strings.Cut(rest, " "); ok {
		parts := strings.Split(enh, ".")
		if len(parts) == 3 {
			var ec smtp.EnhancedCode
			good := true
			for i, p := range parts {
				v, err := strconv.Atoi(p)
				if err != nil {
					good = false
					break
				}
				ec[i] = v
			}
			if good {
				e.EnhancedCode, e.Message = ec, msg
			}
		}
	}
	return e
}

func tenantString(id tenantgate.TenantID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}
