package main

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/d--j/go-milter"
	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// App is the milter application: one policy for every MTA connection.
type App struct {
	policy *classify.Policy
	limits headers.Limits
	dkim   *verifier // nil: the policy needs no DKIM results
	log    *slog.Logger
	// requireVerify: a certificate subject counts only with {verify} "OK" (Sendmail).
	requireVerify bool
	// dialect is the MTA's {cert_subject} form: Postfix's CN or Sendmail's DN (tlsid.Dialect).
	dialect tlsid.Dialect
	// verdictName is the verdict header's name (the policy's VerdictHeader).
	verdictName string
	// op is the operational configuration: mode, reply texts, metrics, reload (mode.go).
	op appOps
	// headerBufs holds the header buffers of closed connections (at most keepBuffer bytes
	// each) for the next ones: a connection's buffer does not grow again from nothing.
	headerBufs sync.Pool
}

// NewApp builds the milter over a compiled directory.
func NewApp(d *tenantgate.Directory, pc classify.PolicyConfig, limits headers.Limits, dkim *verifier, log *slog.Logger) (*App, error) {
	p, err := classify.NewPolicy(d, pc)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The policy names its verdict header in every verdict, the empty transaction's too.
	name := p.Decide(classify.Transaction{}).Header.Name
	return &App{policy: p, limits: limits, dkim: dkim, log: log, verdictName: name}, nil
}

// Server returns a go-milter server (protocol v6) negotiating what the filter needs: header
// changes, the TLS macros at HELO and MAIL, header values with their leading space, the body
// (its first paragraph is inspected, all of it when DKIM is verified), and — when the MTA offers
// them — no reply at the stages where the filter never refuses (quietStages) and, by the
// configuration in force, the skip reply or body chunks without a reply (negotiate).
func (a *App) Server(opts ...milter.Option) *milter.Server {
	tlsMacros := []milter.MacroName{milter.MacroTlsVersion, milter.MacroCertSubject, milter.MacroCertIssuer, macroVerify, macroCNSubject}
	base := []milter.Option{
		milter.WithMilter(func() milter.Milter { return a.newFilter() }),
		milter.WithActions(milter.OptAddHeader | milter.OptChangeHeader),
		milter.WithProtocols(milter.OptHeaderLeadingSpace),
		milter.WithNegotiationCallback(a.negotiate),
		milter.WithMacroRequest(milter.StageHelo, tlsMacros),
		milter.WithMacroRequest(milter.StageMail, tlsMacros),
		// The MTA's queue ID, for the logs (Postfix has one from the first accepted RCPT).
		milter.WithMacroRequest(milter.StageRcpt, []milter.MacroName{milter.MacroQueueId}),
		milter.WithMacroRequest(milter.StageEOM, []milter.MacroName{milter.MacroQueueId}),
	}
	return milter.NewServer(append(base, opts...)...)
}

// filter is one MTA connection. Connection facts (address, HELO) stay; every transaction starts
// from nothing at MAIL FROM (docs/threat-model.md#threat-16) and the TLS evidence is read again
// from the macros.
type filter struct {
	milter.NoOpMilter
	app  *App
	addr netip.Addr
	helo string
	// heloTLS are the TLS macros as of the last HELO/EHLO (after STARTTLS the client says EHLO
	// again). go-milter drops HELO-stage macros when a transaction is aborted or the connection
	// reused, and an MTA that sends them only at HELO (miltertest, Sendmail's default) does not
	// repeat them; Postfix does at MAIL when milter_mail_macros lists them (README.md).
	heloTLS tlsid.Macros

	from   string
	rcpts  []string
	hdr    bytes.Buffer
	hdrErr error
	// swallowed: the MTA swallows the space after a field's colon (no OptHeaderLeadingSpace),
	// so Header puts one back; the negotiated options, as the last Header call saw them.
	swallowed bool
	// start inspects the first paragraph of the body (bodyStart).
	start bodyStart
	// body is kept for DKIM up to the verifier's bound; bodyBig: the body went over it.
	body    bytes.Buffer
	bodyBig bool
	// held is the body bytes counted in tenantgate_bytes_in_flight (hold, release); waived are
	// the recipients monitor mode let through at RCPT (mode.go).
	held   int
	waived []string
}

