package route

import (
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

const (
	contosoID  = "11111111-1111-1111-1111-111111111111"
	fabrikamID = "22222222-2222-2222-2222-222222222222"
)

// routeSummary is what the tests compare of a RecipientRoute: everything but the reasons'
// prose.
type routeSummary struct {
	Connector, Rule string
	Centralized     bool
	NextHop         OutboundHop
	TLS             TLSRequirement
	ConvertHeaders  bool
	Codes           []string
}

func summarize(r RecipientRoute) routeSummary {
	s := routeSummary{Connector: r.Connector, Rule: r.Rule, Centralized: r.Centralized, NextHop: r.NextHop, TLS: r.TLS, ConvertHeaders: r.ConvertHeaders}
	for _, rs := range r.Reasons {
		s.Codes = append(s.Codes, rs.Code)
	}
	return s
}

func header(t *testing.T, fields ...string) textproto.Header {
	t.Helper()
	var h textproto.Header
	for _, f := range fields {
		k, v, ok := strings.Cut(f, ":")
		if !ok {
			t.Fatalf("bad header field %q", f)
		}
		h.Add(k, strings.TrimSpace(v))
	}
	return h
}

// Helpers for expected routes.
func smart(hosts ...string) OutboundHop { return OutboundHop{Kind: OutboundSmartHost, Hosts: hosts} }
func mx(dom string) OutboundHop         { return OutboundHop{Kind: OutboundMX, Domain: tenantgate.Domain(dom)} }
func internal(dom string) OutboundHop {
	return OutboundHop{Kind: OutboundInternal, Domain: tenantgate.Domain(dom)}
}

type outboundCase struct {
	name   string
	source string // where the expectation comes from
	from   string // tenant ID; contoso when empty
	msg    OutboundMessage
	opts   OutboundOptions
	want   routeSummary
}

func runOutbound(t *testing.T, d *tenantgate.Directory, tests []outboundCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from := tc.from
			if from == "" {
				from = contosoID
			}
			dec := Outbound(d, tenantgate.MustParseTenantID(from), tc.msg, tc.opts)
			if len(dec.Recipients) != 1 {
				t.Fatalf("got %d routes, want 1", len(dec.Recipients))
			}
			if got := dec.Recipients[0].Rcpt; got != tc.msg.Recipients[0] {
				t.Errorf("Rcpt = %q, want %q", got, tc.msg.Recipients[0])
			}
			if diff := cmp.Diff(tc.want, summarize(dec.Recipients[0])); diff != "" {
				t.Errorf("%s\nroute (-want +got):\n%s\nreasons: %v", tc.source, diff, dec.Recipients[0].Reasons)
			}
		})
	}
}

func to(rcpt string) OutboundMessage { return OutboundMessage{Recipients: []string{rcpt}} }

