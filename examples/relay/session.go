package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/route"
)

// session is one SMTP session of a client. Only cs (address, HELO, TLS evidence) outlives a
// transaction; everything the policy decided is recomputed for the next one
// (docs/threat-model.md#threat-16).
type session struct {
	r    *Relay
	conn *smtp.Conn
	cs   classify.Session
	log  *slog.Logger
	ip   string        // the client's address, the key of its per-address budgets
	cc   *clientConn   // nil when not served on the relay's Listener
	br   *bufio.Reader // reads each message (Data); one per session, 4 KiB
	mr   messageReader // what br reads, set up again for each message
	body spool         // each message's body, set up again for each message
	hbuf []byte        // holds each message's header block (readMessageHeader); one per session, bounded

	// The transaction. from and rcpts are the addresses in the RFC 5321 form the next hop
	// receives (encodeMailbox), and the policy classifies exactly those.
	mail    *mailFrom // nil until a MAIL was accepted
	from    string
	rcpts   []string
	hop     *hop // the one next hop of this transaction: nil, or &hopv (setHop)
	hopv    hop
	mx      []*net.MX // hop's MX hosts, looked up at RCPT for a relayed recipient; dial uses them
	relayed bool      // hop is a deferred (relayed) recipient's: opened at end of data only
	up      *upstream // open from the first Inbound RCPT until idle (nexthop.go); for a relayed recipient, from end of data
	idle    *parked   // closes up when the client idles
}

func (s *session) Reset() {
	s.unpark()
	s.up.close()
	s.mail, s.from, s.rcpts, s.hop, s.up, s.relayed, s.mx = nil, "", nil, nil, nil, false, nil
	if s.cc != nil {
		s.cc.inTx.Store(false)
	}
}

// setHop makes h the transaction's next hop, held in the session rather than allocated.
func (s *session) setHop(h hop) {
	s.hopv = h
	s.hop = &s.hopv
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
	if s.cc != nil {
		s.cc.inTx.Store(true) // RFC 5321 §4.5.3.2.7's timeout from now on, not IdleTimeout
	}
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
	s.unpark()
	defer s.park()
	rv := s.r.policy.Recipient(s.cs, to)
	log := s.log
	if s.logging() {
		log = log.With("from", s.from, "rcpt", to, "action", string(rv.Action))
	}
	if rv.Action == classify.Reject {
		// Never waived in monitor mode (relayOps.waive); the session's records carry "peer".
		log.Info("rcpt refused", "reply", s.r.op.texts.Apply(rv.Reply), "reasons", codes(rv.Reasons))
		return s.r.op.refuse(rv.Reply)
	}
	h, ok := s.r.planner.next(provisional(rv), to)
	if !ok {
		log.Warn("rcpt unroutable", "reasons", codes(rv.Reasons))
		return errNoRoute
	}
	if s.hop != nil && (!s.hop.same(h) || rv.Action == classify.Defer || s.relayed) {
		// One next hop per transaction, and a relayed recipient alone: so the next hop's single
		// answer to the message is exactly the answer for every recipient we accepted.
		log.Info("rcpt deferred to another transaction", "hop", h.key())
		return errTooManyHops
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.r.limits.NextHopTimeout.Or(DefaultNextHopTimeout))
	defer cancel()
	if rv.Action == classify.Defer {
		mxs, err := route.MailHosts(ctx, s.r.resolver, string(h.Domain))
		if err != nil {
			s.r.op.metrics.DNSError("mx")
			reply := dnsReply(string(h.Domain), err)
			log.Info("rcpt refused", "reply", reply.Message, "err", err.Error())
			return reply
		}
		s.setHop(h)
		s.relayed, s.mx = true, mxs
		s.rcpts = append(s.rcpts, to)
		if log.Enabled(context.Background(), slog.LevelInfo) {
			log.Info("rcpt accepted", "hop", h.key())
		}
		return nil
	}
	if s.up == nil {
		// The first recipient, or the session was closed while the client idled: open it (again),
		// with the recipients already accepted.
		if reply, err := s.connect(ctx, h, true); err != nil {
			s.r.op.nextHopAnswer(reply)
			log.Info("rcpt refused", "hop", h.key(), "code", reply.Code, "reply", reply.Message, "err", err.Error())
			return reply
		}
	}
	if reply, err := s.up.rcpt(to); err != nil {
		s.r.op.nextHopAnswer(reply)
		log.Info("rcpt refused by next hop", "hop", h.key(), "code", reply.Code, "reply", reply.Message)
		if len(s.rcpts) == 0 && errors.Is(reply, errLost) {
			s.up.close()
			s.hop, s.up = nil, nil
		}
		return reply
	}
	s.rcpts = append(s.rcpts, to)
	if log.Enabled(context.Background(), slog.LevelInfo) {
		log.Info("rcpt accepted", "hop", h.key(), "nextHop", s.up.host)
	}
	return nil
}