var errHeaderTooLong = errors.New("milter: header block over the size limit")

// maxRecipients bounds the recipients one transaction keeps: Postfix's smtpd_recipient_limit
// default; more get 452 4.5.3 (RFC 5321 §4.5.3.1.10) and the client sends them again later.
const maxRecipients = 1000

// keepBuffer is the largest buffer capacity kept from one transaction for the next.
const keepBuffer = 64 << 10

// newFilter starts a connection with a header buffer of an earlier one when there is one.
func (a *App) newFilter() *filter {
	f := &filter{app: a}
	a.op.metrics.SessionOpened()
	if b, ok := a.headerBufs.Get().(*[]byte); ok {
		f.hdr = *bytes.NewBuffer((*b)[:0])
	}
	return f
}

// Cleanup ends the connection: its header buffer goes back for the next one unless it grew
// past keepBuffer.
func (f *filter) Cleanup(milter.Modifier) {
	f.app.op.metrics.SessionClosed()
	f.release()
	f.hdr.Reset()
	if c := f.hdr.Cap(); c > 0 && c <= keepBuffer {
		b := f.hdr.Bytes()[:0]
		f.app.headerBufs.Put(&b)
	}
	f.hdr = bytes.Buffer{}
}

func (f *filter) reset() {
	f.release()
	f.from, f.rcpts, f.hdrErr, f.bodyBig = "", nil, nil, false
	f.hdr.Reset()
	f.body.Reset()
	if f.body.Cap() > keepBuffer {
		f.body = bytes.Buffer{} // a large DKIM body is not held while the connection idles
	}
	if f.hdr.Cap() > keepBuffer {
		f.hdr = bytes.Buffer{}
	}
	f.start = newBodyStart(f.app.verdictName)
}

func (f *filter) Connect(_ string, family string, _ uint16, addr string, _ milter.Modifier) (*milter.Response, error) {
	f.app = f.app.current() // a new SMTP session takes the configuration in force (reload.go)
	f.addr, f.helo, f.heloTLS = netip.Addr{}, "", tlsid.Macros{}
	if family == "tcp4" || family == "tcp6" {
		if a, err := netip.ParseAddr(strings.Trim(addr, "[]")); err == nil {
			f.addr = a.Unmap()
		}
	}
	return milter.RespContinue, nil
}

func (f *filter) Helo(name string, m milter.Modifier) (*milter.Response, error) {
	f.helo = name
	f.heloTLS = f.tlsMacros(m)
	return milter.RespContinue, nil
}

// macroVerify is Sendmail's {verify}: "OK" when the client certificate verified.
// Sendmail's macros beyond go-milter's names: {verify} says whether it verified the certificate,
// {cn_subject} is the subject CN (xtext), which tlsid checks against the CN it parses from the DN.
const (
	macroVerify    = "{verify}"
	macroCNSubject = "{cn_subject}"
)

// tlsMacros reads the TLS macros. Sendmail passes {cert_subject} for any certificate and says in
// {verify} whether it verified: a {verify} other than "OK" — or none, when the MTA is configured
// as Sendmail (Section.RequireVerifyMacro) — drops the subject, so the evidence is unverified.
func (f *filter) tlsMacros(m milter.Modifier) tlsid.Macros {
	mac := tlsid.Macros{
		TLSVersion:  m.Get(milter.MacroTlsVersion),
		CertSubject: m.Get(milter.MacroCertSubject),
		CertIssuer:  m.Get(milter.MacroCertIssuer),
		Dialect:     f.app.dialect,
	}
	if mac.Dialect == tlsid.Sendmail {
		mac.CNSubject = m.Get(macroCNSubject)
	}
	v, ok := m.GetEx(macroVerify)
	if (ok || f.app.requireVerify) && v != "OK" {
		mac.CertSubject, mac.CertIssuer, mac.CNSubject = "", "", ""
	}
	return mac
}

