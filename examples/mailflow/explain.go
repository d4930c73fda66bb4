package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
	"github.com/tenantgate/tenantgate/tlsid"
)

// explanation is the JSON form of `mailflow explain` (schema/explain.schema.json): the session
// and envelope the verdict was made for, and the verdict. OK is true when the header block
// was readable and no recipient is refused or deferred.
type explanation struct {
	envelope
	Message  string         `json:"message"`
	Session  explainSession `json:"session"`
	MailFrom string         `json:"mailFrom"`
	RcptTo   []string       `json:"rcptTo"`
	// HeaderError is why the header block could not be read; the verdict then refuses every
	// recipient with 554 5.6.0.
	HeaderError string           `json:"headerError,omitempty"`
	Verdict     classify.Verdict `json:"verdict"`
	// Headers is the header analysis `mailflow headers --format json` prints.
	Headers *headers.Analysis `json:"headers,omitempty"`
}

type explainSession struct {
	RemoteAddr netip.Addr     `json:"remoteAddr,omitzero"`
	HELO       string         `json:"helo,omitempty"`
	TLS        tlsid.Evidence `json:"tls"`
}

// runExplain is "mailflow explain --config CONFIG [peer flags] MESSAGE.eml": the gateway's
// verdict on a real message, with every reason, and what Exchange Online's headers in it say.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := formatFlag(fs, formatText, formatJSON)
	config := fs.String("config", "", "the configuration (required)")
	peerIP := fs.String("peer-ip", "", "the SMTP client's address (none: the peer cannot be Exchange Online)")
	helo := fs.String("helo", "", "the client's HELO name (shown, never trusted)")
	peerCert := fs.String("peer-cert", "", "PEM file with the client's certificate chain, leaf first; verified against --roots at --at")
	roots := fs.String("roots", "", "--peer-cert: PEM file of trusted roots (default: the system's roots)")
	at := fs.String("at", "", "--peer-cert: the time to verify at, RFC 3339 (default: now)")
	var certNames, rcpt stringsFlag
	fs.Var(&certNames, "peer-cert-name", "a DNS name of the client certificate, when the MTA verified it (repeatable; needs --verified)")
	verified := fs.Bool("verified", false, "the MTA verified the certificate --peer-cert-name names")
	mailFrom := fs.String("mail-from", "", "envelope sender (default: Return-Path, else From)")
	fs.Var(&rcpt, "rcpt", "envelope recipient, repeatable (default: the To and Cc addresses)")
	policyJSON := fs.String("policy", "", `policy options as JSON, the relay's "policy" section (e.g. '{"relayKinds": ["mailbox"], "dkimFallback": true}')`)
	var dkim stringsFlag
	fs.Var(&dkim, "dkim", "a DKIM result your MTA verified, DOMAIN=RESULT (e.g. contoso.com=pass), repeatable; used by dkimFallback/dkimRequired")
	var l headers.Limits
	limitFlags(fs, &l)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: mailflow explain --config CONFIG.json [--peer-ip IP]
       [--peer-cert PEM | --peer-cert-name NAME --verified]
       [--policy JSON] [--dkim DOMAIN=RESULT]... [--rcpt ADDR]... MESSAGE.eml   ("-" reads stdin)

