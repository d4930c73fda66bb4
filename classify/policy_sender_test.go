package classify

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// TestMessageSenderBinding: own-tenant mail relays only as its own tenant (issue 12). The
// configuration (testdata/config/sendas.json) is the demo's — contoso and fabrikam served,
// woodgrove not — with contoso's sendAs ["partner.example", "*.news.example", "*.contoso.com",
// "*.group.example"] and fabrikam's extra accepted domain fabrikam.group.example. Expectations
// follow the package documentation, "Sender binding".
func TestMessageSenderBinding(t *testing.T) {
	const (
		hOnPrem  = "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\r\n"
		hForward = "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\n"
		hFab     = "X-MS-Exchange-CrossTenant-Id: " + fabrikamID + "\r\n"
	)
	from := func(addr string) string { return "From: " + addr + "\r\n" }
	relay := []Action{Relay}
	all := PolicyConfig{RelayKinds: []Kind{Mailbox, OnPremises, Relayed}}
	tests := []messageCase{
		// Threat case 35: contoso's verified mail as the other served tenant, in MAIL FROM and
		// From, in either alone; fabrikam's own mail with the same addresses relays.
		{name: "case 35 other served tenant", mailFrom: "ceo@fabrikam.com", hdr: hContoso + hMailbox + from("ceo@fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1,
			reasons:   []string{"sender.other-served-tenant", "from.other-served-tenant", "rcpt.relay-denied.sender", "dkim.no-sign.no-relay"},
			noReasons: []string{"rcpt.relay"}},
		{name: "case 35 From only", hdr: hContoso + hMailbox + from("CEO <ceo@fabrikam.com>"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1,
			reasons: []string{"sender.tenant-domain", "from.other-served-tenant", "rcpt.relay-denied.sender"}},
		{name: "case 35 MAIL FROM only", mailFrom: "ceo@fabrikam.com", hdr: hContoso + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1,
			reasons: []string{"sender.other-served-tenant", "from.tenant-domain", "rcpt.relay-denied.sender"}},
		{name: "case 35 on-premises", mailFrom: "app@fabrikam.com", hdr: hContoso + hOnPrem + from("app@fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: OnPremises, actions: reject1,
			reasons: []string{"sender.other-served-tenant", "from.other-served-tenant"}},
		{name: "case 35 fabrikam as itself", mailFrom: "ceo@fabrikam.com", hdr: hFab + hMailbox + from("ceo@fabrikam.com"),
			origin: OwnTenant, tenant: fabrikamID, kind: Mailbox, actions: relay, dkimDom: "fabrikam.com",
			reasons: []string{"sender.tenant-domain", "from.tenant-domain", "rcpt.relay", "dkim.sign"}},
		// Below another served tenant's accepted domain (no MatchSubDomains) is still theirs.
		{name: "case 35 below the other tenant's domain", mailFrom: "x@mail.fabrikam.com", hdr: hContoso + hMailbox + from("x@mail.fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.other-served-tenant", "from.other-served-tenant"}},
		// Ownership wins over a wildcard sendAs: *.group.example covers fabrikam.group.example.
		{name: "case 35 wildcard sendAs over the other tenant", mailFrom: "x@fabrikam.group.example", hdr: hContoso + hMailbox + from("x@fabrikam.group.example"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.other-served-tenant", "from.other-served-tenant"}},
		// The other served tenant's initial domain; a stranger's; an unserved configured tenant's.
		{name: "case 36 other tenant's onmicrosoft.com", mailFrom: "x@fabrikam.onmicrosoft.com", hdr: hContoso + hMailbox + from("x@fabrikam.onmicrosoft.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.other-served-tenant", "from.other-served-tenant"}},
		{name: "case 36 stranger's onmicrosoft.com", mailFrom: "x@attacker.onmicrosoft.com", hdr: hContoso + hMailbox + from("x@attacker.onmicrosoft.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.not-tenant-domain", "from.not-tenant-domain"}},
		{name: "case 36 own onmicrosoft.com", mailFrom: "carol@contoso.onmicrosoft.com", hdr: hContoso + hMailbox + from("carol@contoso.onmicrosoft.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay, dkimDom: "contoso.onmicrosoft.com", reasons: []string{"sender.tenant-domain", "from.tenant-domain"}},
		{name: "unserved tenant's domain", mailFrom: "w@woodgrove.example", hdr: hContoso + hMailbox + from("w@woodgrove.example"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.not-tenant-domain", "from.not-tenant-domain"}},
		// sendAs: relayed, never signed (the gateway signs only the tenant's accepted domains).
		{name: "case 37 sendAs third party", mailFrom: "bounces@partner.example", hdr: hContoso + hMailbox + from("news@partner.example"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay,
			reasons: []string{"sender.send-as", "from.send-as", "rcpt.relay", "dkim.no-sign.from-foreign"}},
		{name: "case 37 sendAs wildcard", mailFrom: "b@mail.news.example", hdr: hContoso + hOnPrem + from("n@news.example"),
			origin: OwnTenant, tenant: contosoID, kind: OnPremises, actions: relay, reasons: []string{"sender.send-as", "from.send-as"}},
		{name: "case 37 sendAs exact is exact", mailFrom: "b@x.partner.example", hdr: hContoso + hMailbox + from("n@partner.example"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.not-tenant-domain", "from.send-as"}},
		// Subdomains: MatchSubDomains covers them; without it only sendAs "*.contoso.com" does.
		{name: "case 38 MatchSubDomains", mailFrom: "a@x.y.sub.contoso.net", hdr: hContoso + hMailbox + from("a@x.y.sub.contoso.net"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay, dkimDom: "x.y.sub.contoso.net", reasons: []string{"sender.tenant-domain", "from.tenant-domain"}},
		{name: "case 38 subdomain by sendAs", mailFrom: "a@mail.contoso.com", hdr: hContoso + hMailbox + from("a@mail.contoso.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay, reasons: []string{"sender.send-as", "from.send-as", "dkim.no-sign.from-foreign"}},
		{name: "case 38 subdomain without either", config: "demo.json", mailFrom: "a@mail.contoso.com", hdr: hContoso + hMailbox + from("a@mail.contoso.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.not-tenant-domain", "from.not-tenant-domain"}},
		// Null sender: an NDR or report from the tenant. MAIL FROM binds nothing; the From does,
		// and Exchange Online writes the tenant's own domains there.
		{name: "case 39 NDR from postmaster", mailFrom: "<>", hdr: hContoso + hMailbox + from("postmaster@contoso.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay, dkimDom: "contoso.com", reasons: []string{"sender.null", "from.tenant-domain"}},
		{name: "case 39 NDR from MicrosoftExchange", mailFrom: " <> ", hdr: hContoso + hMailbox + from("Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.onmicrosoft.com>"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay, dkimDom: "contoso.onmicrosoft.com", reasons: []string{"sender.null", "from.tenant-domain"}},
		{name: "case 39 null sender as the other tenant", mailFrom: "<>", hdr: hContoso + hMailbox + from("postmaster@fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.null", "from.other-served-tenant"}},
		{name: "case 39 null sender without From", mailFrom: "<>", hdr: hContoso + hMailbox,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.null", "from.absent"}},
		// Relayed (forwards): Exchange Online rewrites MAIL FROM with SRS into the tenant's domain and
		// keeps the author's From, so only MAIL FROM binds — a forward of fabrikam's mail relays.
		{name: "case 40 SRS forward", policy: all, mailFrom: "bounces+SRS=44ldt=IX=fabrikam.com=ceo@contoso.com", hdr: hContoso + hForward + from("ceo@fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: relay, reasons: []string{"sender.tenant-domain", "from.not-bound", "dkim.no-sign.from-foreign"}},
		{name: "case 40 forward without SRS", policy: all, mailFrom: "ceo@fabrikam.com", hdr: hContoso + hForward + from("ceo@fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: reject1, reasons: []string{"sender.other-served-tenant", "from.not-bound", "rcpt.relay-denied.sender"}},
		{name: "case 40 relayed null sender binds From", policy: all, mailFrom: "<>", hdr: hContoso + hForward + from("postmaster@remote.example"),
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: reject1, reasons: []string{"sender.null", "from.not-tenant-domain"}},
		{name: "case 40 relayed by default still refused by kind", mailFrom: "bounces+SRS=44ldt=IX=fabrikam.com=ceo@contoso.com", hdr: hContoso + hForward + from("ceo@fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: Relayed, actions: reject1, reasons: []string{"kind.relay-denied", "rcpt.relay-denied.kind"}, noReasons: []string{"rcpt.relay-denied.sender"}},
		// From differs from MAIL FROM but both are the tenant's.
		{name: "case 41 both the tenant's", mailFrom: "carol@contoso.com", hdr: hContoso + hMailbox + from("info@contoso.onmicrosoft.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay, dkimDom: "contoso.onmicrosoft.com"},
		{name: "case 41 tenant and sendAs", mailFrom: "carol@contoso.com", hdr: hContoso + hMailbox + from("news@partner.example"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: relay, reasons: []string{"sender.tenant-domain", "from.send-as"}},
		// An envelope sender the library cannot read is no binding.
		{name: "address literal MAIL FROM", mailFrom: "carol@[192.0.2.1]", hdr: hContoso + hMailbox + hFrom,
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: reject1, reasons: []string{"sender.invalid", "rcpt.relay-denied.sender"}},
		// Inbound recipients stay inbound whatever the sender: only the foreign one is refused.
		{name: "inbound unaffected", mailFrom: "ceo@fabrikam.com", rcpt: []string{"alice@fabrikam.com", "carol@contoso.com", "erin@woodgrove.example"}, hdr: hContoso + hMailbox + from("ceo@fabrikam.com"),
			origin: OwnTenant, tenant: contosoID, kind: Mailbox, actions: []Action{Inbound, Inbound, Reject}, reasons: []string{"sender.other-served-tenant"}},
		// Mail that is not own-tenant is not sender-checked at all.
		{name: "other tenant not checked", mailFrom: "x@fabrikam.com", hdr: hAttacker + hMailbox + from("x@fabrikam.com"),
			origin: OtherTenant, tenant: attackerID, kind: Mailbox, actions: reject1, reasons: []string{"rcpt.relay-denied.tenant"},
			noReasons: []string{"sender.other-served-tenant", "from.other-served-tenant"}},
	}
	for _, tc := range tests {
		if tc.config == "" {
			tc.config = "sendas.json"
		}
		tc.s = exoSession()
		if tc.rcpt == nil {
			tc.rcpt = relay1
		}
		t.Run(tc.name, tc.run)
	}
}

// TestSenderReasonDetail: the refusal names the domain and the tenant it belongs to, so that an
// operator reading the log knows what to change.
func TestSenderReasonDetail(t *testing.T) {
	p, err := NewPolicy(configDirectory(t, "sendas.json"), PolicyConfig{})
	if err != nil {
		t.Fatal(err)
	}
	v := p.Decide(Transaction{Session: exoSession(), MailFrom: "ceo@fabrikam.com", RcptTo: relay1, Header: header(t, hContoso+hMailbox+"From: ceo@fabrikam.com\r\n")})
	r := v.Recipients[0]
	if r.Reply != ReplyRelayDenied {
		t.Fatalf("reply %q", r.Reply)
	}
	var got tenantgate.Reason
	for _, x := range r.Reasons {
		if x.Code == "rcpt.relay-denied.sender" {
			got = x
		}
	}
	for _, want := range []string{"sender.other-served-tenant", "fabrikam.com", "served tenant fabrikam"} {
		if !strings.Contains(got.Detail, want) {
			t.Errorf("rcpt.relay-denied.sender detail %q lacks %q", got.Detail, want)
		}
	}
}