// session is the connection as the policy sees it. The TLS macros are the current ones when the
// MTA sent any ({tls_version} is set from STARTTLS on), else those of the last HELO.
func (f *filter) session(m milter.Modifier) classify.Session {
	mac := f.tlsMacros(m)
	if mac.TLSVersion == "" {
		mac = f.heloTLS
	}
	return classify.Session{RemoteAddr: f.addr, HELO: f.helo, TLS: tlsid.FromMacros(mac)}
}

func (f *filter) MailFrom(from string, _ string, _ milter.Modifier) (*milter.Response, error) {
	f.reset()
	f.from = milter.RemoveAngle(from)
	return milter.RespContinue, nil
}

// RcptTo refuses at once what the policy can refuse before the header: a foreign recipient from a
// client that is not verified Exchange Online.
func (f *filter) RcptTo(rcpt string, _ string, m milter.Modifier) (*milter.Response, error) {
	rcpt = milter.RemoveAngle(rcpt)
	s := f.session(m)
	if len(f.rcpts) >= maxRecipients {
		f.app.log.Info("rcpt refused", "client", s.RemoteAddr.String(), "rcpt", rcpt, "reply", replyTooManyRcpts)
		return reject(replyTooManyRcpts)
	}
	rv := f.app.policy.Recipient(s, rcpt)
	if rv.Action == classify.Reject {
		if resp, refused := f.refuseRcpt(s, m, rcpt, rv); refused {
			return resp, nil
		}
	}
	f.rcpts = append(f.rcpts, rcpt)
	return milter.RespContinue, nil
}

// Header keeps the fields in order, as the MTA received them, up to the size limit. Its reply is
// negotiated away (quietStages): it never refuses; a block over the limit is refused at the end of
// the message. The made-up field of a bufferedConn (an empty name and the connection's token,
// headertap.go) attaches the filter to its connection instead, which then passes the fields
// that follow to tapField.
func (f *filter) Header(name, value string, m milter.Modifier) (*milter.Response, error) {
	// With OptHeaderLeadingSpace the value is exactly what followed the colon ("Name:value"
	// stays so, for DKIM's simple canonicalization); without it the MTA swallowed one space.
	f.swallowed = m == nil || m.Protocol()&milter.OptHeaderLeadingSpace == 0
	if name == "" {
		if c := tapConns.lookup(value); c != nil {
			c.attach(f)
			return milter.RespContinue, nil
		}
	}
	addField(f, name, value)
	return milter.RespContinue, nil
}

// tapField is Header for a field a bufferedConn took from the MTA (headertap.go).
func (f *filter) tapField(name, value []byte) {
	addField(f, name, value)
}

// addField appends one field to the block, its line ends made CRLF (appendCRLF), or records
// that the block went over the size limit.
func addField[T ~string | ~[]byte](f *filter, name, value T) {
	if f.hdrErr != nil {
		return
	}
	space := f.swallowed && len(value) > 0 && value[0] != ' ' && value[0] != '\t'
	n := len(name) + crlfLen(value) + 3 // ':' and the closing CRLF
	if space {
		n++
	}
	// The limit counts the blank line that ends the block, as headers.Read does.
	if f.hdr.Len()+n+2 > f.app.maxHeaderBytes() {
		f.hdrErr = errHeaderTooLong
		return
	}
	f.hdr.Grow(n)
	b := f.hdr.AvailableBuffer()
	b = append(b, name...)
	b = append(b, ':')
	if space {
		b = append(b, ' ')
	}
	b = appendCRLF(b, value)
	b = append(b, "\r\n"...)
	f.hdr.Write(b)
}

// Postfix and Sendmail pass folded values with LF line ends; the block is read with CRLF. Every
// LF becomes CRLF, a CRLF stays, a CR alone stays (headers.Read refuses it).

// crlfLen is the length of s with its line ends made CRLF (appendCRLF).
func crlfLen[T ~string | ~[]byte](s T) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' && (i == 0 || s[i-1] != '\r') {
			n++
		}
	}
	return n
}

