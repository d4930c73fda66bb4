package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// serveTXT runs a miekg/dns server on 127.0.0.1:0 answering TXT queries from txt.
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
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), []classify.Option{classify.DKIMRequired(true)},
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

func mustKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, key
}
