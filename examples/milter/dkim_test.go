package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/d--j/go-milter"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// serveTXT runs a miekg/dns server on 127.0.0.1:0 answering TXT queries from txt. The value
// dnsServFail answers SERVFAIL, dnsNoAnswer nothing at all (the lookup times out).
func serveTXT(t testing.TB, txt map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		v, ok := txt[strings.TrimSuffix(strings.ToLower(q.Name), ".")]
		switch {
		case !ok:
			m.Rcode = dns.RcodeNameError
		case v == dnsServFail:
			m.Rcode = dns.RcodeServerFailure
		case v == dnsNoAnswer:
			return
		case q.Qtype == dns.TypeTXT:
			m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{v}})
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// signed returns header fields and body of msg signed by domain with key (relaxed/relaxed).
func signed(t testing.TB, msg, domain string, key ed25519.PrivateKey) ([][2]string, string) {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{Domain: domain, Selector: "sel", Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed})
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(out.String(), "\r\n\r\n")
	var fields [][2]string
	for _, line := range strings.SplitAfter(head+"\r\n", "\r\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			fields[len(fields)-1][1] += line
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		fields = append(fields, [2]string{name, value})
	}
	for i := range fields {
		fields[i][1] = strings.TrimSuffix(fields[i][1], "\r\n")
	}
	return fields, body
}