// Data reads the message, decides it (classify.Policy.Decide), edits the header and hands it to
// the next hop; the next hop's answer is the answer. The header block is read within
// headers.Limits and decided before the body is read, as bytes (readMessageHeader: no
// textproto.Header, no copy of each field); the body goes to a spool (spool.go) that
// holds at most Limits.SpoolThreshold of it in memory, and is read from there for DKIM signing
// and again for the next hop. Nothing holds the whole message in memory.
func (s *session) Data(r io.Reader) error {
	s.unpark()
	log, logging := s.log, s.logging()
	if logging {
		log = log.With("from", s.from, "rcpts", s.rcpts)
	}
	s.mr = messageReader{r: r, cc: s.cc, end: time.Now().Add(time.Duration(s.r.limits.DataTimeout))}
	mr := &s.mr
	if s.br == nil {
		s.br = bufio.NewReaderSize(mr, 4096)
	} else {
		s.br.Reset(mr)
	}
	br := s.br
	if s.hbuf == nil {
		s.hbuf = make([]byte, 0, 8<<10)
	}
	h, raw, herr := readMessageHeader(br, s.r.hdrLimits, s.hbuf)
	if cap(raw) <= maxKeptHeaderBuffer {
		s.hbuf = raw[:0]
	} else {
		s.hbuf = nil
	}
	if herr != nil && (errors.Is(herr, errBareLine) || !errors.Is(herr, headers.ErrLimit) && !errors.Is(herr, headers.ErrSyntax)) {
		// Not the header's fault but the transfer's: a bare line, the size limit, a lost or
		// timed-out connection. go-smtp answers 552 5.3.4 to its own error and drops a lost
		// connection; localReply keeps a reply an error is.
		return s.refuseData(log, herr, mr)
	}
	start := time.Now()
	tx := classify.Transaction{Session: s.cs, MailFrom: s.from, RcptTo: s.rcpts, HeaderError: herr}
	if herr == nil {
		h.transaction(&tx)
	}
	v := s.r.policy.Decide(tx)
	took := time.Since(start)
	if logging {
		log = log.With("origin", string(v.Origin), "tenant", tenantString(v.Tenant), "kind", string(v.Kind), "hop", v.Hop)
	}
	outcome := metrics.Accepted
	for _, a := range v.Recipients {
		if a.Action == classify.Reject {
			if s.r.op.waive(log, v.Peer, a) {
				outcome = metrics.Monitored
				continue // to the hop chosen at RCPT
			}
			log.Info("message refused", "rcpt", a.Rcpt, "reply", s.r.op.texts.Apply(a.Reply), "reasons", codes(v.Reasons))
			s.r.op.metrics.Decided(v, metrics.Refused, took)
			return s.r.op.refuse(a.Reply)
		}
		h2, ok := s.r.planner.next(v, a.Rcpt)
		if !ok || s.hop == nil || !h2.same(*s.hop) {
			log.Warn("message deferred: route changed", "rcpt", a.Rcpt, "reasons", codes(v.Reasons))
			return errHopChanged
		}
	}
	s.r.op.metrics.Decided(v, outcome, took)
	s.body = spool{r: s.r}
	body := &s.body
	defer body.close()
	if _, err := body.ReadFrom(br); err != nil {
		return s.refuseData(log, err, mr)
	}
	if s.up == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.r.limits.NextHopTimeout))
		reply, err := s.connect(ctx, *s.hop, false)
		cancel()
		if err != nil {
			s.r.op.nextHopAnswer(reply)
			log.Info("message refused", "code", reply.Code, "reply", reply.Message, "err", err.Error())
			return reply
		}
	}
	if err := h.apply(&v, &s.r.verdictFields); err != nil {
		log.Error("header edit failed", "err", err.Error())
		return errLocal
	}
	write := func(w io.Writer) error { return writeMessage(w, &h, body) }
	if v.DKIMDomain != "" {
		if k, ok := s.r.dkim[v.DKIMDomain]; ok {
			sig, err := sign(v.DKIMDomain, k, &h, body)
			if err != nil {
				reply := localReply(err)
				if reply == errLocal {
					reply = errSigning
				}
				s.r.op.metrics.DKIM("sign-error")
				log.Error("dkim signing failed", "domain", string(v.DKIMDomain), "code", reply.Code, "err", err.Error())
				return reply
			}
			write = func(w io.Writer) error {
				if _, err := io.WriteString(w, sig); err != nil {
					return err
				}
				return writeMessage(w, &h, body)
			}
			s.r.op.metrics.DKIM("signed")
			if logging {
				log = log.With("dkim", string(v.DKIMDomain))
			}
		}
	}
	status, reply, err := s.up.send(write)
	s.r.op.nextHopAnswer(reply)
	if err != nil {
		log.Info("message refused by next hop", "nextHop", s.up.host, "code", reply.Code, "reply", reply.Message, "err", err.Error(), "reasons", codes(v.Reasons))
		return reply
	}
	if log.Enabled(context.Background(), slog.LevelInfo) {
		log.Info("message relayed", "nextHop", s.up.host, "nextHopTLS", s.up.tls, "status", status, "reasons", codes(v.Reasons))
	}
	return nil
}

