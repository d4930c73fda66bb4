package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/d--j/go-milter"
	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

const (
	contosoID   = "11111111-1111-1111-1111-111111111111"
	woodgroveID = "33333333-3333-3333-3333-333333333333"
)

// serveAppTB serves app on 127.0.0.1:0 and returns its address.
func serveAppTB(t testing.TB, app *App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := app.Server()
	go srv.Serve(newBufferedListener(ln, time.Minute)) // as main does
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// postfixOffer is every protocol option Postfix offers with milter_protocol = 6 (its milter8.c
// offers all of them: the no-event, no-reply, skip, rejected-recipient and leading-space options);
// TestInteropPostfixNegotiation checks with the real Postfix that the filter gets its quiet stages.
const postfixOffer = milter.OptNoConnect | milter.OptNoHelo | milter.OptNoMailFrom | milter.OptNoRcptTo |
	milter.OptNoBody | milter.OptNoHeaders | milter.OptNoEOH | milter.OptNoUnknown | milter.OptNoData |
	milter.OptSkip | milter.OptRcptRej | milter.OptNoHeaderReply | milter.OptNoConnReply | milter.OptNoHeloReply |
	milter.OptNoMailReply | milter.OptNoRcptReply | milter.OptNoDataReply | milter.OptNoUnknownReply |
	milter.OptNoEOHReply | milter.OptNoBodyReply | milter.OptHeaderLeadingSpace

// startMilter serves app on 127.0.0.1:0 and returns a client for it offering what Postfix offers.
func startMilter(t testing.TB, app *App) *milter.Client {
	t.Helper()
	return startMilterOffering(t, app, postfixOffer)
}

// startMilterOffering serves app on 127.0.0.1:0 and returns a client for it offering protocol
// options offer.
func startMilterOffering(t testing.TB, app *App, offer milter.OptProtocol) *milter.Client {
	t.Helper()
	return milter.NewClient("tcp", serveAppTB(t, app),
		milter.WithActions(milter.OptAddHeader|milter.OptChangeHeader|milter.OptSetMacros),
		milter.WithProtocols(offer))
}

func loadDirectory(t testing.TB, path string) *tenantgate.Directory {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := tenantgate.LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newTestApp(t testing.TB) *App {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{}, headers.Limits{}, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// peer is what the MTA tells the milter about the client.
type peer struct {
	addr       string
	tlsVersion string
	subject    string // {cert_subject}: set by Postfix only for a verified certificate
	verify     string // {verify}: Sendmail's verification result, "" for not sent
}

var (
	// exoPeer: verified Exchange Online (address in the test config's 127.0.0.0/8, verified
	// certificate with the EXO name).
	exoPeer      = peer{"127.0.0.1", "TLSv1.3", "mail.protection.outlook.com", ""}
	plainPeer    = peer{"127.0.0.1", "", "", ""}
	noCertPeer   = peer{"127.0.0.1", "TLSv1.3", "", ""}
	nearMissPeer = peer{"127.0.0.1", "TLSv1.3", "mail.protection.outlook.com.evil.example", ""}
	outsidePeer  = peer{"192.0.2.7", "TLSv1.3", "mail.protection.outlook.com", ""}
)

// txn is one transaction and what the milter answered.
type txn struct {
	from   string
	rcpts  []string
	header [][2]string
}

// outcome is the milter's answers: one per RCPT ("continue" or the reply), then end of message,
// and the header changes it asked for.
type outcome struct {
	Rcpt    []string
	EOM     string
	Changes []string
}

func actionString(a *milter.Action) string {
	if a.StopProcessing() {
		return strings.TrimSpace(a.SMTPReply)
	}
	return strings.ToLower(a.String())
}

// runSession sends the transactions on one milter session (one SMTP connection).
func runSession(t testing.TB, c *milter.Client, p peer, txns ...txn) []outcome {
	return runSessionBody(t, c, p, "Hello.\r\n", txns...)
}

// runSessionBody is runSession with the message body of every transaction.
func runSessionBody(t testing.TB, c *milter.Client, p peer, body string, txns ...txn) []outcome {
	t.Helper()
	macros := milter.NewMacroBag()
	s, err := c.Session(macros)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Conn("client.example", milter.FamilyInet, 25, p.addr); err != nil {
		t.Fatal(err)
	}
	if p.tlsVersion != "" {
		macros.Set(milter.MacroTlsVersion, p.tlsVersion)
	}
	if p.subject != "" {
		macros.Set(milter.MacroCertSubject, p.subject)
		macros.Set(milter.MacroCertIssuer, "Test CA")
	}
	if p.verify != "" {
		macros.Set("{verify}", p.verify)
	}
	if _, err := s.Helo("client.example"); err != nil {
		t.Fatal(err)
	}
	var out []outcome
	for _, tx := range txns {
		var o outcome
		if _, err := s.Mail("<"+tx.from+">", ""); err != nil {
			t.Fatal(err)
		}
		accepted := 0
		for _, r := range tx.rcpts {
			a, err := s.Rcpt("<"+r+">", "")
			if err != nil {
				t.Fatal(err)
			}
			o.Rcpt = append(o.Rcpt, actionString(a))
			if !a.StopProcessing() {
				accepted++
			}
		}
		if accepted == 0 {
			out = append(out, o)
			if err := s.Reset(nil); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := s.DataStart(); err != nil {
			t.Fatal(err)
		}
		for _, f := range tx.header {
			if _, err := s.HeaderField(f[0], f[1], nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.HeaderEnd(); err != nil {
			t.Fatal(err)
		}
		mods, a, err := s.BodyReadFrom(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		o.EOM = actionString(a)
		for _, m := range mods {
			switch m.Type {
			case milter.ActionChangeHeader:
				o.Changes = append(o.Changes, fmt.Sprintf("change %s[%d]=%q", m.HeaderName, m.HeaderIndex, m.HeaderValue))
			case milter.ActionInsertHeader:
				// Name and value as the MTA writes them (no space of its own with
				// OptHeaderLeadingSpace), folding undone.
				o.Changes = append(o.Changes, fmt.Sprintf("insert @%d %s:%s", m.HeaderIndex, m.HeaderName, unfold(m.HeaderValue)))
			default:
				o.Changes = append(o.Changes, fmt.Sprintf("unexpected %v", m))
			}
		}
		out = append(out, o)
	}
	return out
}

// unfold undoes folding (RFC 5322 §2.2.3) and keeps everything else of a value.
func unfold(v string) string {
	return strings.NewReplacer("\r\n", "", "\n", "").Replace(v)
}

// exoHeader is the header block Exchange Online sends for a cloud mailbox of tenant.
func exoHeader(tenant, from string) [][2]string {
	return [][2]string{
		{"X-MS-Exchange-CrossTenant-Id", tenant},
		{"X-MS-Exchange-CrossTenant-AuthAs", "Internal"},
		{"X-MS-Exchange-CrossTenant-FromEntityHeader", "Hosted"},
		{"From", from},
		{"Subject", "hello"},
	}
}

// ownVerdict is classify's verdict header for own-tenant mailbox mail of contoso on pass hop
// (classify/policy_header.go: authres.Format, parameters sorted by name).
func ownVerdict(hop int) string {
	return fmt.Sprintf("insert @0 Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=%d policy.kind=mailbox policy.origin=own-tenant policy.tenant=%s", hop, contosoID)
}

func TestMilter(t *testing.T) {
	c := startMilter(t, newTestApp(t))
	forged := [2]string{"Authentication-Results", "gw.example.net; x-tenantgate=pass policy.hop=1"}
	tests := []struct {
		name string
		peer peer
		txns []txn
		want []outcome
	}{{
		// docs/threat-model.md#rule-1 to #rule-3: relayed; the forged verdict header (threat case
		// 18) is deleted — it is the 1st Authentication-Results — and ours inserted at the top with
		// hop 2, one more than the copy claimed.
		name: "exo own tenant relays", peer: exoPeer,
		txns: []txn{{"carol@contoso.com", []string{"erin@woodgrove.example"}, append([][2]string{forged}, exoHeader(contosoID, "carol@contoso.com")...)}},
		want: []outcome{{Rcpt: []string{"continue"}, EOM: "accept", Changes: []string{`change Authentication-Results[1]=""`, ownVerdict(2)}}},
	}, {
		// Threat case 1: another tenant through the same Exchange Online.
		name: "exo other tenant refused", peer: exoPeer,
		txns: []txn{{"mallory@woodgrove.example", []string{"victim@sender.example"}, exoHeader(woodgroveID, "ceo@contoso.com")}},
		want: []outcome{{Rcpt: []string{"continue"}, EOM: "550 5.7.1 Unable to relay"}},
	}, {
		// ExOTA-Milter's miltertest_multiple_tenantid: conflicting tenant headers (threat case 8).
		name: "conflicting tenant headers refused", peer: exoPeer,
		txns: []txn{{"carol@contoso.com", []string{"erin@woodgrove.example"},
			append(exoHeader(contosoID, "carol@contoso.com"), [2]string{"x-ms-exchange-crosstenant-id", woodgroveID})}},
		want: []outcome{{Rcpt: []string{"continue"}, EOM: "550 5.7.1 Unable to relay"}},
	}, {
		// Threat cases 3–7: not verified Exchange Online, so a foreign recipient is refused at RCPT.
		name: "plaintext with forged header", peer: plainPeer,
		txns: []txn{{"carol@contoso.com", []string{"victim@sender.example"}, exoHeader(contosoID, "carol@contoso.com")}},
		want: []outcome{{Rcpt: []string{"550 5.7.1 Unable to relay"}}},
	}, {
		name: "TLS without verified certificate", peer: noCertPeer,
		txns: []txn{{"carol@contoso.com", []string{"victim@sender.example"}, nil}},
		want: []outcome{{Rcpt: []string{"550 5.7.1 Unable to relay"}}},
	}, {
		name: "near-miss certificate name", peer: nearMissPeer,
		txns: []txn{{"carol@contoso.com", []string{"victim@sender.example"}, nil}},
		want: []outcome{{Rcpt: []string{"550 5.7.1 Unable to relay"}}},
	}, {
		// Threat case 4: the right certificate from outside Exchange Online's networks.
		name: "EXO certificate from outside the networks", peer: outsidePeer,
		txns: []txn{{"carol@contoso.com", []string{"victim@sender.example"}, nil}},
		want: []outcome{{Rcpt: []string{"550 5.7.1 Unable to relay"}}},
	}, {
		// Inbound mail to a served tenant is accepted from anyone; Microsoft trust headers from a
		// peer that is not Exchange Online are deleted (threat case 3); verdict none.
		name: "internet to served tenant", peer: plainPeer,
		txns: []txn{{"bob@sender.example", []string{"alice@contoso.com"}, [][2]string{{"X-MS-Exchange-CrossTenant-Id", contosoID}, {"From", "bob@sender.example"}}}},
		want: []outcome{{Rcpt: []string{"continue"}, EOM: "accept", Changes: []string{
			`change X-MS-Exchange-CrossTenant-Id[1]=""`,
			"insert @0 Authentication-Results: gw.example.net; x-tenantgate=none policy.hop=1 policy.origin=internet"}}},
	}, {
		// Threat case 16 and ExOTA-Milter's connection-reuse tests: each transaction on one
		// connection is decided afresh, in both orders.
		name: "connection reuse", peer: exoPeer,
		txns: []txn{
			{"carol@contoso.com", []string{"erin@woodgrove.example"}, exoHeader(contosoID, "carol@contoso.com")},
			{"mallory@woodgrove.example", []string{"victim@sender.example"}, exoHeader(woodgroveID, "ceo@contoso.com")},
			{"carol@contoso.com", []string{"erin@woodgrove.example"}, exoHeader(contosoID, "carol@contoso.com")},
		},
		want: []outcome{
			{Rcpt: []string{"continue"}, EOM: "accept", Changes: []string{ownVerdict(1)}},
			{Rcpt: []string{"continue"}, EOM: "550 5.7.1 Unable to relay"},
			{Rcpt: []string{"continue"}, EOM: "accept", Changes: []string{ownVerdict(1)}},
		},
	}, {
		// Threat case 10: an MTA that passes the field name as written ("Name " before the
		// colon) lets the policy see the obsolete syntax and refuse it. Postfix does not: it
		// passes the name without the white space (README.md, "What Postfix passes").
		name: "obsolete syntax passed as written", peer: exoPeer,
		txns: []txn{{"carol@contoso.com", []string{"erin@woodgrove.example"},
			append([][2]string{{"X-MS-Exchange-CrossTenant-Id ", " " + contosoID}}, exoHeader(contosoID, "carol@contoso.com")[1:]...)}},
		want: []outcome{{Rcpt: []string{"continue"}, EOM: "550 5.7.1 Unable to relay"}},
	}, {
		// Threat case 14: a bare CR inside a header value makes the block malformed: 554 5.6.0
		// (classify.ReplyHeaderInvalid) for every recipient.
		name: "bare CR in a header value", peer: exoPeer,
		txns: []txn{{"carol@contoso.com", []string{"erin@woodgrove.example"},
			append(exoHeader(contosoID, "carol@contoso.com"), [2]string{"X-Evil", "a\rX-MS-Exchange-CrossTenant-Id: " + contosoID})}},
		want: []outcome{{Rcpt: []string{"continue"}, EOM: "554 5.6.0 Malformed message header"}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSession(t, c, tc.peer, tc.txns...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSendmailVerify: Sendmail passes {cert_subject} for certificates that did not verify and
// says so in {verify}; only "OK" lets the subject count. With requireVerify (Sendmail
// configured) a missing {verify} does not count either.
func TestSendmailVerify(t *testing.T) {
	const subject = "mail.protection.outlook.com"
	rcptOnly := func(p peer) string {
		return runSession(t, startMilter(t, newTestApp(t)), p, txn{"carol@contoso.com", []string{"victim@sender.example"}, nil})[0].Rcpt[0]
	}
	if got := rcptOnly(peer{"127.0.0.1", "TLSv1.3", subject, "FAIL"}); got != "550 5.7.1 Unable to relay" {
		t.Errorf("{verify}=FAIL: rcpt %q, want refused", got)
	}
	if got := rcptOnly(peer{"127.0.0.1", "TLSv1.3", subject, "OK"}); got != "continue" {
		t.Errorf("{verify}=OK: rcpt %q, want continue", got)
	}
	app := newTestApp(t)
	app.requireVerify = true
	c := startMilter(t, app)
	if got := runSession(t, c, exoPeer, txn{"carol@contoso.com", []string{"victim@sender.example"}, nil})[0].Rcpt[0]; got != "550 5.7.1 Unable to relay" {
		t.Errorf("requireVerify without {verify}: rcpt %q, want refused", got)
	}
}

// TestHeloMacrosKept: an MTA that sends the TLS macros only at HELO (miltertest; Sendmail by
// default) must not lose them for the second transaction on the connection, although go-milter
// drops HELO-stage macros when it sees the connection reused.
func TestHeloMacrosKept(t *testing.T) {
	c := startMilter(t, newTestApp(t))
	macros := milter.NewMacroBag()
	s, err := c.Session(macros)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Conn("client.example", milter.FamilyInet, 25, "127.0.0.1")
	macros.Set(milter.MacroTlsVersion, "TLSv1.3")
	macros.Set(milter.MacroCertSubject, "mail.protection.outlook.com")
	s.Helo("client.example")
	// From here on the MTA sends the macros empty (not at all, for the milter's purpose).
	macros.Set(milter.MacroTlsVersion, "")
	macros.Set(milter.MacroCertSubject, "")
	for i := range 2 {
		s.Mail("<carol@contoso.com>", "")
		a, err := s.Rcpt("<erin@woodgrove.example>", "")
		if err != nil {
			t.Fatal(err)
		}
		if got := actionString(a); got != "continue" {
			t.Fatalf("transaction %d: rcpt %q, want continue (verified EXO from HELO)", i+1, got)
		}
		s.DataStart()
		for _, f := range exoHeader(contosoID, "carol@contoso.com") {
			s.HeaderField(f[0], f[1], nil)
		}
		s.HeaderEnd()
		_, a, err = s.BodyReadFrom(strings.NewReader("Hello.\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := actionString(a); got != "accept" {
			t.Fatalf("transaction %d: end of message %q, want accept", i+1, got)
		}
	}
}

// TestHeaderBufferBounded: the rebuilt header block never grows past maxHeaderBytes, also when
// the MTA's LF line ends become CRLF (each adds a byte); over it the message is malformed.
func TestHeaderBufferBounded(t *testing.T) {
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{}, headers.Limits{MaxBytes: 100}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	f := &filter{app: app}
	f.reset()
	f.Header("X-Folded", strings.Repeat("\n\tx", 25), nil) // 75 bytes as passed, 100 as CRLF
	if f.hdr.Len() > 100 {
		t.Errorf("header buffer %d bytes, limit 100", f.hdr.Len())
	}
	if f.hdrErr == nil {
		t.Error("no error for a header over the limit")
	}
}

// TestHeaderLimitCountsBlankLine: the filter's bound on the block counts the blank line that ends
// it, as headers.Limits.MaxBytes is documented to (headers/read.go). The five fields of exoHeader
// with a space after each colon (no leading-space option: nil modifier) are 205 bytes with their
// CRLFs, 207 with the blank line.
func TestHeaderLimitCountsBlankLine(t *testing.T) {
	for _, tc := range []struct {
		max int
		ok  bool
	}{{206, false}, {207, true}} {
		app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{}, headers.Limits{MaxBytes: tc.max}, nil, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		f := &filter{app: app}
		f.reset()
		for _, h := range exoHeader(contosoID, "carol@contoso.com") {
			f.Header(h[0], h[1], nil)
		}
		if (f.hdrErr == nil) != tc.ok {
			t.Errorf("MaxBytes %d: error %v, want ok=%v (block %d bytes)", tc.max, f.hdrErr, tc.ok, f.hdr.Len())
		}
	}
}

// TestWriteCRLF: appendCRLF makes every LF becomes CRLF, a CRLF stays, a CR alone stays; crlfLen is the length
// written.
func TestWriteCRLF(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"plain":      "plain",
		"a\n\tb":     "a\r\n\tb",
		"a\r\n\tb":   "a\r\n\tb",
		"a\rb":       "a\rb",
		"a\r\r\n b":  "a\r\r\n b",
		"\n\n":       "\r\n\r\n",
		"x\r":        "x\r",
		"\r\n\n\r\n": "\r\n\r\n\r\n",
	} {
		if got := string(appendCRLF([]byte("x"), in)); got != "x"+want {
			t.Errorf("appendCRLF(%q) = %q, want %q", in, got, "x"+want)
		}
		if got := string(appendCRLF(nil, []byte(in))); got != want {
			t.Errorf("appendCRLF([]byte(%q)) = %q, want %q", in, got, want)
		}
		if n, nb := crlfLen(in), crlfLen([]byte(in)); n != len(want) || nb != len(want) {
			t.Errorf("crlfLen(%q) = %d, %d ([]byte), want %d", in, n, nb, len(want))
		}
	}
}

// TestCertSubjectDialect: the milter reads {cert_subject} in the configured MTA's form. Postfix
// passes the certificate's CN, so a CN that looks like a DN names nothing; Sendmail passes a DN
// (xtext-encoded, OpenSSL's slash form), from which the CN is taken strictly.
func TestCertSubjectDialect(t *testing.T) {
	const relayOK, refused = "continue", "550 5.7.1 Unable to relay"
	sendmail := func() *App {
		app := newTestApp(t)
		app.dialect, app.requireVerify = tlsid.Sendmail, true
		return app
	}
	tests := []struct {
		name    string
		app     *App
		subject string
		verify  string
		want    string
	}{
		// A Postfix peer whose certificate's CN is "x,CN=mail.protection.outlook.com": not the
		// EXO name, whatever the '=' suggests.
		{"postfix/DN-looking CN", newTestApp(t), "x,CN=mail.protection.outlook.com", "", refused},
		{"postfix/slash DN as CN", newTestApp(t), "/CN=mail.protection.outlook.com", "", refused},
		{"postfix/CN", newTestApp(t), "mail.protection.outlook.com", "", relayOK},
		// Sendmail: the DN's CN counts, when {verify} is OK.
		{"sendmail/DN", sendmail(), "/C=US/O=Microsoft+20Corporation/CN=mail.protection.outlook.com", "OK", relayOK},
		{"sendmail/DN not verified", sendmail(), "/CN=mail.protection.outlook.com", "FAIL", refused},
		{"sendmail/CN hidden in a value", sendmail(), "/CN=x,CN=mail.protection.outlook.com", "OK", refused},
		{"sendmail/two CNs", sendmail(), "/CN=mail.protection.outlook.com/CN=evil.example", "OK", refused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := peer{"127.0.0.1", "TLSv1.3", tc.subject, tc.verify}
			got := runSession(t, startMilter(t, tc.app), p, txn{"carol@contoso.com", []string{"victim@sender.example"}, nil})[0].Rcpt[0]
			if got != tc.want {
				t.Errorf("rcpt %q, want %q", got, tc.want)
			}
		})
	}
}

// TestHeaderBufferPooled: a connection's header buffer serves a later connection (it does not
// grow again from nothing), and one grown past keepBuffer is not kept.
func TestHeaderBufferPooled(t *testing.T) {
	app := newTestApp(t)
	big := app.newFilter()
	big.reset()
	big.hdr.Grow(keepBuffer + 1)
	big.Cleanup(nil)
	for b := app.headerBufs.Get(); b != nil; b = app.headerBufs.Get() {
		if c := cap(*b.(*[]byte)); c > keepBuffer {
			t.Fatalf("a %d-byte header buffer kept, bound %d", c, keepBuffer)
		}
	}
	// sync.Pool may drop what is put (under the race detector one in four at random): a few
	// connections in a row must reuse one.
	reused := false
	for range 10 {
		f := app.newFilter()
		reused = reused || f.hdr.Cap() > 0
		f.reset()
		for _, h := range exoHeader(contosoID, "carol@contoso.com") {
			f.Header(h[0], h[1], nil)
		}
		f.Cleanup(nil)
	}
	if !reused {
		t.Error("no connection got the header buffer of an earlier one")
	}
}