// TestDKIMRequired runs the milter as an ExOTA-Milter user would after migrating (dkim_enabled):
// the tenant header and a DKIM pass for one of the tenant's domains are both needed.
func TestDKIMRequired(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	_, otherKey := mustKey(t)
	dnsAddr := serveTXT(t, map[string]string{
		"sel._domainkey.contoso.com":      "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub),
		"sel._domainkey.attacker.example": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(otherKey.Public().(ed25519.PublicKey)),
	})
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{DKIMRequired: true},
		headers.Limits{}, newVerifier(DKIMOptions{DNSServer: dnsAddr}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c := startMilter(t, app)
	msg := "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nFrom: carol@contoso.com\r\nSubject: hi\r\n\r\nHello.\r\n"
	good, goodBody := signed(t, msg, "contoso.com", key)
	bad, badBody := signed(t, msg, "attacker.example", otherKey)
	rcpt := []string{"erin@woodgrove.example"}

	got := runSessionBody(t, c, exoPeer, goodBody, txn{"carol@contoso.com", rcpt, good})
	if diff := cmp.Diff("accept", got[0].EOM); diff != "" {
		t.Errorf("signed by contoso.com (-want +got):\n%s", diff)
	}
	// Threat case 17: a pass for a domain that is not the tenant's proves nothing.
	got = runSessionBody(t, c, exoPeer, badBody, txn{"carol@contoso.com", rcpt, bad})
	if diff := cmp.Diff("550 5.7.1 Unable to relay", got[0].EOM); diff != "" {
		t.Errorf("signed by attacker.example (-want +got):\n%s", diff)
	}
	// The body changed after signing: the signature fails.
	got = runSessionBody(t, c, exoPeer, "Tampered.\r\n", txn{"carol@contoso.com", rcpt, good})
	if diff := cmp.Diff("550 5.7.1 Unable to relay", got[0].EOM); diff != "" {
		t.Errorf("tampered body (-want +got):\n%s", diff)
	}
	// Unsigned.
	got = runSession(t, c, exoPeer, txn{"carol@contoso.com", rcpt, exoHeader(contosoID, "carol@contoso.com")})
	if diff := cmp.Diff("550 5.7.1 Unable to relay", got[0].EOM); diff != "" {
		t.Errorf("unsigned (-want +got):\n%s", diff)
	}
}

const (
	dnsServFail = "\x00servfail"
	dnsNoAnswer = "\x00noanswer"
)

// TestDKIMTemporary: with DKIM required, a key lookup that fails temporarily (SERVFAIL, no
// answer until the lookup timeout) refuses with 451 4.7.5, so the sending Exchange Online
// retries — not 550. A body over dkim.maxBodyBytes is not verified: where the verdict rests on
// DKIM the reply is 552 5.3.4 naming the reason, never the policy's 550; where the tenant
// header decides (dkimFallback with the header present) the message relays; where the message
// is refused anyway (another tenant) the policy's reply stands.
func TestDKIMTemporary(t *testing.T) {
	pub, key := mustKey(t)
	msg := "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nFrom: carol@contoso.com\r\nSubject: hi\r\n\r\n" + strings.Repeat("Hello.\r\n", 40)
	good, goodBody := signed(t, msg, "contoso.com", key)
	other, otherBody := signed(t, strings.Replace(msg, contosoID, woodgroveID, 1), "contoso.com", key)
	var noTenant [][2]string
	for _, f := range good {
		if !strings.EqualFold(f[0], "X-MS-Exchange-CrossTenant-Id") {
			noTenant = append(noTenant, f)
		}
	}
	rcpt := []string{"erin@woodgrove.example"}
	record := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	app := func(t *testing.T, txt string, maxBody int, pc classify.PolicyConfig) *milter.Client {
		a, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), pc, headers.Limits{},
			newVerifier(DKIMOptions{DNSServer: serveTXT(t, map[string]string{"sel._domainkey.contoso.com": txt}),
				MaxBodyBytes: maxBody, Timeout: Duration(300 * time.Millisecond)}), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return startMilter(t, a)
	}
	required := classify.PolicyConfig{DKIMRequired: true}
	tests := []struct {
		name   string
		c      *milter.Client
		header [][2]string
		body   string
		want   string
	}{
		{"servfail", app(t, dnsServFail, 0, required), good, goodBody, replyDKIMTemp.String()},
		{"timeout", app(t, dnsNoAnswer, 0, required), good, goodBody, replyDKIMTemp.String()},
		{"servfail, other tenant", app(t, dnsServFail, 0, required), other, otherBody, "550 5.7.1 Unable to relay"},
		{"key found", app(t, record, 0, required), good, goodBody, "accept"},
		{"body over the bound", app(t, record, 64, required), good, goodBody, replyDKIMTooBig.String()},
		{"body over the bound, other tenant", app(t, record, 64, required), other, otherBody, "550 5.7.1 Unable to relay"},
		{"body over the bound, header decides", app(t, record, 64, classify.PolicyConfig{DKIMFallback: true}), good, goodBody, "accept"},
		{"body over the bound, fallback needs DKIM", app(t, record, 64, classify.PolicyConfig{DKIMFallback: true}), noTenant, goodBody, replyDKIMTooBig.String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSessionBody(t, tc.c, exoPeer, tc.body, txn{"carol@contoso.com", rcpt, tc.header})
			if diff := cmp.Diff(tc.want, got[0].EOM); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDKIMManySignatures: a message with more signatures than dkim.maxSignatures is judged on the
// first (top-most) ones; before, go-msgauth's ErrTooManySignatures dropped every result and a
// message signed by the tenant was refused.
func TestDKIMManySignatures(t *testing.T) {
	pub, key := mustKey(t)
	dnsAddr := serveTXT(t, map[string]string{"sel._domainkey.contoso.com": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)})
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{DKIMRequired: true},
		headers.Limits{}, newVerifier(DKIMOptions{DNSServer: dnsAddr, MaxSignatures: 2}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	msg := "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nFrom: carol@contoso.com\r\nSubject: hi\r\n\r\nHello.\r\n"
	hdr, body := signed(t, msg, "contoso.com", key)
	for range 2 { // three signatures, the top one is counted
		var b strings.Builder
		for _, f := range hdr {
			b.WriteString(f[0] + ":" + f[1] + "\r\n")
		}
		hdr, body = signed(t, b.String()+"\r\n"+body, "contoso.com", key)
	}
	n := 0
	for _, f := range hdr {
		if strings.EqualFold(f[0], "DKIM-Signature") {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d signatures, want 3", n)
	}
	got := runSessionBody(t, startMilter(t, app), exoPeer, body, txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, hdr})
	if diff := cmp.Diff("accept", got[0].EOM); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDKIMSimpleHeader: with OptHeaderLeadingSpace the MTA passes "X-Tight:value" as the value
// "value"; the header the milter rebuilds for DKIM must keep it without a space, or a signature
// with simple header canonicalization (RFC 6376 §3.4.1) fails.
func TestDKIMSimpleHeader(t *testing.T) {
	pub, key := mustKey(t)
	dnsAddr := serveTXT(t, map[string]string{"sel._domainkey.contoso.com": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)})
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{DKIMRequired: true},
		headers.Limits{}, newVerifier(DKIMOptions{DNSServer: dnsAddr}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	msg := "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nFrom: carol@contoso.com\r\nX-Tight:value\r\nSubject: hi\r\n\r\nHello.\r\n"
	var out bytes.Buffer
	if err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{Domain: "contoso.com", Selector: "sel", Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationSimple, BodyCanonicalization: dkim.CanonicalizationSimple,
		HeaderKeys: []string{"From", "X-Tight", "Subject"}}); err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(out.String(), "\r\n\r\n")
	var fields [][2]string
	for _, line := range strings.SplitAfter(head+"\r\n", "\r\n") {
		switch {
		case line == "":
		case line[0] == ' ' || line[0] == '\t':
			fields[len(fields)-1][1] += "\r\n" + strings.TrimSuffix(line, "\r\n")
		default:
			name, value, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), ":")
			fields = append(fields, [2]string{name, value}) // as Postfix passes it: after the colon, as is
		}
	}
	got := runSessionBody(t, startMilter(t, app), exoPeer, body, txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, fields})
	if diff := cmp.Diff("accept", got[0].EOM); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func mustKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, key
}