// appendCRLF appends s with its line ends made CRLF, in one pass.
func appendCRLF[T ~string | ~[]byte](b []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' && (i == 0 || s[i-1] != '\r') {
			b = append(b, s[start:i]...)
			b = append(b, '\r')
			start = i
		}
	}
	return append(b, s[start:]...)
}

// maxHeaderBytes is the header block's size limit (headers.Read's default unless configured):
// the buffer stops growing there and the message is refused as malformed
// (docs/threat-model.md#threat-30).
func (a *App) maxHeaderBytes() int {
	if a.limits.MaxBytes > 0 {
		return a.limits.MaxBytes
	}
	return headers.DefaultMaxBytes
}

// BodyChunk inspects the start of the body (bodyStart) and keeps the body for DKIM up to its
// bound. Once neither needs more, it asks the MTA to skip the rest (SMFIR_SKIP), when skip was
// negotiated (not with SMFIP_NR_BODY, where the MTA waits for no reply: quietStages).
func (f *filter) BodyChunk(chunk []byte, m milter.Modifier) (*milter.Response, error) {
	f.start.Write(chunk)
	if f.app.dkim != nil && !f.bodyBig {
		if f.body.Len()+len(chunk) > f.app.dkim.maxBody {
			f.bodyBig = true
			f.body = bytes.Buffer{}
		} else {
			f.body.Write(chunk)
			f.hold(len(chunk))
		}
	}
	needBody := f.app.dkim != nil && !f.bodyBig
	if f.start.Done() && !needBody && m != nil && m.Protocol()&(milter.OptSkip|milter.OptNoBodyReply) == milter.OptSkip {
		return milter.RespSkip, nil
	}
	return milter.RespContinue, nil
}

// EndOfMessage decides the transaction and edits the header: forged fields deleted (highest
// instance first, so the instances still to delete keep their numbers), the verdict header
// inserted at the top.
func (f *filter) EndOfMessage(m milter.Modifier) (*milter.Response, error) {
	defer f.reset()
	start := time.Now()
	s := f.session(m)
	if m.Protocol()&milter.OptNoBody != 0 {
		// Fail closed: the body never came, so a header cut short was not seen (bodyStart)
		// and DKIM cannot pass.
		f.app.log.Warn("message refused: the body was not negotiated (SMFIP_NOBODY)", "queueID", m.Get(milter.MacroQueueId),
			"client", s.RemoteAddr.String(), "reply", replyNoBody)
		f.app.op.metrics.Rejected(replyNoBody)
		return reject(replyNoBody)
	}
	t := f.transaction(s)
	v := f.app.policy.Decide(t)
	log := f.app.log.With("queueID", m.Get(milter.MacroQueueId), "client", s.RemoteAddr.String(), "certVerified", s.TLS.Verified, "certNames", s.TLS.Names,
		"peer", codes(v.Peer.Reasons), "from", f.from, "rcpts", f.rcpts, "origin", string(v.Origin), "tenant", tenantString(v.Tenant), "kind", string(v.Kind),
		"hop", v.Hop, "reasons", codes(v.Reasons))
	if a, ok := firstReject(v); ok {
		// One reply covers the message: a refused recipient refuses it for all (the relay
		// does the same; README.md "Replies"). A refusal that unknown DKIM results decided
		// is temporary or names the size bound (dkimUnknown). Monitor mode may let it
		// through (refuseMessage).
		reply := a.Reply
		if r := f.dkimUnknown(t); !r.IsZero() {
			reply = r
		}
		if refused := f.refuseMessage(log, v, a, reply, time.Since(start)); refused {
			return reject(f.app.op.texts.Apply(reply))
		}
	} else {
		f.app.op.metrics.Decided(v, metrics.Accepted, time.Since(start))
	}
	lead := m.Protocol()&milter.OptHeaderLeadingSpace != 0
	for i := len(v.Remove) - 1; i >= 0; i-- {
		r := v.Remove[i]
		if err := m.ChangeHeader(r.Instance, r.Name, ""); err != nil { // "" deletes: no leading space
			return nil, err
		}
	}
	if v.Header.Name != "" {
		if err := m.InsertHeader(0, v.Header.Name, headerValue(v.Header.Value, lead)); err != nil {
			return nil, err
		}
	}
	log.Info("message accepted", "removed", len(v.Remove), "dkimDomain", string(v.DKIMDomain))
	return milter.RespAccept, nil
}