// TestOutboundPrecedence is docs/exchange-online.md#scenario-35 and #outbound-connectors, "Choice
// when several outbound connectors match", with the accepted domains of the worked example
// (contoso.com, sales.contoso.com, fabrikam.com, contoso.onmicrosoft.com), under both readings. The
// worked example routes to "mailboxes on your email server", so its recipients are on-premises
// (onPremises.recipients); cloud mailboxes are TestOutboundCloudMailbox.
func TestOutboundPrecedence(t *testing.T) {
	d := compile(t, `{
	  "tenants": [ { "id": "`+contosoID+`", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" }, { "name": "sales.contoso.com" }, { "name": "fabrikam.com" } ],
	    "onPremises": { "recipients": ["*.contoso.com", "fabrikam.com", "contoso.onmicrosoft.com"] },
	    "outbound": [
	      { "name": "c1", "connectorType": "OnPremises", "allAcceptedDomains": true, "smartHosts": ["onprem1.contoso.com"] },
	      { "name": "c2", "connectorType": "OnPremises", "recipientDomains": ["contoso.com"], "smartHosts": ["onprem2.contoso.com"] },
	      { "name": "c3", "connectorType": "OnPremises", "recipientDomains": ["*.contoso.com"], "smartHosts": ["onprem3.contoso.com"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	match := []string{ReasonConnectorMatch}
	runOutbound(t, d, []outboundCase{
		{name: "fabrikam.com takes AllAcceptedDomains", source: "scenario 35: john@fabrikam.com → 1",
			msg: to("john@fabrikam.com"), want: routeSummary{Connector: "c1", NextHop: smart("onprem1.contoso.com"), Codes: match}},
		{name: "contoso.com takes the exact connector", source: "scenario 35: john@contoso.com → 2 (exact beats wildcard and AllAcceptedDomains)",
			msg: to("john@contoso.com"), want: routeSummary{Connector: "c2", NextHop: smart("onprem2.contoso.com"), Codes: match}},
		{name: "sales.contoso.com takes the wildcard", source: "scenario 35 / §3 worked example: john@sales.contoso.com → 3 (most specific)",
			msg: to("john@sales.contoso.com"), want: routeSummary{Connector: "c3", NextHop: smart("onprem3.contoso.com"), Codes: match}},
		{name: "stated order: sales.contoso.com takes AllAcceptedDomains", source: "§3 stated order: exact, then all accepted domains, then wildcard",
			msg: to("john@sales.contoso.com"), opts: OutboundOptions{Precedence: StatedOrder},
			want: routeSummary{Connector: "c1", NextHop: smart("onprem1.contoso.com"), Codes: match}},
		{name: "stated order: exact still first", source: "§3 stated order, rule 1",
			msg: to("john@contoso.com"), opts: OutboundOptions{Precedence: StatedOrder},
			want: routeSummary{Connector: "c2", NextHop: smart("onprem2.contoso.com"), Codes: match}},
		{name: "MOERA domain is accepted too", source: "§4: every tenant has <name>.onmicrosoft.com; only AllAcceptedDomains matches it",
			msg: to("john@contoso.onmicrosoft.com"), want: routeSummary{Connector: "c1", NextHop: smart("onprem1.contoso.com"), Codes: match}},
		{name: "subdomain that is not accepted", source: "§3: *.contoso.com covers all subdomains; eu.sales.contoso.com is not accepted, so AllAcceptedDomains does not apply",
			msg: to("john@eu.sales.contoso.com"), want: routeSummary{Connector: "c3", NextHop: smart("onprem3.contoso.com"), Codes: match}},
		{name: "Internet recipient", source: "§3: no connector matches woodgrove.example: EXO's own MX delivery",
			msg: to("erin@woodgrove.example"), want: routeSummary{NextHop: mx("woodgrove.example"), Codes: []string{ReasonMX}}},
	})
}

// TestOutboundAddOnLoopGuard is scenario 36 and the add-on service pattern of
// docs/exchange-online.md#third-party-gateways (add-on service loop): a rule-scoped OnPremises
// connector to the service, picked by a FromScope InOrganization rule unless the header X-Gw-Done
// contains "true".
func TestOutboundAddOnLoopGuard(t *testing.T) {
	d := compile(t, `{
	  "tenants": [ { "id": "`+fabrikamID+`", "name": "fabrikam",
	    "acceptedDomains": [ { "name": "fabrikam.com" } ],
	    "outbound": [ { "name": "to-addon", "connectorType": "OnPremises", "isTransportRuleScoped": true,
	                    "smartHosts": ["svc.addon.example"], "tlsSettings": "DomainValidation", "tlsDomain": "svc.addon.example",
	                    "cloudServicesMailEnabled": true } ],
	    "rules": [ { "name": "via-addon", "fromScope": "InOrganization", "routeMessageOutboundConnector": "to-addon",
	                 "exceptIfHeaderContainsMessageHeader": "X-Gw-Done", "exceptIfHeaderContainsWords": ["true"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	addon := routeSummary{Connector: "to-addon", Rule: "via-addon", NextHop: smart("svc.addon.example"),
		TLS:            TLSRequirement{Settings: tenantgate.TLSDomainValidation, Domain: "svc.addon.example"},
		ConvertHeaders: true, Codes: []string{ReasonRuleMatch}}
	back := []string{ReasonRuleException, ReasonMX}
	runOutbound(t, d, []outboundCase{
		{name: "first pass goes to the service", source: "§7: the rule routes internal senders' mail to the add-on connector",
			from: fabrikamID, msg: OutboundMessage{MailFrom: "carol@fabrikam.com", Recipients: []string{"erin@woodgrove.example"}}, want: addon},
		{name: "returning message is not routed again", source: "scenario 36: with X-Gw-Done: true, delivered normally",
			from: fabrikamID, msg: OutboundMessage{MailFrom: "carol@fabrikam.com", Recipients: []string{"erin@woodgrove.example"}, Header: header(t, "X-Gw-Done: true")},
			want: routeSummary{NextHop: mx("woodgrove.example"), Codes: back}},
		{name: "header name and words compare case-insensitively", source: "rule.go: case-insensitive; header names are case-insensitive (RFC 5322 §1.2.2)",
			from: fabrikamID, msg: OutboundMessage{Recipients: []string{"erin@woodgrove.example"}, Header: header(t, "x-gw-done: processed=TRUE")},
			want: routeSummary{NextHop: mx("woodgrove.example"), Codes: back}},
		{name: "other header value does not stop the rule", source: "§7: the exception needs one of its words",
			from: fabrikamID, msg: OutboundMessage{Recipients: []string{"erin@woodgrove.example"}, Header: header(t, "X-Gw-Done: false", "X-Other: true")}, want: addon},
		{name: "internal recipient goes to the service too", source: "§7: the example rule has FromScope only, so it routes internal mail as well",
			from: fabrikamID, msg: to("bob@fabrikam.com"), want: addon},
		{name: "internal recipient after the service", source: "scenario 36: delivered normally, i.e. to the mailbox",
			from: fabrikamID, msg: OutboundMessage{Recipients: []string{"bob@fabrikam.com"}, Header: header(t, "X-Gw-Done: true")},
			want: routeSummary{NextHop: internal("fabrikam.com"), Codes: []string{ReasonRuleException, ReasonInternal}}},
		{name: "Internet sender is not in the organisation", source: "FromScope InOrganization fails; the rule-scoped connector is used only through a rule (§3)",
			from: fabrikamID, msg: OutboundMessage{Sender: classify.Relayed, MailFrom: "bob@sender.example", Recipients: []string{"erin@woodgrove.example"}},
			want: routeSummary{NextHop: mx("woodgrove.example"), Codes: []string{ReasonMX}}},
		{name: "on-premises sender in an accepted domain", source: "FromScope InOrganization: accepted domain over an authenticated (OnPremises) connection",
			from: fabrikamID, msg: OutboundMessage{Sender: classify.OnPremises, MailFrom: "app@fabrikam.com", Recipients: []string{"erin@woodgrove.example"}}, want: addon},
		{name: "on-premises sender in a foreign domain", source: "FromScope InOrganization needs an accepted sender domain",
			from: fabrikamID, msg: OutboundMessage{Sender: classify.OnPremises, MailFrom: "app@other.example", Recipients: []string{"erin@woodgrove.example"}},
			want: routeSummary{NextHop: mx("woodgrove.example"), Codes: []string{ReasonMX}}},
		{name: "on-premises null sender", source: "the null reverse-path has no domain, so it is not in the organisation",
			from: fabrikamID, msg: OutboundMessage{Sender: classify.OnPremises, MailFrom: "", Recipients: []string{"erin@woodgrove.example"}},
			want: routeSummary{NextHop: mx("woodgrove.example"), Codes: []string{ReasonMX}}},
	})
}

// TestOutboundGateway is docs/threat-model.md#deployment: a tenant whose outbound mail goes to the
// gateway, by a "*" Partner connector (contoso) or by a rule-scoped connector and a
// NotInOrganization rule (fabrikam), as in testdata/config/demo.json; plus scenario 34
// (MatchSubDomains).
func TestOutboundGateway(t *testing.T) {
	d := compile(t, `{
	  "tenants": [
	    { "id": "`+contosoID+`", "name": "contoso",
	      "acceptedDomains": [ { "name": "contoso.com" }, { "name": "sub.contoso.net", "domainType": "InternalRelay", "matchSubDomains": true },
	                           { "name": "relay.contoso.org", "domainType": "InternalRelay", "matchSubDomains": true } ],
	      "outbound": [
	        { "name": "to-gateway", "recipientDomains": ["*"], "smartHosts": ["gw.example.net"],
	          "tlsSettings": "DomainValidation", "tlsDomain": "gw.example.net" },
	        { "name": "to-onprem", "connectorType": "OnPremises", "recipientDomains": ["*.sub.contoso.net"], "smartHosts": ["onprem.contoso.net"],
	          "tlsSettings": "EncryptionOnly", "tlsDomain": "ignored.contoso.net" } ] },
	    { "id": "`+fabrikamID+`", "name": "fabrikam",
	      "acceptedDomains": [ { "name": "fabrikam.com" } ],
	      "outbound": [ { "name": "to-gateway", "isTransportRuleScoped": true, "smartHosts": ["gw.example.net"],
	                      "tlsSettings": "DomainValidation", "tlsDomain": "gw.example.net" } ],
	      "rules": [ { "name": "all-external-via-gateway", "fromScope": "InOrganization", "sentToScope": "NotInOrganization",
	                   "routeMessageOutboundConnector": "to-gateway",
	                   "exceptIfHeaderContainsMessageHeader": "X-Gateway-Done", "exceptIfHeaderContainsWords": ["yes"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	gw := smart("gw.example.net")
	dv := TLSRequirement{Settings: tenantgate.TLSDomainValidation, Domain: "gw.example.net"}
	runOutbound(t, d, []outboundCase{
		{name: "Internet recipient via the * connector", source: "docs/threat-model.md#deployment: RecipientDomains * sends all external mail to the gateway",
			msg: to("erin@woodgrove.example"), want: routeSummary{Connector: "to-gateway", NextHop: gw, TLS: dv, Codes: []string{ReasonConnectorMatch}}},
		{name: "another tenant is external", source: "§4: fabrikam.com is not an accepted domain of contoso",
			msg: to("carol@fabrikam.com"), want: routeSummary{Connector: "to-gateway", NextHop: gw, TLS: dv, Codes: []string{ReasonConnectorMatch}}},
		{name: "own accepted domain stays inside", source: "§3: a Partner connector serves external domains only, so * does not take contoso.com",
			msg: to("alice@contoso.com"), want: routeSummary{NextHop: internal("contoso.com"), Codes: []string{ReasonInternal}}},
		{name: "MatchSubDomains recipient to on-premises", source: "scenario 34: eu.sub.contoso.net routed to the *.sub.contoso.net connector",
			msg:  OutboundMessage{Sender: classify.Relayed, MailFrom: "bob@sender.example", Recipients: []string{"u@eu.sub.contoso.net"}},
			want: routeSummary{Connector: "to-onprem", NextHop: smart("onprem.contoso.net"), TLS: TLSRequirement{Settings: tenantgate.TLSEncryptionOnly}, Codes: []string{ReasonConnectorMatch}}},
		{name: "InternalRelay domain without a connector", source: "§4: InternalRelay delivers known recipients, relays the rest; no connector serves relay.contoso.org",
			msg: to("u@x.relay.contoso.org"), want: routeSummary{NextHop: internal("x.relay.contoso.org"), Codes: []string{ReasonInternalRelayNoRoute}}},
		{name: "rule routes external mail to the gateway", source: "demo fabrikam: FromScope InOrganization, SentToScope NotInOrganization",
			from: fabrikamID, msg: to("erin@woodgrove.example"),
			want: routeSummary{Connector: "to-gateway", Rule: "all-external-via-gateway", NextHop: gw, TLS: dv, Codes: []string{ReasonRuleMatch}}},
		{name: "rule does not take internal mail", source: "SentToScope NotInOrganization fails for fabrikam.com",
			from: fabrikamID, msg: to("bob@fabrikam.com"), want: routeSummary{NextHop: internal("fabrikam.com"), Codes: []string{ReasonInternal}}},
		{name: "gateway's marker stops the rule", source: "§7 loop guard with the demo's header X-Gateway-Done: yes",
			from: fabrikamID, msg: OutboundMessage{Recipients: []string{"erin@woodgrove.example"}, Header: header(t, "X-Gateway-Done: yes")},
			want: routeSummary{NextHop: mx("woodgrove.example"), Codes: []string{ReasonRuleException, ReasonMX}}},
	})
}

// TestOutboundCentralized covers RouteAllMessagesViaOnPremises
// (docs/exchange-online.md#outbound-connectors, #loops, #pitfalls).
func TestOutboundCentralized(t *testing.T) {
	cfg := func(cmtEnabled string) string {
		return `{
	  "tenants": [ { "id": "` + contosoID + `", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" } ],
	    "outbound": [
	      { "name": "cmt", "connectorType": "OnPremises", "enabled": ` + cmtEnabled + `, "routeAllMessagesViaOnPremises": true,
	        "recipientDomains": ["contoso.com"], "smartHosts": ["onprem.contoso.com"], "cloudServicesMailEnabled": true },
	      { "name": "partner", "recipientDomains": ["woodgrove.example"], "tlsSettings": "CertificateValidation" } ] } ],
	  "gateway": { "name": "gw.example.net" } }`
	}
	d := compile(t, cfg("true"))
	onprem := routeSummary{Connector: "cmt", Centralized: true, NextHop: smart("onprem.contoso.com"), ConvertHeaders: true, Codes: []string{ReasonCentralized}}
	partner := routeSummary{Connector: "partner", NextHop: mx("woodgrove.example"), TLS: TLSRequirement{Settings: tenantgate.TLSCertificateValidation}, Codes: []string{ReasonConnectorMatch}}
	runOutbound(t, d, []outboundCase{
		{name: "mailbox to the Internet goes on-premises", source: "§3: centralized transport sends Internet-bound cloud mail to on-premises, even with a matching Partner connector [INF]",
			msg: to("erin@woodgrove.example"), want: onprem},
		{name: "relayed Internet mail goes on-premises too", source: "§3 Loops: a gateway handing Internet mail to EXO gets it back",
			msg: OutboundMessage{Sender: classify.Relayed, MailFrom: "bob@sender.example", Recipients: []string{"x@other.example"}}, want: routeSummary{
				Connector: "cmt", Centralized: true, NextHop: smart("onprem.contoso.com"), ConvertHeaders: true, Codes: []string{ReasonCentralized}}},
		{name: "mail from on-premises is not sent back", source: "docs/exchange-online.md#pitfalls, item 3: no loop when EXO treats the sender as on-premises",
			msg: OutboundMessage{Sender: classify.OnPremises, MailFrom: "app@contoso.com", Recipients: []string{"erin@woodgrove.example"}}, want: partner},
		{name: "mail from on-premises without a connector", source: "§3: no connector matches: EXO's MX delivery",
			msg:  OutboundMessage{Sender: classify.OnPremises, MailFrom: "app@contoso.com", Recipients: []string{"x@other.example"}},
			want: routeSummary{NextHop: mx("other.example"), Codes: []string{ReasonMX}}},
		{name: "cloud mailbox to cloud mailbox stays internal", source: "transport-routing: \"Except for messages sent to other recipients in the same Exchange Online organization\"; no connector takes a cloud mailbox",
			msg: to("alice@contoso.com"), want: routeSummary{NextHop: internal("contoso.com"), Codes: []string{ReasonCloudMailbox, ReasonInternal}}},
		{name: "MOERA recipient delivered internally", source: "§4: contoso.onmicrosoft.com is accepted; no connector matches it",
			msg: to("alice@contoso.onmicrosoft.com"), want: routeSummary{NextHop: internal("contoso.onmicrosoft.com"), Codes: []string{ReasonInternal}}},
	})
	// A disabled centralized connector never applies: the Partner connector takes the mail.
	runOutbound(t, compile(t, cfg("false")), []outboundCase{
		{name: "disabled centralized connector", source: "connectors with Enabled $false never apply", msg: to("erin@woodgrove.example"), want: partner},
	})
}

// TestOutboundCentralizedInbound is issue 15 item 5: with centralized mail transport, Internet
// mail for a cloud mailbox goes on-premises first ("Since centralized mail transport is enabled,
// EOP routes the messages for both recipients to an on-premises Exchange server",
// https://learn.microsoft.com/exchange/transport-routing); the copy that comes back from
// on-premises is delivered; mail between cloud mailboxes stays internal. Before the fix the
// Internet copy was delivered internally (centralized transport concerned only recipients
// outside the organisation).
func TestOutboundCentralizedInbound(t *testing.T) {
	d := compile(t, `{
	  "tenants": [ { "id": "`+contosoID+`", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" } ],
	    "onPremises": { "recipients": ["julie@contoso.com"] },
	    "outbound": [
	      { "name": "Outbound to on-premises", "connectorType": "OnPremises", "routeAllMessagesViaOnPremises": true,
	        "recipientDomains": ["contoso.com"], "smartHosts": ["mail.contoso.com"], "cloudServicesMailEnabled": true } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	cmt := routeSummary{Connector: "Outbound to on-premises", Centralized: true, NextHop: smart("mail.contoso.com"), ConvertHeaders: true, Codes: []string{ReasonCentralized}}
	inbound := func(rcpt string) OutboundMessage {
		return OutboundMessage{Sender: classify.Relayed, MailFrom: "bob@sender.example", Recipients: []string{rcpt}}
	}
	runOutbound(t, d, []outboundCase{
		{name: "Internet mail for David's cloud mailbox goes on-premises", source: "transport-routing, centralized mail transport enabled, step 3",
			msg: inbound("david@contoso.com"), want: cmt},
		{name: "Internet mail for Julie's on-premises mailbox goes on-premises", source: "transport-routing, step 3: both recipients",
			msg: inbound("julie@contoso.com"), want: cmt},
		{name: "the copy on-premises sends back is delivered", source: "transport-routing, steps 6-8: EOP sends the copy on-premises returns to Exchange Online, which delivers it",
			msg:  OutboundMessage{Sender: classify.OnPremises, MailFrom: "bob@sender.example", Recipients: []string{"david@contoso.com"}},
			want: routeSummary{NextHop: internal("contoso.com"), Codes: []string{ReasonInternal}}},
		{name: "cloud mailbox to cloud mailbox", source: "transport-routing: except messages to recipients in the same Exchange Online organization",
			msg: to("david@contoso.com"), want: routeSummary{NextHop: internal("contoso.com"), Codes: []string{ReasonCloudMailbox, ReasonInternal}}},
		{name: "cloud mailbox to an on-premises mailbox", source: "transport-routing: all messages sent from recipients in Exchange Online go through on-premises",
			msg: to("Julie@Contoso.com"), want: cmt},
	})
	// KB 3194415: the centralized connector has RecipientDomains "*", and mail that came from
	// on-premises is still not routed back through it (Demystifying Centralized Mail Transport:
	// "it will not send the message back to Exchange on-premises if the message already came from
	// Exchange on-premises"). Before the fix "*" took it in step 3.
	star := compile(t, `{
	  "tenants": [ { "id": "`+contosoID+`", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" } ],
	    "outbound": [
	      { "name": "Outbound to on-premises", "connectorType": "OnPremises", "routeAllMessagesViaOnPremises": true,
	        "recipientDomains": ["*"], "smartHosts": ["mail.contoso.com"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	runOutbound(t, star, []outboundCase{
		{name: "KB 3194415: on-premises mail to the Internet is not sent back", source: "KB 3194415 (remote domain *, centralized transport)",
			msg:  OutboundMessage{Sender: classify.OnPremises, MailFrom: "app@contoso.com", Recipients: []string{"bill@tailspintoys.example"}},
			want: routeSummary{NextHop: mx("tailspintoys.example"), Codes: []string{ReasonMX}}},
		{name: "a cloud mailbox's Internet mail still goes on-premises", source: "transport-routing",
			msg: to("erin@woodgrove.example"), want: routeSummary{Connector: "Outbound to on-premises", Centralized: true, NextHop: smart("mail.contoso.com"), Codes: []string{ReasonCentralized}}},
	})
}

// TestOutboundCloudMailbox is issue 15 item 6: an outbound connector never takes a cloud mailbox
// (set-up-connectors-to-route-mail: connectors route "to mailboxes on your email server"). An
// OnPremises connector with RecipientDomains "*" and centralized transport off takes only
// recipients outside the organisation, listed on-premises recipients and InternalRelay
// recipients. Before the fix "*" took the cloud mailbox too (the loop of the seed article's own
// fix).
func TestOutboundCloudMailbox(t *testing.T) {
	d := compile(t, `{
	  "tenants": [ { "id": "`+contosoID+`", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" }, { "name": "onprem.contoso.com" }, { "name": "shared.contoso.net", "domainType": "InternalRelay" } ],
	    "onPremises": { "recipients": ["julie@contoso.com", "*.onprem.contoso.com"] },
	    "outbound": [ { "name": "to-gateway", "connectorType": "OnPremises", "recipientDomains": ["*"], "smartHosts": ["gw.example.net"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	gw := routeSummary{Connector: "to-gateway", NextHop: smart("gw.example.net"), Codes: []string{ReasonConnectorMatch}}
	inbound := func(rcpt string) OutboundMessage {
		return OutboundMessage{Sender: classify.OnPremises, MailFrom: "bob@sender.example", Recipients: []string{rcpt}}
	}
	runOutbound(t, d, []outboundCase{
		{name: "cloud mailbox", source: "no outbound connector takes a cloud mailbox",
			msg: inbound("alice@contoso.com"), want: routeSummary{NextHop: internal("contoso.com"), Codes: []string{ReasonCloudMailbox, ReasonInternal}}},
		{name: "listed mail user", source: "onPremises.recipients lists julie: her mailbox is on the email server",
			msg: inbound("julie@contoso.com"), want: gw},
		{name: "a listed domain pattern", source: "onPremises.recipients *.onprem.contoso.com covers the accepted domain onprem.contoso.com",
			msg: inbound("x@onprem.contoso.com"), want: gw},
		{name: "InternalRelay recipient", source: "InternalRelay: recipients without a cloud mailbox are routed by connector",
			msg: inbound("x@shared.contoso.net"), want: gw},
		{name: "external recipient", source: "RecipientDomains *",
			msg: inbound("erin@woodgrove.example"), want: gw},
	})
}

// TestOutboundInternalRelayMX: an InternalRelay recipient without a mailbox in the tenant and
// without a connector goes to its domain's MX (https://www.a6n.co.uk/2025/07/exchange-hybrid-mail-loops-when-your.html:
// a domain missing from the hybrid connector was sent to its third-party MX, "554 5.4.14 Hop count
// exceeded"); with the domain on the connector it takes the connector. Before the fix the copy
// was delivered internally.
func TestOutboundInternalRelayMX(t *testing.T) {
	cfg := func(domains string) string {
		return `{
	  "tenants": [ { "id": "` + contosoID + `", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com", "domainType": "InternalRelay" }, { "name": "fairies.example", "domainType": "InternalRelay" } ],
	    "onPremises": { "recipients": ["contoso.com", "fairies.example"] },
	    "outbound": [ { "name": "hybrid", "connectorType": "OnPremises", "recipientDomains": [` + domains + `], "smartHosts": ["mail.contoso.com"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`
	}
	hybrid := routeSummary{Connector: "hybrid", NextHop: smart("mail.contoso.com"), Codes: []string{ReasonConnectorMatch}}
	runOutbound(t, compile(t, cfg(`"contoso.com"`)), []outboundCase{
		{name: "domain on the hybrid connector", source: "a6n: the other domains \"are included in my hybrid connector\" and work",
			msg: to("julie@contoso.com"), want: hybrid},
		{name: "domain missing from the connector goes to its MX", source: "a6n: \"only to lookup the MX record\"",
			msg: to("fay@fairies.example"), want: routeSummary{NextHop: mx("fairies.example"), Codes: []string{ReasonInternalRelayMX}}},
	})
	runOutbound(t, compile(t, cfg(`"contoso.com", "fairies.example"`)), []outboundCase{
		{name: "fixed: the domain added to the connector", source: "a6n: the fix adds the domain to the hybrid connector",
			msg: to("fay@fairies.example"), want: hybrid},
	})
}

// TestOutboundSelection covers disabled connectors and rules, rule-scoped connectors without a
// rule, wildcard length, ties and bad input.
func TestOutboundSelection(t *testing.T) {
	d := compile(t, `{
	  "tenants": [ { "id": "`+contosoID+`", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" } ],
	    "outbound": [
	      { "name": "exact-off", "enabled": false, "recipientDomains": ["partner.example"], "smartHosts": ["off.example"] },
	      { "name": "scoped", "isTransportRuleScoped": true, "recipientDomains": ["partner.example"], "smartHosts": ["scoped.example"] },
	      { "name": "wild-short", "recipientDomains": ["*.example"], "smartHosts": ["short.example"] },
	      { "name": "wild-long", "recipientDomains": ["*.partner.example"], "smartHosts": ["long.example"] },
	      { "name": "all-1", "recipientDomains": ["*"], "smartHosts": ["all1.example"] },
	      { "name": "all-2", "recipientDomains": ["*"], "smartHosts": ["all2.example"] },
	      { "name": "rule-target-off", "enabled": false, "isTransportRuleScoped": true, "smartHosts": ["x.example"] } ],
	    "rules": [
	      { "name": "off-rule", "enabled": false, "routeMessageOutboundConnector": "scoped" },
	      { "name": "to-disabled", "sentToScope": "NotInOrganization", "routeMessageOutboundConnector": "rule-target-off" } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	off := ReasonRuleConnectorOff
	runOutbound(t, d, []outboundCase{
		{name: "disabled exact connector, longest wildcard wins", source: "§3: disabled connectors never apply; *.partner.example covers partner.example and beats *.example",
			msg: to("a@partner.example"), want: routeSummary{Connector: "wild-long", NextHop: smart("long.example"), Codes: []string{off, ReasonConnectorMatch}}},
		{name: "subdomain of the long wildcard", source: "§3: *.x matches all subdomains; the longer base is more specific",
			msg: to("a@x.partner.example"), want: routeSummary{Connector: "wild-long", NextHop: smart("long.example"), Codes: []string{off, ReasonConnectorMatch}}},
		{name: "short wildcard", source: "§3: only *.example and * match other.example",
			msg: to("a@other.example"), want: routeSummary{Connector: "wild-short", NextHop: smart("short.example"), Codes: []string{off, ReasonConnectorMatch}}},
		{name: "tie goes to the first connector", source: "our tie-break: configuration order (Get-OutboundConnector order)",
			msg: to("a@other.test"), want: routeSummary{Connector: "all-1", NextHop: smart("all1.example"), Codes: []string{off, ReasonConnectorMatch}}},
		{name: "internal recipient", source: "§3: Partner connectors do not serve accepted domains; the rule's SentToScope fails",
			msg: to("a@contoso.com"), want: routeSummary{NextHop: internal("contoso.com"), Codes: []string{ReasonInternal}}},
		{name: "invalid recipient", source: "bad input is not routed",
			msg: to("no-at-sign"), want: routeSummary{Codes: []string{ReasonRcptInvalid}}},
		{name: "empty recipient", source: "bad input is not routed",
			msg: to(""), want: routeSummary{Codes: []string{ReasonRcptInvalid}}},
	})
}

func TestOutboundUnknownTenant(t *testing.T) {
	d := compile(t, `{ "tenants": [ { "id": "`+contosoID+`", "name": "contoso" } ], "gateway": { "name": "gw.example.net" } }`)
	m := OutboundMessage{Recipients: []string{"a@contoso.com", "b@woodgrove.example"}}
	for _, dir := range []*tenantgate.Directory{d, nil} {
		dec := Outbound(dir, tenantgate.MustParseTenantID(fabrikamID), m, OutboundOptions{})
		want := OutboundDecision{
			Tenant: tenantgate.MustParseTenantID(fabrikamID),
			Recipients: []RecipientRoute{
				{Rcpt: "a@contoso.com", Reasons: []tenantgate.Reason{{Code: ReasonTenantUnknown, Detail: "tenant " + fabrikamID + " is not in the directory"}}},
				{Rcpt: "b@woodgrove.example", Reasons: []tenantgate.Reason{{Code: ReasonTenantUnknown, Detail: "tenant " + fabrikamID + " is not in the directory"}}},
			},
			Reasons: []tenantgate.Reason{{Code: ReasonTenantUnknown, Detail: "tenant " + fabrikamID + " is not in the directory"}},
		}
		if diff := cmp.Diff(want, dec); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}

// TestOutboundMultipleRecipients checks that each recipient is routed on its own, in order.
func TestOutboundMultipleRecipients(t *testing.T) {
	d := compile(t, `{
	  "tenants": [ { "id": "`+contosoID+`", "name": "contoso", "acceptedDomains": [ { "name": "contoso.com" } ],
	    "outbound": [ { "name": "to-gateway", "recipientDomains": ["*"], "smartHosts": ["gw.example.net"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	dec := Outbound(d, tenantgate.MustParseTenantID(contosoID), OutboundMessage{Recipients: []string{"erin@woodgrove.example", "alice@contoso.com", "x"}}, OutboundOptions{})
	var got []string
	for _, r := range dec.Recipients {
		got = append(got, r.Rcpt+" → "+r.Connector+" "+r.NextHop.String())
	}
	want := []string{"erin@woodgrove.example → to-gateway gw.example.net", "alice@contoso.com →  internal delivery in contoso.com", "x →  none"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNextHopString(t *testing.T) {
	tests := []struct {
		h    OutboundHop
		want string
	}{
		{smart("a.example", "192.0.2.1"), "a.example, 192.0.2.1"},
		{mx("woodgrove.example"), "MX of woodgrove.example"},
		{internal("contoso.com"), "internal delivery in contoso.com"},
		{OutboundHop{}, "none"},
	}
	for _, tc := range tests {
		if got := tc.h.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.h, got, tc.want)
		}
	}
}
