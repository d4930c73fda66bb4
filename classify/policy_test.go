package classify

import (
	"bufio"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// The demo configuration (testdata/config/demo.json): the gateway serves contoso (1111…,
// contoso.com, contoso.onmicrosoft.com, *.sub.contoso.net) and fabrikam (2222…, fabrikam.com);
// woodgrove (3333…, woodgrove.example) is configured but not served.
const (
	contosoID   = "11111111-1111-1111-1111-111111111111"
	fabrikamID  = "22222222-2222-2222-2222-222222222222"
	woodgroveID = "33333333-3333-3333-3333-333333333333"
	attackerID  = "99999999-9999-4999-8999-999999999999"
)

func demoDirectory(t testing.TB) *tenantgate.Directory {
	t.Helper()
	return configDirectory(t, "demo.json")
}

// configDirectory compiles ../testdata/config/<name>.
func configDirectory(t testing.TB, name string) *tenantgate.Directory {
	t.Helper()
	f, err := os.Open("../testdata/config/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := tenantgate.LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func demoPolicy(t testing.TB, c PolicyConfig) *Policy {
	t.Helper()
	p, err := NewPolicy(demoDirectory(t), c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// exoSession is a verified Exchange Online client: 40.107.22.10 lies in 40.107.0.0/16 of
// Microsoft's published ranges, and the certificate verified for mail.protection.outlook.com.
func exoSession() Session {
	return Session{
		RemoteAddr: netip.MustParseAddr("40.107.22.10"),
		HELO:       "EUR05-DB8-obe.outbound.protection.outlook.com",
		TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}},
	}
}

// internetSession is a plaintext client outside Microsoft's ranges (192.0.2.0/24, RFC 5737).
func internetSession() Session {
	return Session{RemoteAddr: netip.MustParseAddr("192.0.2.44"), HELO: "mx.sender.example"}
}

func header(t testing.TB, s string) textproto.Header {
	t.Helper()
	h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(s + "\r\n")))
	if err != nil {
		t.Fatalf("header %q: %v", s, err)
	}
	return h
}