// transaction is what the policy decides on at the end of the message: the header block read
// strictly (bounded), refused as malformed also when the body's first paragraph holds a Microsoft
// trust field (bodyStart; not for an encapsulated message), and the DKIM results. The block goes
// to the policy as bytes (classify.Transaction.HeaderBlock): it is checked where it lies and no
// field is copied (readBlock).
func (f *filter) transaction(s classify.Session) classify.Transaction {
	f.start.Close()
	t := classify.Transaction{Session: s, MailFrom: f.from, RcptTo: f.rcpts, HeaderError: f.hdrErr}
	if t.HeaderError == nil {
		t.Header, t.HeaderBlock, t.HeaderError = readBlock(f.hdr.Bytes(), f.app)
	}
	if t.HeaderError == nil && !f.start.Encapsulated(func() []string { return fieldValues(t, "Content-Type") }) {
		t.HeaderError = f.start.Err()
	}
	if f.app.dkim != nil && !f.bodyBig && t.HeaderError == nil {
		t.DKIM = f.app.dkim.verify(append(f.hdr.Bytes(), "\r\n"...), f.body.Bytes())
		f.app.op.countDKIM(t.DKIM)
	}
	return t
}

// readBlock reads the block the filter rebuilt, strictly and bounded (headers.CheckBytes, as
// headers.Read): the fields as bytes, a slice of b, which must not outlive the transaction (reset
// reuses the buffer). A block with a line that does not end in CRLF (appendCRLF makes none) is
// read into a header instead, as headers.ReadBytes reads it.
func readBlock(b []byte, a *App) (textproto.Header, []byte, error) {
	n, ok, err := headers.CheckBytes(b, a.limits)
	if !ok {
		h, err := headers.ReadBytes(b, a.limits)
		return h, nil, err
	}
	if err != nil {
		return textproto.Header{}, nil, err
	}
	return textproto.Header{}, b[:n], nil
}

// fieldValues returns the values of the fields named key of t's header, however t holds it
// (Header or HeaderBlock), as textproto.Header.FieldsByKey gives them.
func fieldValues(t classify.Transaction, key string) []string {
	if t.HeaderBlock != nil {
		return headers.BlockFields(t.HeaderBlock, key)
	}
	var out []string
	for f := t.Header.FieldsByKey(key); f.Next(); {
		out = append(out, f.Value())
	}
	return out
}

// headerValue is a value to add as the MTA stores it: with OptHeaderLeadingSpace negotiated the
// MTA writes "Name:" and the value as given, so the value brings the space after the colon
// itself (Postfix wrote "Authentication-Results:gw.example.net; …" without it).
func headerValue(v string, leadingSpace bool) string {
	if leadingSpace && v != "" && v[0] != ' ' && v[0] != '\t' {
		return " " + v
	}
	return v
}

// firstReject returns the first refused recipient of v.
func firstReject(v classify.Verdict) (classify.RecipientAction, bool) {
	for _, a := range v.Recipients {
		if a.Action == classify.Reject {
			return a, true
		}
	}
	return classify.RecipientAction{}, false
}

func (f *filter) Abort(_ milter.Modifier) error {
	f.reset()
	return nil
}

// reject refuses with a reply; the milter protocol carries the enhanced code at the start of
// the text (RFC 2034 §4).
func reject(r tenantgate.Reply) (*milter.Response, error) {
	return milter.RejectWithCodeAndReason(uint16(r.Code), strings.TrimSpace(r.Enhanced.String()+" "+r.Text))
}

func codes(rs []tenantgate.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func tenantString(id tenantgate.TenantID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}