The gateway's verdict (classify.Policy) on a message as if the given peer had sent it, with
every reason, then what Exchange Online's headers in it say. The trust rules fail closed: no
peer address, no verified certificate or no tenant header means the mail is not "ours". A
header block the gateway cannot read gets its verdict: every recipient refused, 554 5.6.0.
Exit status 1 when the message has no recipient to take (give --rcpt).`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := checkFormat("mailflow explain", *format, formatText, formatJSON); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "mailflow explain: "+format+"\n", a...)
		return 2
	}
	switch {
	case fs.NArg() == 0:
		return usageErr("missing MESSAGE.eml (\"-\" reads standard input); mailflow explain -h describes the flags")
	case fs.NArg() > 1:
		return usageErr("one message at a time, got %d: %s", fs.NArg(), strings.Join(fs.Args(), " "))
	case *config == "":
		return usageErr("missing --config CONFIG.json: the verdict depends on the gateway's configuration")
	}
	if err := checkLimits("mailflow explain", l); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var s classify.Session
	if *peerIP != "" {
		a, err := netip.ParseAddr(*peerIP)
		if err != nil {
			return usageErr("--peer-ip %q is not an IP address", *peerIP)
		}
		s.RemoteAddr = a
	}
	s.HELO = *helo
	switch {
	case *peerCert != "" && len(certNames) > 0:
		return usageErr("give --peer-cert or --peer-cert-name, not both")
	case *verified && len(certNames) == 0:
		return usageErr("--verified needs --peer-cert-name")
	case (*roots != "" || *at != "") && *peerCert == "":
		return usageErr("--roots and --at need --peer-cert")
	case *peerCert != "":
		ev, err := certEvidence(*peerCert, *roots, *at)
		if err != nil {
			fmt.Fprintf(stderr, "mailflow explain: %v\n", err)
			return 1
		}
		s.TLS = ev
	case len(certNames) > 0:
		s.TLS = nameEvidence(certNames, *verified)
	}
	_, d, err := loadConfigFile(*config, os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow explain: %v\n", err)
		return 1
	}
	name := fs.Arg(0)
	h, err := readHeader(name, l)
	var headerErr error
	if err != nil {
		if !errors.Is(err, headers.ErrSyntax) && !errors.Is(err, headers.ErrLimit) {
			fmt.Fprintf(stderr, "mailflow explain: %v\n", err)
			return 1
		}
		// The gateway refuses such a message (554 5.6.0): explain shows that verdict.
		headerErr = errors.Unwrap(err) // without the file name readHeader adds
	}
	from := *mailFrom
	if from == "" {
		from = defaultMailFrom(h)
	}
	for _, r := range rcpt {
		if err := checkAddress("--rcpt", r); err != nil {
			return usageErr("%v", err)
		}
	}
	var a *headers.Analysis // the header analysis, when the header block was readable
	if headerErr == nil {
		a = headers.Analyze(h)
	}
	to := []string(rcpt)
	if len(to) == 0 && a != nil {
		var why string
		to, why = defaultRcpt(a)
		if len(to) == 0 {
			fmt.Fprintf(stderr, "mailflow explain: %s: %s; give the envelope recipients with --rcpt ADDR\n", sanitize(name), why)
			return 1
		}
	}
	var pc classify.PolicyConfig
	if *policyJSON != "" {
		if err := jsonstrict.Decode([]byte(*policyJSON), &pc); err != nil {
			return usageErr("--policy: %v", err)
		}
	}
	var results []classify.DKIMResult
	for _, r := range dkim {
		dom, res, ok := strings.Cut(r, "=")
		if !ok || dom == "" || res == "" {
			return usageErr("--dkim %q: want DOMAIN=RESULT, e.g. contoso.com=pass", r)
		}
		results = append(results, classify.DKIMResult{Domain: dom, Result: res})
	}
	p, err := classify.NewPolicy(d, pc)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow explain: --policy: %v\n", err)
		return 2
	}
	v := p.Decide(classify.Transaction{Session: s, MailFrom: from, RcptTo: to, Header: h, HeaderError: headerErr, DKIM: results})
	if *format == formatJSON {
		ex := explanation{envelope: newEnvelope(headerErr == nil && !refused(v)), Message: name,
			Session: explainSession{s.RemoteAddr, s.HELO, s.TLS}, MailFrom: from, RcptTo: to, Verdict: v}
		ex.Headers = a
		if ex.RcptTo == nil {
			ex.RcptTo = []string{}
		}
		if headerErr != nil {
			ex.HeaderError = strings.TrimPrefix(headerErr.Error(), "headers: ")
		}
		if err := writeOutput(stdout, ex, d); err != nil {
			fmt.Fprintf(stderr, "mailflow explain: %v\n", err)
			return 1
		}
		return 0
	}
	o := &textOut{w: stdout, color: useColor(stdout)}
	writeVerdictText(o, d, s, from, v)
	if headerErr != nil {
		o.wrap("  header      ", "not readable, so the gateway refuses every recipient with "+
			classify.ReplyHeaderInvalid.String()+": "+strings.TrimPrefix(headerErr.Error(), "headers: "))
		return 0
	}
	o.line("")
	pr := &printer{w: stdout, width: width}
	pr.title("What Exchange Online's headers say (claims: trusted only from verified EXO)")
	summary(pr, a)
	o.line("  (mailflow headers " + sanitize(name) + " shows every field)")
	return 0
}

// refused reports whether the verdict refuses or defers a recipient.
func refused(v classify.Verdict) bool {
	for _, r := range v.Recipients {
		if r.Action == classify.Reject || r.Action == classify.Defer {
			return true
		}
	}
	return false
}

// readHeader reads a message's header block within l; "-" is standard input.
func readHeader(name string, l headers.Limits) (textproto.Header, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return textproto.Header{}, err
		}
		defer f.Close()
		r = f
	}
	h, err := readMessage(r, l)
	if err != nil {
		return h, fmt.Errorf("%s: %w", name, err)
	}
	return h, nil
}

// certEvidence verifies the chain in the PEM file against roots (the system pool when "") at the
// time at (now when "").
func certEvidence(chainFile, rootsFile, at string) (tlsid.Evidence, error) {
	chain, err := readCerts(chainFile)
	if err != nil {
		return tlsid.Evidence{}, err
	}
	var opts tlsid.VerifyOptions
	if rootsFile == "" {
		if opts.Roots, err = x509.SystemCertPool(); err != nil {
			return tlsid.Evidence{}, fmt.Errorf("system roots: %w (give --roots)", err)
		}
	} else {
		rs, err := readCerts(rootsFile)
		if err != nil {
			return tlsid.Evidence{}, err
		}
		opts.Roots = x509.NewCertPool()
		for _, c := range rs {
			opts.Roots.AddCert(c)
		}
	}
	opts.Now = time.Now()
	if at != "" {
		if opts.Now, err = time.Parse(time.RFC3339, at); err != nil {
			return tlsid.Evidence{}, fmt.Errorf("--at %q: not an RFC 3339 time such as 2026-11-26T10:00:00Z", at)
		}
	}
	return tlsid.Verify(chain, opts), nil
}

// readCerts reads every CERTIFICATE block of a PEM file.
func readCerts(name string) ([]*x509.Certificate, error) {
	data, err := readInput(name, nil)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for n := 1; ; n++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: PEM block %d: %w", name, n, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM CERTIFICATE block (give the chain as PEM, leaf first)", name)
	}
	return certs, nil
}

// nameEvidence is the evidence of a certificate the MTA reports by name: verified only when the
// operator says the MTA verified it (--verified), as tlsid.FromMacros does for milter macros.
func nameEvidence(names []string, verified bool) tlsid.Evidence {
	ev := tlsid.Evidence{TLS: true, Verified: verified}
	for _, n := range names {
		if nn, ok := tlsid.NormalizeName(n); ok {
			ev.Names = append(ev.Names, nn)
		}
	}
	if !verified {
		ev.Error = "not verified (--verified not given)"
	}
	return ev
}

// defaultMailFrom is the Return-Path address, else the first From address, else "".
func defaultMailFrom(h textproto.Header) string {
	mh := mail.Header{Header: message.Header{Header: h}}
	if rp := strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>"); rp != "" {
		return rp
	}
	if as, err := mh.AddressList("From"); err == nil && len(as) > 0 {
		return as[0].Address
	}
	return ""
}

// defaultRcpt lists the To and Cc addresses, read as the header analysis reads them (RFC 5322
// address lists with comments and folding white space: headers.Analyze's); with none, it says
// why.
func defaultRcpt(a *headers.Analysis) (rcpt []string, why string) {
	for _, mb := range slices.Concat(a.Envelope.To, a.Envelope.Cc) {
		rcpt = append(rcpt, mb.Address)
	}
	if len(rcpt) > 0 {
		return rcpt, ""
	}
	var bad []string
	for _, k := range []struct{ name, code string }{{"To", headers.ProblemToInvalid}, {"Cc", headers.ProblemCcInvalid}} {
		if slices.ContainsFunc(a.Problems, func(p headers.Problem) bool { return p.Reason.Code == k.code }) {
			bad = append(bad, k.name)
		}
	}
	if len(bad) > 0 {
		return nil, "the " + strings.Join(bad, " and ") + " field does not parse as addresses"
	}
	return nil, "no To or Cc address (undisclosed recipients?) to take as the envelope recipient"
}

// writeVerdictText prints the verdict first, then the peer, each recipient's action, signing,
// header changes and every reason.
func writeVerdictText(o *textOut, d *tenantgate.Directory, s classify.Session, from string, v classify.Verdict) {
	head := string(v.Origin)
	if !v.Tenant.IsZero() {
		head += " " + tenantName(d, v.Tenant)
	}
	if v.Kind != "" {
		head += " (" + string(v.Kind) + ")"
	}
	st := styleYellow
	if v.Origin == classify.OwnTenant {
		st = styleGreen
	}
	o.line(o.paint(styleBold, "Verdict ") + o.paint(st, sanitize(head)))
	peer := "not Exchange Online"
	if v.Peer.EXO {
		peer = "verified Exchange Online (" + v.Peer.CertName + ")"
	}
	o.wrap("  peer        ", peer+"; "+sessionText(s))
	if from == "" {
		from = "<>"
	}
	o.wrap("  mail from   ", from)
	for _, r := range v.Recipients {
		a := string(r.Action)
		if !r.Tenant.IsZero() {
			a += " to " + tenantName(d, r.Tenant)
		}
		if !r.Reply.IsZero() {
			a += ": " + r.Reply.String()
		}
		o.wrap("  rcpt        ", r.Rcpt+" → "+a)
	}
	if v.DKIMDomain != "" {
		o.wrap("  DKIM        ", "may sign as "+string(v.DKIMDomain))
	} else {
		o.wrap("  DKIM        ", "must not sign")
	}
	for _, f := range v.Remove {
		o.wrap("  remove      ", fmt.Sprintf("%s (field %d, instance %d)", f.Name, f.Index, f.Instance))
	}
	if v.Header.Name != "" {
		o.wrap("  add         ", v.Header.Name+": "+v.Header.Value)
	}
	for i, r := range v.Reasons {
		label := "  why         "
		if i > 0 {
			label = "              "
		}
		o.wrap(label, r.Code+": "+r.Detail)
	}
}

// sessionText describes what the session proves.
func sessionText(s classify.Session) string {
	var parts []string
	if s.RemoteAddr.IsValid() {
		parts = append(parts, "from "+s.RemoteAddr.String())
	} else {
		parts = append(parts, "no address given (--peer-ip)")
	}
	if s.HELO != "" {
		parts = append(parts, "HELO "+s.HELO)
	}
	switch ev := s.TLS; {
	case !ev.TLS:
		parts = append(parts, "no TLS")
	case !ev.Presented() && len(ev.Names) == 0:
		parts = append(parts, "TLS without a client certificate")
	case ev.Verified:
		parts = append(parts, "verified certificate "+strings.Join(ev.Names, ", "))
	default:
		c := "unverified certificate " + strings.Join(ev.Names, ", ")
		if ev.Error != "" {
			c += " (" + ev.Error + ")"
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, ", ")
}