// TestDKIMStreamedBody: DKIM is verified over the whole body however the body chunks travel —
// streamed without replies (SMFIP_NR_BODY, what Postfix offers), each answered (an MTA offering
// the skip reply but not SMFIP_NR_BODY, where the milter does not skip while DKIM needs the body;
// an MTA offering neither) — for a body of four chunks (go-milter's client sends at most 64 KiB per chunk): signed by the
// tenant's domain it passes, and a change in the last chunk fails the signature (RFC 6376 §3.7:
// the body hash covers the whole body), so the message is refused.
func TestDKIMStreamedBody(t *testing.T) {
	pub, key := mustKey(t)
	msg := "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nFrom: carol@contoso.com\r\nSubject: hi\r\n\r\n" + longBody()
	header, body := signed(t, msg, "contoso.com", key)
	tampered := strings.Replace(body, "The end.", "The End.", 1)
	if tampered == body {
		t.Fatal("the body's last line was not changed")
	}
	dnsAddr := serveTXT(t, map[string]string{"sel._domainkey.contoso.com": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)})
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{DKIMRequired: true},
		headers.Limits{}, newVerifier(DKIMOptions{DNSServer: dnsAddr}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	addr := serveAppTB(t, app)
	for _, tc := range []struct {
		name  string
		offer milter.OptProtocol
	}{
		{"postfix offer, no body reply", postfixOffer},
		{"skip offered, body replies", postfixOffer &^ milter.OptNoBodyReply},
		{"neither offered", milter.OptHeaderLeadingSpace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := milter.NewClient("tcp", addr, milter.WithActions(milter.OptAddHeader|milter.OptChangeHeader|milter.OptSetMacros),
				milter.WithProtocols(tc.offer))
			rcpt := []string{"erin@woodgrove.example"}
			if got := runSessionBody(t, c, exoPeer, body, txn{"carol@contoso.com", rcpt, header}); got[0].EOM != "accept" {
				t.Errorf("signed: %q, want accept", got[0].EOM)
			}
			if got := runSessionBody(t, c, exoPeer, tampered, txn{"carol@contoso.com", rcpt, header}); got[0].EOM != "550 5.7.1 Unable to relay" {
				t.Errorf("last chunk changed: %q, want 550 5.7.1 Unable to relay", got[0].EOM)
			}
		})
	}
}

// longBody is a body of four chunks as go-milter's client sends it (at most 64 KiB each): a short
// first paragraph, then lines up to the last, "The end.".
func longBody() string {
	var b strings.Builder
	b.WriteString("Hello.\r\n\r\n")
	for i := 0; b.Len() < 3*64<<10+1000; i++ {
		fmt.Fprintf(&b, "Line %06d of a long body, long enough to need several chunks.\r\n", i)
	}
	b.WriteString("The end.\r\n")
	return b.String()
}