// logging reports whether the session's logger keeps records at any level the relay writes: only
// then does a transaction build its logger's attributes, so that a relay whose records are
// discarded spends nothing on them. It is asked per transaction, as the level may change on reload.
func (s *session) logging() bool {
	ctx := context.Background()
	return s.log.Enabled(ctx, slog.LevelInfo) || s.log.Enabled(ctx, slog.LevelWarn) || s.log.Enabled(ctx, slog.LevelError)
}

// refuseData logs why a message could not be read or spooled and returns the reply: for an error
// reading the client's message its own reply (552 5.3.4 from go-smtp), 421 4.4.2 and a close
// for a timeout, the error itself for a lost connection; for anything else localReply's.
func (s *session) refuseData(log *slog.Logger, err error, mr *messageReader) error {
	reply := localReply(err)
	var ne net.Error
	clientErr := mr.rerr != nil && !errors.As(mr.rerr, new(*smtp.SMTPError)) && !errors.Is(mr.rerr, smtp.ErrTooLongLine)
	timeout := clientErr && (errors.Is(mr.rerr, os.ErrDeadlineExceeded) || errors.As(mr.rerr, &ne) && ne.Timeout())
	if timeout {
		reply = errDataTimeout
	}
	log.Info("message refused", "code", reply.Code, "reply", reply.Message, "offset", mr.offset, "err", err.Error())
	switch {
	case timeout:
		// go-smtp would answer 554 and read the rest of the message as commands: answer 421
		// (temporary, the client retries) and close instead (RFC 5321 §3.8).
		c := s.conn.Conn()
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte(replyLine(errDataTimeout)))
		s.conn.Close()
		return errDataTimeout
	case clientErr:
		return mr.rerr // the client is gone; go-smtp ends the connection
	}
	return reply
}

// sign returns the DKIM-Signature field (with its CRLF) for the message h and body: go-msgauth's
// Signer hashes the message as it is written, so the body streams from the spool.
func sign(dom tenantgate.Domain, k DKIMSigner, h *messageHeader, body *spool) (string, error) {
	sg, err := dkim.NewSigner(&dkim.SignOptions{Domain: string(dom), Selector: k.Selector, Signer: k.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Reply-To"}})
	if err != nil {
		return "", err
	}
	if err := writeMessage(sg, h, body); err != nil {
		sg.Close()
		return "", err
	}
	if err := sg.Close(); err != nil {
		return "", err
	}
	return sg.Signature(), nil
}

func writeMessage(w io.Writer, h *messageHeader, body *spool) error {
	if err := h.writeTo(w); err != nil {
		return err
	}
	return body.writeTo(w)
}

// smtpError is a policy reply as go-smtp's error.
func smtpError(r tenantgate.Reply) *smtp.SMTPError {
	return &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.EnhancedCode(r.Enhanced), Message: r.Text}
}

func tenantString(id tenantgate.TenantID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}