func codes(rs []tenantgate.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func TestPeer(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	exo := func(mod func(*Session)) Session { s := exoSession(); mod(&s); return s }
	tests := []struct {
		name    string
		s       Session
		wantEXO bool
		want    []string
	}{
		// Threat case 1 and exchange-online.md scenario 37: both factors hold.
		{"verified EXO", exoSession(), true, []string{"peer.exo.verified"}},
		// Case 28: ::ffff:40.107.1.1 is 40.107.1.1 once unmapped.
		{"IPv4-mapped", exo(func(s *Session) { s.RemoteAddr = netip.MustParseAddr("::ffff:40.107.1.1") }), true, []string{"peer.exo.verified"}},
		// Case 28: a zone does not move an address out of (or into) a range.
		{"IPv6 in range with zone", exo(func(s *Session) { s.RemoteAddr = netip.MustParseAddr("2a01:111:f400::1%eth0") }), true, []string{"peer.exo.verified"}},
		// Case 6: names compare case-insensitively.
		{"upper-case name", exo(func(s *Session) { s.TLS.Names = []string{"MAIL.PROTECTION.OUTLOOK.COM"} }), true, []string{"peer.exo.verified"}},
		// Case 4: no TLS.
		{"plaintext", exo(func(s *Session) { s.TLS = tlsid.Evidence{} }), false, []string{"peer.tls.none"}},
		// Case 5: TLS without a client certificate.
		{"no certificate", exo(func(s *Session) { s.TLS = tlsid.Evidence{TLS: true} }), false, []string{"peer.tls.no-certificate"}},
		// Case 5: a certificate that did not verify; its names are not looked at.
		{"unverified", exo(func(s *Session) {
			s.TLS = tlsid.Evidence{TLS: true, Names: []string{"mail.protection.outlook.com"}, Error: "x509: certificate signed by unknown authority"}
		}), false, []string{"peer.tls.unverified"}},
		// Case 6: near misses.
		{"comx", exo(func(s *Session) { s.TLS.Names = []string{"mail.protection.outlook.comx"} }), false, []string{"peer.exo.cert-mismatch"}},
		{"suffix", exo(func(s *Session) { s.TLS.Names = []string{"mail.protection.outlook.com.evil.tld"} }), false, []string{"peer.exo.cert-mismatch"}},
		{"prefix", exo(func(s *Session) { s.TLS.Names = []string{"evil-mail.protection.outlook.com"} }), false, []string{"peer.exo.cert-mismatch"}},
		{"wildcard", exo(func(s *Session) { s.TLS.Names = []string{"*.protection.outlook.com", "*.outlook.com"} }), false, []string{"peer.exo.cert-mismatch"}},
		{"NUL", exo(func(s *Session) { s.TLS.Names = []string{"mail.protection.outlook.com\x00.evil.tld"} }), false, []string{"peer.exo.cert-mismatch"}},
		// Case 7: a valid Microsoft certificate from outside the ranges.
		{"outside ranges", exo(func(s *Session) { s.RemoteAddr = netip.MustParseAddr("203.0.113.9") }), false, []string{"peer.exo.not-in-networks"}},
		// Case 27: HELO claims Microsoft, nothing else does.
		{"HELO only", Session{RemoteAddr: netip.MustParseAddr("203.0.113.9"), HELO: "mail.protection.outlook.com"}, false, []string{"peer.exo.not-in-networks", "peer.tls.none"}},
		{"no address", exo(func(s *Session) { s.RemoteAddr = netip.Addr{} }), false, []string{"peer.addr.invalid"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := p.Peer(tc.s)
			if v.EXO != tc.wantEXO {
				t.Errorf("EXO = %v, want %v", v.EXO, tc.wantEXO)
			}
			if diff := cmp.Diff(tc.want, codes(v.Reasons)); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}

// An explicitly empty network list means nobody is Exchange Online (case 28: a stale or empty list
// fails closed).
func TestPeerEmptyNetworks(t *testing.T) {
	c, err := tenantgate.LoadConfig(strings.NewReader(`{"gateway":{"name":"gw.example.net","exchangeOnline":{"networks":[]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPolicy(d, PolicyConfig{})
	if err != nil {
		t.Fatal(err)
	}
	v := p.Peer(exoSession())
	if diff := cmp.Diff([]string{"peer.exo.no-networks"}, codes(v.Reasons)); v.EXO || diff != "" {
		t.Errorf("EXO = %v, reasons (-want +got):\n%s", v.EXO, diff)
	}
}

func TestRecipient(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	tests := []struct {
		name   string
		s      Session
		rcpt   string
		action Action
		tenant string
		reply  tenantgate.Reply
		codes  []string
	}{
		// docs/threat-model.md#trust-rules: a served tenant's accepted domain is inbound whatever
		// the origin.
		{"inbound from internet", internetSession(), "alice@contoso.com", Inbound, contosoID, tenantgate.Reply{}, []string{"rcpt.inbound"}},
		{"inbound subdomain", internetSession(), "<bob@x.sub.contoso.net>", Inbound, contosoID, tenantgate.Reply{}, []string{"rcpt.inbound"}},
		{"inbound from EXO", exoSession(), "a@fabrikam.com", Inbound, fabrikamID, tenantgate.Reply{}, []string{"rcpt.inbound"}},
		// Threat case 4/7: foreign recipient from a peer that is not verified EXO: reject now.
		{"relay attempt from internet", internetSession(), "erin@woodgrove.example", Reject, "", ReplyRelayDenied, []string{"rcpt.foreign", "rcpt.relay-denied.peer"}},
		// Issue 5: a foreign recipient from verified EXO waits for the header.
		{"defer from EXO", exoSession(), "erin@elsewhere.example", Defer, "", tenantgate.Reply{}, []string{"rcpt.foreign", "rcpt.defer"}},
		// Case 20: lookalikes are foreign.
		{"lookalike suffix", internetSession(), "a@contoso.com.attacker.net", Reject, "", ReplyRelayDenied, []string{"rcpt.foreign", "rcpt.relay-denied.peer"}},
		{"lookalike homograph", internetSession(), "a@contоso.com", Reject, "", ReplyRelayDenied, []string{"rcpt.foreign", "rcpt.relay-denied.peer"}},
		{"not-accepted subdomain", internetSession(), "a@mail.contoso.com", Reject, "", ReplyRelayDenied, []string{"rcpt.foreign", "rcpt.relay-denied.peer"}},
		// Case 20: case and trailing dot normalise.
		{"upper case", internetSession(), "A@CONTOSO.COM.", Inbound, contosoID, tenantgate.Reply{}, []string{"rcpt.inbound"}},
		// Case 21: the domain is after the last unquoted '@'.
		{"quoted local part", internetSession(), `"a@contoso.com"@evil.example`, Reject, "", ReplyRelayDenied, []string{"rcpt.foreign", "rcpt.relay-denied.peer"}},
		{"source route", internetSession(), "<@relay.example:a@contoso.com>", Inbound, contosoID, tenantgate.Reply{}, []string{"rcpt.inbound"}},
		{"syntax", exoSession(), "no-at-sign", Reject, "", ReplyBadRecipient, []string{"rcpt.syntax"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := p.Recipient(tc.s, tc.rcpt)
			var tenant string
			if !v.Tenant.IsZero() {
				tenant = v.Tenant.String()
			}
			got := []any{v.Action, tenant, v.Reply, codes(v.Reasons)}
			want := []any{tc.action, tc.tenant, tc.reply, tc.codes}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// messageCase is one Decide test: what the verdict must say. Reasons lists codes that must all
// be present (in any order), noReasons codes that must be absent.
type messageCase struct {
	name      string
	config    string // file in ../testdata/config; "" is demo.json
	policy    PolicyConfig
	s         Session
	mailFrom  string
	rcpt      []string
	hdr       string
	dkim      []DKIMResult
	origin    Origin
	tenant    string
	kind      Kind
	actions   []Action
	dkimDom   string
	reasons   []string
	noReasons []string
}

func (tc messageCase) run(t *testing.T) {
	t.Helper()
	cfg := tc.config
	if cfg == "" {
		cfg = "demo.json"
	}
	p, err := NewPolicy(configDirectory(t, cfg), tc.policy)
	if err != nil {
		t.Fatal(err)
	}
	mf := tc.mailFrom
	if mf == "" {
		mf = "carol@contoso.com"
	}
	v := p.Decide(Transaction{Session: tc.s, MailFrom: mf, RcptTo: tc.rcpt, Header: header(t, tc.hdr), DKIM: tc.dkim})
	var tenant string
	if !v.Tenant.IsZero() {
		tenant = v.Tenant.String()
	}
	var actions []Action
	for _, r := range v.Recipients {
		actions = append(actions, r.Action)
	}
	got := []any{v.Origin, tenant, v.Kind, actions, string(v.DKIMDomain)}
	want := []any{tc.origin, tc.tenant, tc.kind, tc.actions, tc.dkimDom}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("origin, tenant, kind, actions, dkim (-want +got):\n%s\nreasons: %v", diff, v.Reasons)
	}
	have := map[string]bool{}
	for _, r := range v.Reasons {
		have[r.Code] = true
	}
	for _, c := range tc.reasons {
		if !have[c] {
			t.Errorf("reason %s missing from %v", c, codes(v.Reasons))
		}
	}
	for _, c := range tc.noReasons {
		if have[c] {
			t.Errorf("reason %s present in %v", c, codes(v.Reasons))
		}
	}
	// The invariant of docs/threat-model.md#rule-1 and #rule-2 and sender binding hold on every
	// verdict.
	if err := checkInvariant(p, tc.s, v, header(t, tc.hdr)); err != nil {
		t.Error(err)
	}
	if err := checkSenderInvariant(p, v, mf, header(t, tc.hdr)); err != nil {
		t.Error(err)
	}
}

// Header fragments. Exchange Online's outbound cloud-mailbox stamp (exchange-online.md scenario
// 37; corpus oracle.com and intel.com blocks).
const (
	hContoso  = "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\n"
	hAttacker = "X-MS-Exchange-CrossTenant-Id: " + attackerID + "\r\n"
	hMailbox  = "X-MS-Exchange-CrossTenant-AuthAs: Internal\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nX-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:AS8PR08MB6995.eurprd08.prod.outlook.com;PTR:;CAT:NONE;SFS:;DIR:OUT;\r\n"
	hFrom     = "From: Carol <carol@contoso.com>\r\n"
)

var (
	relay1  = []string{"erin@woodgrove.example"}
	reject1 = []Action{Reject}
)

func TestMessage(t *testing.T) {
	tests := []messageCase{
		// exchange-online.md scenario 37: T1 outbound from a cloud mailbox: relay and sign.
		{name: "own mailbox", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com",
			reasons: []string{"peer.exo.verified", "tenant.served", "kind.mailbox", "rcpt.relay", "dkim.sign"}},
		// Scenario 39: hybrid relay from on-premises; relays by default.
		{name: "own on-premises", s: exoSession(), rcpt: relay1,
			hdr:    hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\r\nX-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: TenantId=" + contosoID + "; Ip=[192.0.2.10]; Helo=[ex01.contoso.com]\r\n" + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: OnPremises, actions: []Action{Relay}, dkimDom: "contoso.com",
			reasons: []string{"kind.on-premises"}},
		// Threat case 1: another tenant over the shared EXO IP and certificate.
		{name: "case 1 foreign tenant", s: exoSession(), rcpt: relay1, hdr: hAttacker + hMailbox + hFrom,
			origin: OtherTenant, tenant: attackerID, kind: Mailbox, actions: reject1,
			reasons: []string{"tenant.not-served", "rcpt.relay-denied.tenant", "dkim.no-sign.not-own"}},
		// A configured but unserved tenant is foreign too.
		{name: "unserved configured tenant", s: exoSession(), rcpt: []string{"x@example.org"}, hdr: "X-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\r\n" + hMailbox,
			origin: OtherTenant, tenant: woodgroveID, kind: Mailbox, actions: reject1, reasons: []string{"tenant.not-served"}},
		// Case 26: mixed recipients from a foreign tenant: ours inbound, the rest refused.
		{name: "case 26 mixed", s: exoSession(), rcpt: []string{"alice@contoso.com", "erin@woodgrove.example"}, hdr: hAttacker + hMailbox,
			origin: OtherTenant, tenant: attackerID, kind: Mailbox, actions: []Action{Inbound, Reject}},
		// Case 3 / scenario 38: our GUID from the Internet: ignored and stripped.
		{name: "case 3 forged from internet", s: internetSession(), rcpt: []string{"alice@contoso.com", "erin@woodgrove.example"}, hdr: hContoso + hMailbox + hFrom,
			origin: Internet, actions: []Action{Inbound, Reject},
			reasons: []string{"tenant.untrusted-peer", "header.trust-stripped", "rcpt.relay-denied.peer"}},
		// Case 8: ours and the attacker's, either order.
		{name: "case 8 conflict ours first", s: exoSession(), rcpt: relay1, hdr: hContoso + hAttacker + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.conflict"}},
		{name: "case 8 conflict attacker first", s: exoSession(), rcpt: relay1, hdr: hAttacker + hContoso + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.conflict"}},
		// Case 9: identical duplicates: accepted and reported by default, refused by option.
		{name: "case 9 duplicate default", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + hContoso + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com",
			reasons: []string{"tenant.crosstenant.duplicate"}},
		{name: "case 9 duplicate refused", policy: PolicyConfig{RejectDuplicateTenantID: true}, s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + hContoso,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.duplicate-refused"}},
		// Case 10: case variants are the same field; similar names are different fields.
		{name: "case 10 lower case", s: exoSession(), rcpt: relay1, hdr: "x-ms-exchange-crosstenant-id: " + contosoID + "\r\n" + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com"},
		{name: "case 10 lower-case attacker copy conflicts", s: exoSession(), rcpt: relay1, hdr: hContoso + "x-ms-exchange-crosstenant-ID: " + attackerID + "\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.conflict"}},
		{name: "case 10 similar names", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id2: " + contosoID + "\r\nX-MS-Exchange-CrossTenant-Ids: " + contosoID + "\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.absent"}},
		{name: "case 10 obsolete syntax", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id : " + contosoID + "\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.obsolete-syntax"}},
		{name: "case 10 obsolete syntax accepted", policy: PolicyConfig{AcceptObsoleteFieldSyntax: true}, s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id\t: " + contosoID + "\r\n" + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com", reasons: []string{"tenant.crosstenant.obsolete-syntax"}},
		// Case 11: unfolded, then a bare canonical GUID only.
		{name: "case 11 folded", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id:\r\n\t" + contosoID + "\r\n" + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com"},
		{name: "case 11 upper case", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: " + strings.ToUpper("aaaaaaaa-1111-1111-1111-111111111111") + "\r\n" + hMailbox,
			origin: OtherTenant, tenant: "aaaaaaaa-1111-1111-1111-111111111111", kind: Mailbox, actions: reject1},
		{name: "case 11 braces", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: {" + contosoID + "}\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.malformed"}},
		{name: "case 11 comment", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: " + contosoID + " (ours)\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.malformed"}},
		{name: "case 11 extra characters", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: " + contosoID + "0\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.malformed"}},
		{name: "case 11 encoded-word", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: =?utf-8?q?" + contosoID + "?=\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.malformed"}},
		// A malformed copy next to a good one poisons the evidence.
		{name: "case 11 malformed plus good", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: {" + contosoID + "}\r\n" + hContoso + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.malformed"}},
		// Case 12: missing: other-tenant; DKIM fallback when enabled.
		{name: "case 12 absent", s: exoSession(), rcpt: relay1, hdr: hMailbox + hFrom, dkim: []DKIMResult{{"contoso.com", "pass"}},
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.absent"}},
		{name: "case 12 DKIM fallback", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1, hdr: hMailbox + hFrom, dkim: []DKIMResult{{"Contoso.COM", "pass"}},
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com", reasons: []string{"tenant.dkim.fallback"}},
		{name: "case 12 DKIM fail is no fallback", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1, hdr: hMailbox, dkim: []DKIMResult{{"contoso.com", "fail"}},
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.dkim.none"}},
		{name: "DKIM fallback two tenants", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1, hdr: hMailbox, dkim: []DKIMResult{{"contoso.com", "pass"}, {"fabrikam.com", "pass"}},
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.dkim.ambiguous"}},
		// A malformed header is never replaced by DKIM.
		{name: "DKIM does not override malformed", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: bogus\r\n" + hMailbox, dkim: []DKIMResult{{"contoso.com", "pass"}},
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.malformed"}},
		// Case 17: a pass for the attacker's own domains proves nothing.
		{name: "case 17 foreign DKIM", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1, hdr: hMailbox, dkim: []DKIMResult{{"attacker.onmicrosoft.com", "pass"}, {"woodgrove.example", "pass"}},
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.dkim.foreign", "tenant.dkim.none"}},
		// A pass whose d= is not a domain names nobody; a good pass beside it still counts.
		{name: "DKIM pass for a malformed domain", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1, hdr: hMailbox, dkim: []DKIMResult{{"not a domain", "pass"}},
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.dkim.bad-domain", "tenant.dkim.none"}},
		{name: "DKIM malformed domain beside a good pass", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1, hdr: hMailbox + hFrom, dkim: []DKIMResult{{"contoso..com", "pass"}, {"contoso.com", "pass"}},
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com", reasons: []string{"tenant.dkim.bad-domain", "tenant.dkim.fallback"}},
		// DKIM as second factor.
		{name: "DKIM required present", policy: PolicyConfig{DKIMRequired: true}, s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + hFrom, dkim: []DKIMResult{{"contoso.onmicrosoft.com", "pass"}},
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com", reasons: []string{"tenant.dkim.confirmed"}},
		{name: "DKIM required other tenant's pass", policy: PolicyConfig{DKIMRequired: true}, s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox, dkim: []DKIMResult{{"fabrikam.com", "pass"}},
			origin: OtherTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"tenant.dkim.missing"}},
		// Case 18: an Authentication-Results in the header claiming dkim=pass is not evidence, and a
		// copy with our authserv-id is removed.
		{name: "case 18 forged AR", policy: PolicyConfig{DKIMFallback: true}, s: exoSession(), rcpt: relay1,
			hdr:    "Authentication-Results: gw.example.net; dkim=pass header.d=contoso.com\r\nAuthentication-Results: mx.other.example; dkim=pass header.d=contoso.com\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"header.verdict-stripped", "tenant.dkim.none"}},
		// Case 22: several From fields or mailboxes: the From binds mailbox mail to the tenant, and
		// one the policy cannot read binds nothing, so the foreign recipient is refused (sender
		// binding, issue 12) and nothing is signed.
		{name: "case 22 two From fields", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + hFrom + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.tenant-domain", "from.multiple", "rcpt.relay-denied.sender"}},
		{name: "case 22 two mailboxes", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + "From: carol@contoso.com, dave@contoso.com\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"from.multiple", "rcpt.relay-denied.sender"}},
		// Case 21: the From domain is after the last unquoted '@' (evil.example: not the tenant's);
		// groups and garbage bind nothing.
		{name: "case 21 quoted local part", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + "From: \"carol@contoso.com\"@evil.example\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"from.not-tenant-domain", "rcpt.relay-denied.sender"}},
		{name: "case 21 comment", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + "From: carol@contoso.com (CEO@evil.example)\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com"},
		{name: "case 21 group", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + "From: staff: carol@contoso.com;\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"from.unparsable"}, noReasons: []string{"dkim.sign"}},
		{name: "case 21 unparsable", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + "From: <carol@@contoso.com\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"from.unparsable", "rcpt.relay-denied.sender"}},
		// A relay that needs the From has none: fail closed.
		{name: "From absent", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"from.absent", "rcpt.relay-denied.sender"}},
		// Case 23: null sender from our tenant relays; the From decides signing.
		{name: "case 23 own NDR", s: exoSession(), mailFrom: "<>", rcpt: relay1, hdr: hContoso + hMailbox + "From: Mail Delivery System <MAILER-DAEMON@contoso.onmicrosoft.com>\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.onmicrosoft.com", reasons: []string{"envelope.null-sender", "sender.null", "from.tenant-domain"}},
		{name: "case 23 foreign NDR", s: exoSession(), mailFrom: "<>", rcpt: relay1, hdr: hAttacker + hMailbox,
			origin: OtherTenant, tenant: attackerID, kind: Mailbox, actions: reject1},
		// Case 24: our tenant relays mail with an external From. On-premises mail is bound by its
		// From (issue 12): refused unless sendAs lists the domain (TestMessageSenderBinding).
		{name: "case 24 on-prem external From", s: exoSession(), rcpt: relay1,
			hdr:    hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\r\nFrom: partner@supplier.example\r\n",
			origin: OwnTenant, tenant: contosoID, kind: OnPremises, actions: reject1, reasons: []string{"sender.tenant-domain", "from.not-tenant-domain", "rcpt.relay-denied.sender"}},
		{name: "case 24 forward refused by default", s: exoSession(), rcpt: relay1,
			hdr:    hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\nFrom: news@list.example\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: reject1, reasons: []string{"kind.relayed", "kind.relay-denied", "rcpt.relay-denied.kind"}},
		{name: "case 24 forward allowed by policy", policy: PolicyConfig{RelayKinds: []Kind{Mailbox, OnPremises, Relayed}}, s: exoSession(), rcpt: relay1,
			hdr:    hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\nFrom: news@list.example\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: []Action{Relay}, reasons: []string{"sender.tenant-domain", "from.not-bound", "dkim.no-sign.from-foreign"}},
		// A relayed message binds by MAIL FROM alone, so a missing or unreadable From does not stop
		// the relay; but the gateway signs only for a From it can read, so it does not sign.
		{name: "case 24 forward without From", policy: PolicyConfig{RelayKinds: []Kind{Mailbox, OnPremises, Relayed}}, s: exoSession(), rcpt: relay1,
			hdr:    hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: []Action{Relay}, reasons: []string{"from.not-bound", "dkim.no-sign.from-absent"}},
		{name: "case 24 forward with unparsable From", policy: PolicyConfig{RelayKinds: []Kind{Mailbox, OnPremises, Relayed}}, s: exoSession(), rcpt: relay1,
			hdr:    hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\nFrom: <news@@list.example\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: []Action{Relay}, reasons: []string{"from.not-bound", "dkim.no-sign.from-unparsable"}},
		// Case 25: MAIL FROM ours, From foreign, or the reverse: origin by evidence; mailbox mail
		// relays only when both are the tenant's (issue 12).
		{name: "case 25 mismatch", s: exoSession(), mailFrom: "carol@contoso.com", rcpt: relay1, hdr: hContoso + hMailbox + "From: someone@gmail.example\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.tenant-domain", "from.not-tenant-domain", "rcpt.relay-denied.sender"}},
		{name: "case 25 reverse mismatch", s: exoSession(), mailFrom: "someone@gmail.example", rcpt: relay1, hdr: hContoso + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.not-tenant-domain", "from.tenant-domain", "rcpt.relay-denied.sender"}},
		// Case 2: domains never promote a foreign tenant.
		{name: "case 2 our domains foreign tenant", s: exoSession(), mailFrom: "ceo@contoso.com", rcpt: relay1, hdr: hAttacker + hMailbox + hFrom,
			origin: OtherTenant, tenant: attackerID, kind: Mailbox, actions: reject1},
		// Case 31: Direct Send into our tenant: our tenant, anonymous, DIR:INB: never relays by default.
		{name: "case 31 direct send", s: exoSession(), rcpt: relay1,
			hdr:    hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\nX-Forefront-Antispam-Report: CIP:203.0.113.7;CTRY:;DIR:INB;\r\n" + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: reject1, reasons: []string{"kind.relay-denied"}},
		// Hosted but AuthAs Anonymous is relayed; DIR:INB downgrades a mailbox claim.
		{name: "hosted anonymous", s: exoSession(), rcpt: relay1, hdr: hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: reject1},
		{name: "DIR:INB downgrade", s: exoSession(), rcpt: relay1, hdr: hContoso + "X-MS-Exchange-CrossTenant-AuthAs: Internal\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nX-Forefront-Antispam-Report: DIR:INB;SFV:NSPM\r\n",
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: reject1, reasons: []string{"kind.dir-inbound"}},
		// Case 34: connector type and FromEntityHeader never grant trust to a foreign tenant.
		{name: "case 34 attacker hybrid", s: exoSession(), rcpt: relay1, hdr: hAttacker + "X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\r\n",
			origin: OtherTenant, tenant: attackerID, kind: OnPremises, actions: reject1},
		// Kind unknown or conflicting: own tenant, but nothing relays.
		{name: "kind unknown", s: exoSession(), rcpt: relay1, hdr: hContoso,
			origin: OwnTenant, tenant: contosoID, actions: reject1, reasons: []string{"kind.unknown", "kind.relay-denied"}},
		{name: "kind conflict", s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox + "X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\r\n",
			origin: OwnTenant, tenant: contosoID, actions: reject1, reasons: []string{"kind.conflict"}},
		// Case 4: EXO address without TLS: never ours; inbound only.
		{name: "case 4 EXO IP plaintext", s: Session{RemoteAddr: netip.MustParseAddr("40.107.22.10")}, rcpt: []string{"alice@contoso.com", "erin@woodgrove.example"}, hdr: hContoso + hMailbox,
			origin: Internet, actions: []Action{Inbound, Reject}, reasons: []string{"peer.tls.none", "tenant.untrusted-peer"}},
		// Case 29: thousands of tenant fields are treated as malformed.
		{name: "case 29 too many fields", s: exoSession(), rcpt: relay1, hdr: strings.Repeat(hContoso, 2000) + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.too-many"}},
		// Case 30: non-ASCII in the value is not a GUID.
		{name: "case 30 non-ASCII", s: exoSession(), rcpt: relay1, hdr: "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-11111111111\u0661\r\n" + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.malformed"}},
		// Case 33: nobody served means nobody is ours — covered by TestMessageServesNobody.
		// X-EOPTenantAttributedMessage: ignored by default, evidence by option.
		{name: "EOP attributed ignored", s: exoSession(), rcpt: relay1, hdr: "X-EOPTenantAttributedMessage: " + attackerID + ":0\r\n" + hContoso + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com"},
		{name: "EOP attributed conflicts", policy: PolicyConfig{EOPTenantAttributedEvidence: true}, s: exoSession(), rcpt: relay1, hdr: "X-EOPTenantAttributedMessage: " + attackerID + ":0\r\n" + hContoso + hMailbox,
			origin: OtherTenant, kind: Mailbox, actions: reject1, reasons: []string{"tenant.crosstenant.conflict"}},
		{name: "EOP attributed agrees", policy: PolicyConfig{EOPTenantAttributedEvidence: true}, s: exoSession(), rcpt: relay1, hdr: "X-EOPTenantAttributedMessage: " + contosoID + ":0\r\n" + hContoso + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Relay}, dkimDom: "contoso.com", reasons: []string{"tenant.crosstenant.duplicate"}},
		// RelayKinds []Kind{} (JSON []): nothing relays at all.
		{name: "no relay kinds", policy: PolicyConfig{RelayKinds: []Kind{}}, s: exoSession(), rcpt: relay1, hdr: hContoso + hMailbox,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"kind.relay-denied"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// Threat case 33: a gateway that serves nobody relays for nobody, whatever the header says.
func TestMessageServesNobody(t *testing.T) {
	c, err := tenantgate.LoadConfig(strings.NewReader(`{"tenants":[{"id":"` + contosoID + `","name":"contoso","acceptedDomains":[{"name":"contoso.com"}]}],"gateway":{"name":"gw.example.net"}}`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPolicy(d, PolicyConfig{DKIMFallback: true})
	if err != nil {
		t.Fatal(err)
	}
	v := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: []string{"alice@contoso.com", "erin@woodgrove.example"}, Header: header(t, hContoso+hMailbox), DKIM: []DKIMResult{{"contoso.com", "pass"}}})
	got := []any{v.Origin, v.Recipients[0].Action, v.Recipients[1].Action}
	if diff := cmp.Diff([]any{OtherTenant, Reject, Reject}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Threat cases 18, 19, 32: the verdict header, its removal and the hop counter.
func TestVerdictHeader(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{MaxHops: 2})
	hdr := hContoso + hMailbox + hFrom
	// Pass 1: no verdict header yet. The expected value is authres.Format of the x-tenantgate
	// result with its params sorted by name.
	h := header(t, hdr)
	v := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: relay1, Header: h})
	want := Field{Name: "Authentication-Results", Value: "gw.example.net; x-tenantgate=pass policy.hop=1 policy.kind=mailbox policy.origin=own-tenant policy.tenant=" + contosoID}
	if diff := cmp.Diff(want, v.Header); diff != "" {
		t.Fatalf("pass 1 header (-want +got):\n%s", diff)
	}
	v.Apply(&h)
	// Pass 2: the message comes back (an EXO loop) carrying pass 1's header; hop 2 is the limit.
	v2 := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: relay1, Header: h})
	if v2.Hop != 2 || v2.Recipients[0].Action != Relay {
		t.Fatalf("pass 2: hop %d action %s, want 2 relay", v2.Hop, v2.Recipients[0].Action)
	}
	if diff := cmp.Diff([]HeaderField{{Index: 0, Name: "Authentication-Results", Instance: 1}}, v2.Remove); diff != "" {
		t.Errorf("pass 2 remove (-want +got):\n%s", diff)
	}
	v2.Apply(&h)
	if n := len(h.Values("Authentication-Results")); n != 1 {
		t.Errorf("after pass 2: %d Authentication-Results fields, want 1", n)
	}
	// Pass 3 exceeds MaxHops 2: every recipient, inbound included, is refused as a loop.
	v3 := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: append([]string{"alice@contoso.com"}, relay1...), Header: h})
	if v3.Hop != 3 {
		t.Errorf("pass 3 hop = %d, want 3", v3.Hop)
	}
	for _, r := range v3.Recipients {
		if r.Action != Reject || r.Reply != ReplyLoop {
			t.Errorf("pass 3 %s: %s %q, want reject %q", r.Rcpt, r.Action, r.Reply, ReplyLoop)
		}
		if !slices.Contains(codes(r.Reasons), "rcpt.reject.loop") {
			t.Errorf("pass 3 %s reasons %v, want rcpt.reject.loop", r.Rcpt, codes(r.Reasons))
		}
	}
	if !slices.Contains(codes(v3.Reasons), "loop.hops-exceeded") {
		t.Errorf("pass 3 reasons %v, want loop.hops-exceeded", codes(v3.Reasons))
	}
}

// Case 19: forged copies of our header (any case, any authserv-id spelling) are listed for
// removal with their milter instance; other hosts' Authentication-Results stay. From an
// untrusted peer, Microsoft trust fields are listed too, in block order.
func TestRemove(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	hdr := "Received: from x\r\n" + // 0
		"authentication-results: GW.EXAMPLE.NET (forged); x-tenantgate=pass policy.hop=0\r\n" + // 1
		"Authentication-Results: mx.other.example; spf=pass\r\n" + // 2
		"Authentication-Results: spf=pass (sender IP is 40.107.1.1) smtp.mailfrom=contoso.com\r\n" + // 3: Microsoft, no authserv-id
		"X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\n" + // 4
		"X-OriginatorOrg: contoso.com\r\n" + // 5
		"Authentication-Results: gw.example.net 1; none\r\n" + // 6
		"X-MS-Exchange-Organization-AuthAs: Internal\r\n" // 7
	want := []HeaderField{
		{Index: 1, Name: "authentication-results", Instance: 1},
		{Index: 4, Name: "X-MS-Exchange-CrossTenant-Id", Instance: 1},
		{Index: 5, Name: "X-OriginatorOrg", Instance: 1},
		{Index: 6, Name: "Authentication-Results", Instance: 4},
		{Index: 7, Name: "X-MS-Exchange-Organization-AuthAs", Instance: 1},
	}
	v := p.Decide(Transaction{Session: internetSession(), MailFrom: "a@b.example", RcptTo: []string{"alice@contoso.com"}, Header: header(t, hdr)})
	if diff := cmp.Diff(want, v.Remove); diff != "" {
		t.Errorf("untrusted remove (-want +got):\n%s", diff)
	}
	// From verified EXO only our own header copies go.
	v = p.Decide(Transaction{Session: exoSession(), MailFrom: "a@b.example", RcptTo: []string{"alice@contoso.com"}, Header: header(t, hdr)})
	if diff := cmp.Diff([]HeaderField{want[0], want[3]}, v.Remove); diff != "" {
		t.Errorf("trusted remove (-want +got):\n%s", diff)
	}
	// Two copies of ours: the hop count is at least 2 (a forged policy.hop=0 cannot lower it).
	if v.Hop != 3 {
		t.Errorf("hop = %d, want 3", v.Hop)
	}
	h := header(t, hdr)
	v.Apply(&h)
	var got []string
	for f := h.Fields(); f.Next(); {
		got = append(got, f.Key())
	}
	wantKeys := []string{"Authentication-Results", "Received", "Authentication-Results", "Authentication-Results", "X-Ms-Exchange-Crosstenant-Id", "X-Originatororg", "X-Ms-Exchange-Organization-Authas"}
	if diff := cmp.Diff(wantKeys, got); diff != "" {
		t.Errorf("after Apply (-want +got):\n%s", diff)
	}
}

// A custom verdict header name: every incoming copy is removed, whatever it says.
func TestCustomVerdictHeader(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{VerdictHeader: "X-Tenantgate-Verdict", AuthServID: "relay.example.net"})
	v := p.Decide(Transaction{Session: exoSession(), MailFrom: "", RcptTo: relay1, Header: header(t, "x-tenantgate-verdict: anything at all\r\n"+hContoso+hMailbox)})
	if diff := cmp.Diff([]HeaderField{{Index: 0, Name: "x-tenantgate-verdict", Instance: 1}}, v.Remove); diff != "" {
		t.Errorf("remove (-want +got):\n%s", diff)
	}
	if v.Header.Name != "X-Tenantgate-Verdict" || !strings.HasPrefix(v.Header.Value, "relay.example.net; x-tenantgate=pass ") {
		t.Errorf("header = %+v", v.Header)
	}
	// One copy without a hop parameter still counts as one pass.
	if v.Hop != 2 {
		t.Errorf("hop = %d, want 2", v.Hop)
	}
}

// Case 14/29/30: a header the reader refused makes every recipient fail, nothing is ours.
func TestHeaderError(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	v := p.Decide(Transaction{Session: exoSession(), RcptTo: []string{"alice@contoso.com", "erin@woodgrove.example"}, HeaderError: errors.New("headers: malformed header block: line 3: bare CR")})
	got := []any{v.Origin, v.Recipients[0].Action, v.Recipients[0].Reply, v.Recipients[1].Action}
	if diff := cmp.Diff([]any{OtherTenant, Reject, ReplyHeaderInvalid, Reject}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Nothing of the block is read: each recipient carries only the refusal, the verdict says why.
	for _, r := range v.Recipients {
		if diff := cmp.Diff([]string{"rcpt.reject.header"}, codes(r.Reasons)); diff != "" {
			t.Errorf("%s reasons (-want +got):\n%s", r.Rcpt, diff)
		}
	}
	if !slices.Contains(codes(v.Reasons), "header.malformed") {
		t.Errorf("reasons %v, want header.malformed", codes(v.Reasons))
	}
}

// Case 16: nothing carries over between transactions; Decide is a pure function of its input.
func TestNoStateBetweenTransactions(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	s := exoSession()
	first := p.Decide(Transaction{Session: s, MailFrom: "carol@contoso.com", RcptTo: relay1, Header: header(t, hContoso+hMailbox)})
	second := p.Decide(Transaction{Session: s, MailFrom: "mallory@contoso.com", RcptTo: relay1, Header: header(t, hAttacker+hMailbox)})
	if first.Origin != OwnTenant || second.Origin != OtherTenant || second.Recipients[0].Action != Reject {
		t.Errorf("first %s, second %s %s", first.Origin, second.Origin, second.Recipients[0].Action)
	}
}

func TestNewPolicyErrors(t *testing.T) {
	d := demoDirectory(t)
	tests := []struct {
		name string
		c    PolicyConfig
	}{
		{"unknown kind", PolicyConfig{RelayKinds: []Kind{"internal"}}},
		{"hops negative", PolicyConfig{MaxHops: -1}},
		{"hops huge", PolicyConfig{MaxHops: 1000}},
		{"header colon", PolicyConfig{VerdictHeader: "X-Bad:"}},
		{"header long", PolicyConfig{VerdictHeader: strings.Repeat("x", 77)}},
		{"authserv space", PolicyConfig{AuthServID: "a b"}},
		{"authserv tspecial", PolicyConfig{AuthServID: "a=b"}},
		{"tenant fields", PolicyConfig{MaxTenantFields: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewPolicy(d, tc.c); err == nil {
				t.Error("NewPolicy succeeded, want an error")
			}
		})
	}
	if _, err := NewPolicy(nil, PolicyConfig{}); err == nil {
		t.Error("NewPolicy(nil) succeeded")
	}
}

// The zero PolicyConfig is the documented defaults: zero numbers and empty names are not
// errors but DefaultMaxHops, headers.DefaultMaxTenantFields, DefaultVerdictHeader and the
// gateway's authserv-id; nil RelayKinds is mailbox and on-premises.
func TestPolicyConfigZeroIsDefault(t *testing.T) {
	p, err := NewPolicy(demoDirectory(t), PolicyConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := options{
		relayKinds:      []Kind{Mailbox, OnPremises},
		maxHops:         DefaultMaxHops,
		header:          DefaultVerdictHeader,
		maxTenantFields: headers.DefaultMaxTenantFields,
		authServID:      demoDirectory(t).Gateway().AuthServID,
	}
	if want.authServID == "" {
		want.authServID = demoDirectory(t).Gateway().Name
	}
	if diff := cmp.Diff(want, p.o, cmp.AllowUnexported(options{})); diff != "" {
		t.Errorf("zero PolicyConfig (-want +got):\n%s", diff)
	}
}

// Names compare in ASCII only: a field name built through the API with a Unicode letter that
// strings.EqualFold would fold to an ASCII one ('ſ' to 's', the Kelvin sign to 'k') is another
// field, and a certificate name with one is not Exchange Online's (threat cases 10, 30).
func TestASCIIFold(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	var h textproto.Header
	h.Add("X-MS-Exchange-CroſſTenant-Id", attackerID)
	h.Add("X-MS-Exchange-CrossTenant-Id", contosoID)
	h.Add("X-MS-Exchange-CrossTenant-FromEntityHeader", "Hosted")
	v := p.Decide(Transaction{Session: exoSession(), MailFrom: "", RcptTo: relay1, Header: h})
	if v.Origin != OwnTenant {
		t.Errorf("origin %s, want own-tenant (the 'ſ' field is not a CrossTenant-Id); reasons %v", v.Origin, codes(v.Reasons))
	}
	s := exoSession()
	s.TLS.Names = []string{"mail.protection.outloo\u212a.com"}
	if pv := p.Peer(s); pv.EXO {
		t.Error("a Kelvin sign in the certificate name matched mail.protection.outlook.com")
	}
}
