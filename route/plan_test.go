package route

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/tlsid"
)

// exoSession is a verified Exchange Online client (docs/threat-model.md#rule-1: an address in
// Microsoft's ranges and the mail.protection.outlook.com certificate).
var exoSession = classify.Session{
	RemoteAddr: netip.MustParseAddr("40.107.22.10"),
	HELO:       "EUR05-AM6-obe.outbound.protection.outlook.com",
	TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}},
}

// hopKey drops the reasons' prose: only their codes are compared.
type hopKey struct {
	Hop
	Codes []string
}

func keyOf(h Hop) hopKey {
	k := hopKey{Hop: h}
	for _, r := range h.Reasons {
		k.Codes = append(k.Codes, r.Code)
	}
	k.Reasons = nil
	return k
}

func TestPlanNext(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	p, err := NewPlan(d)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := classify.NewPolicy(d, classify.PolicyConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// A cloud mailbox of contoso sends through Exchange Online to the gateway (exchange-online.md
	// scenario 37): own-tenant, kind mailbox.
	own := header(t, "X-MS-Exchange-CrossTenant-Id: "+contosoID, "X-MS-Exchange-CrossTenant-AuthAs: Internal",
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted", "From: carol@contoso.com")
	rcpts := []string{"erin@woodgrove.example", "frank@fabrikam.com", "alice@contoso.com", "x@sender.example", "bad@@"}
	v := pol.Decide(classify.Transaction{Session: exoSession, MailFrom: "carol@contoso.com", RcptTo: rcpts, Header: own})
	// An Internet host (not Exchange Online) to a foreign recipient: rejected by the policy.
	vNet := pol.Decide(classify.Transaction{Session: classify.Session{RemoteAddr: netip.MustParseAddr("192.0.2.44")},
		MailFrom: "bob@sender.example", RcptTo: []string{"erin@woodgrove.example"}})

	const contosoHost = "contoso-com.mail.protection.outlook.com"
	const fabrikamHost = "fabrikam-com.mail.protection.outlook.com"
	tests := []struct {
		name string
		v    classify.Verdict
		rcpt string
		want hopKey
	}{
		// woodgrove is an Office 365 tenant the gateway does not serve: its MX is Exchange Online,
		// and still the Internet identity is presented (docs/routing.md#the-gateways-next-hop).
		{"other O365 tenant gets the Internet identity", v, "erin@woodgrove.example", hopKey{
			Hop:   Hop{Rcpt: "erin@woodgrove.example", Kind: HopInternet, Domain: "woodgrove.example", Identity: "internet"},
			Codes: []string{"rcpt.foreign", "rcpt.relay", ReasonPlanInternet}}},
		// fabrikam is served too: the policy makes the recipient inbound and the hop goes straight
		// to fabrikam with fabrikam's identity (issue text: "goes straight to that tenant").
		{"co-served tenant straight in", v, "frank@fabrikam.com", hopKey{
			Hop: Hop{Rcpt: "frank@fabrikam.com", Kind: HopTenant, Tenant: tenantgate.MustParseTenantID(fabrikamID), Domain: "fabrikam.com",
				Host: fabrikamHost, Identity: "fabrikam", RequireTLS: true, VerifyNames: []string{fabrikamHost}},
			Codes: []string{"rcpt.inbound", ReasonPlanTenant}}},
		// Derived smart host: contoso.com → contoso-com.mail.protection.outlook.com
		// (docs/exchange-online.md#accepted-domains, MX host form).
		{"own tenant inbound", v, "alice@contoso.com", hopKey{
			Hop: Hop{Rcpt: "alice@contoso.com", Kind: HopTenant, Tenant: tenantgate.MustParseTenantID(contosoID), Domain: "contoso.com",
				Host: contosoHost, Identity: "contoso", RequireTLS: true, VerifyNames: []string{contosoHost}},
			Codes: []string{"rcpt.inbound", ReasonPlanTenant}}},
		{"Internet domain", v, "x@sender.example", hopKey{
			Hop:   Hop{Rcpt: "x@sender.example", Kind: HopInternet, Domain: "sender.example", Identity: "internet"},
			Codes: []string{"rcpt.foreign", "rcpt.relay", ReasonPlanInternet}}},
		{"unparsable recipient is rejected", v, "bad@@", hopKey{
			Hop:   Hop{Rcpt: "bad@@", Reply: classify.ReplyBadRecipient},
			Codes: []string{"rcpt.syntax", ReasonPlanRejected}}},
		{"policy rejection carried over", vNet, "erin@woodgrove.example", hopKey{
			Hop:   Hop{Rcpt: "erin@woodgrove.example", Domain: "woodgrove.example", Reply: classify.ReplyRelayDenied},
			Codes: []string{"rcpt.foreign", "rcpt.relay-denied.peer", ReasonPlanRejected}}},
		{"recipient not in the verdict", v, "zed@contoso.com", hopKey{
			Hop:   Hop{Rcpt: "zed@contoso.com", Domain: "contoso.com", Reply: ReplyNoRoute},
			Codes: []string{ReasonPlanNotInVerdict}}},
		// A hand-made verdict naming an unserved tenant fails closed.
		{"inbound to an unserved tenant", classify.Verdict{Recipients: []classify.RecipientAction{{Rcpt: "erin@woodgrove.example", Action: classify.Inbound,
			Tenant: tenantgate.MustParseTenantID("33333333-3333-3333-3333-333333333333")}}}, "erin@woodgrove.example", hopKey{
			Hop:   Hop{Rcpt: "erin@woodgrove.example", Domain: "woodgrove.example", Reply: ReplyNoRoute},
			Codes: []string{ReasonPlanNotServed}}},
		{"defer is no decision", classify.Verdict{Recipients: []classify.RecipientAction{{Rcpt: "x@sender.example", Action: classify.Defer}}}, "x@sender.example", hopKey{
			Hop:   Hop{Rcpt: "x@sender.example", Domain: "sender.example", Reply: ReplyNoRoute},
			Codes: []string{ReasonPlanUndecided}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, keyOf(p.Next(tc.v, tc.rcpt))); diff != "" {
				t.Errorf("Next(%q) (-want +got):\n%s", tc.rcpt, diff)
			}
		})
	}
}

func TestNewPlanRefuses(t *testing.T) {
	const tmpl = `{"tenants":[{"id":"` + contosoID + `","name":"contoso","acceptedDomains":[{"name":"contoso.com"}],
	  "inbound":[{"name":"from-gateway","tlsSenderCertificateName":"%CONN%","restrictDomainsToCertificate":true}]}],
	 "gateway":{"name":"gw.example.net","serves":["` + contosoID + `"],"identities":[%IDS%]}}`
	ident := `{"name":"contoso","certNames":["%NAME%"],"for":"` + contosoID + `"}`
	cfg := func(conn, ids string) string {
		return strings.NewReplacer("%CONN%", conn, "%IDS%", ids).Replace(tmpl)
	}
	tests := []struct {
		name    string
		cfg     string
		wantErr string // substring; "" = NewPlan succeeds
	}{
		{"exact match", cfg("contoso.gw.example.net", strings.Replace(ident, "%NAME%", "contoso.gw.example.net", 1)), ""},
		// A connector value "*.gw.example.net" covers contoso.gw.example.net
		// (docs/exchange-online.md#certificate-names).
		{"connector wildcard", cfg("*.gw.example.net", strings.Replace(ident, "%NAME%", "contoso.gw.example.net", 1)), ""},
		{"mismatch", cfg("contoso.gw.example.net", strings.Replace(ident, "%NAME%", "fabrikam.gw.example.net", 1)),
			`identity "contoso" (certificate names [fabrikam.gw.example.net]) matches none of the inbound connector certificate names [contoso.gw.example.net (from-gateway)]`},
		{"certificate connector without identity", cfg("contoso.gw.example.net", ""),
			"inbound connectors expect certificate [contoso.gw.example.net (from-gateway)] but the gateway has no identity for the tenant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := compile(t, tc.cfg)
			p, err := NewPlan(d)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("NewPlan: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("NewPlan error = %v, want one containing %q", err, tc.wantErr)
			case err != nil && p != nil:
				t.Fatal("NewPlan returned a Plan with its error")
			}
			// NewPlanUnchecked reports the same error but keeps the plan, which still routes the
			// tenant's recipient into the tenant (with the identity it has): what a simulator shows.
			pu, errU := NewPlanUnchecked(d)
			if (errU == nil) != (err == nil) || (err != nil && errU.Error() != err.Error()) {
				t.Fatalf("NewPlanUnchecked error = %v, want NewPlan's %v", errU, err)
			}
			if pu == nil {
				t.Fatal("NewPlanUnchecked: nil Plan")
			}
			v := classify.Verdict{Recipients: []classify.RecipientAction{{Rcpt: "alice@contoso.com", Action: classify.Inbound,
				Tenant: tenantgate.MustParseTenantID(contosoID)}}}
			if h := pu.Next(v, "alice@contoso.com"); h.Kind != HopTenant || h.Host != "contoso-com.mail.protection.outlook.com" {
				t.Errorf("unchecked plan: Next = %v %q, want a tenant hop to contoso's smart host", h.Kind, h.Host)
			}
		})
	}
	if _, err := NewPlan(nil); err == nil {
		t.Error("NewPlan(nil): no error")
	}
	if p, err := NewPlanUnchecked(nil); err == nil || p != nil {
		t.Errorf("NewPlanUnchecked(nil) = %v, %v; want nil and an error", p, err)
	}
}
