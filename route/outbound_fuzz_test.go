package route

import (
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// FuzzOutbound routes arbitrary envelopes and a marker header through a tenant with every kind
// of connector and rule. Invariants: no panic; one route per recipient, in order; disabled
// connectors never chosen; rule-scoped connectors only through a rule; Partner connectors never
// for an accepted domain; every route ends with a hop reason or none for an invalid recipient.
func FuzzOutbound(f *testing.F) {
	d := compile(f, `{
	  "tenants": [ { "id": "`+contosoID+`", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" }, { "name": "sub.contoso.net", "domainType": "InternalRelay", "matchSubDomains": true } ],
	    "outbound": [
	      { "name": "off", "enabled": false, "recipientDomains": ["*"], "smartHosts": ["off.example"] },
	      { "name": "scoped", "connectorType": "OnPremises", "isTransportRuleScoped": true, "smartHosts": ["svc.example"] },
	      { "name": "partner", "recipientDomains": ["*.example", "contoso.com"], "smartHosts": ["gw.example.net"] },
	      { "name": "onprem", "connectorType": "OnPremises", "allAcceptedDomains": true, "recipientDomains": ["*.sub.contoso.net"], "smartHosts": ["onprem.contoso.com"] },
	      { "name": "cmt", "connectorType": "OnPremises", "routeAllMessagesViaOnPremises": true, "recipientDomains": ["contoso.com"], "smartHosts": ["onprem.contoso.com"] } ],
	    "rules": [ { "name": "r", "fromScope": "InOrganization", "sentToScope": "NotInOrganization", "routeMessageOutboundConnector": "scoped",
	                 "exceptIfHeaderContainsMessageHeader": "X-Done", "exceptIfHeaderContainsWords": ["yes"] } ] } ],
	  "gateway": { "name": "gw.example.net" } }`)
	t0, _ := d.Tenant(tenantgate.MustParseTenantID(contosoID))
	byName := map[string]*tenantgate.OutboundConnector{}
	for i := range t0.Outbound {
		byName[t0.Outbound[i].Name] = &t0.Outbound[i]
	}
	f.Add("carol@contoso.com", "mailbox", "erin@woodgrove.example", "u@eu.sub.contoso.net", "yes")
	f.Add("", "on-premises", "a@contoso.com", "<b@x.example>", "")
	f.Add("bob@sender.example", "relayed", "\"q@x\"@contoso.com", "@a,@b:c@d.example", "no")
	f.Fuzz(func(t *testing.T, mailFrom, kind, rcpt1, rcpt2, marker string) {
		var h textproto.Header
		if marker != "" {
			h.Add("X-Done", marker)
		}
		m := OutboundMessage{MailFrom: mailFrom, Sender: classify.Kind(kind), Recipients: []string{rcpt1, rcpt2}, Header: h}
		dec := Outbound(d, t0.ID, m, OutboundOptions{})
		if len(dec.Recipients) != 2 {
			t.Fatalf("%d routes for 2 recipients", len(dec.Recipients))
		}
		for i, r := range dec.Recipients {
			if r.Rcpt != m.Recipients[i] {
				t.Fatalf("route %d is for %q, want %q", i, r.Rcpt, m.Recipients[i])
			}
			if len(r.Reasons) == 0 {
				t.Fatalf("route for %q has no reasons", r.Rcpt)
			}
			last := r.Reasons[len(r.Reasons)-1].Code
			dom, err := tenantgate.AddressDomain(r.Rcpt)
			if err != nil {
				if r.NextHop.Kind != OutboundNone || last != ReasonRcptInvalid {
					t.Fatalf("invalid recipient %q routed: %+v", r.Rcpt, r)
				}
				continue
			}
			if r.NextHop.Kind == OutboundNone {
				t.Fatalf("valid recipient %q not routed: %+v", r.Rcpt, r)
			}
			if r.Connector == "" {
				continue
			}
			c := byName[r.Connector]
			switch {
			case c == nil:
				t.Fatalf("unknown connector %q", r.Connector)
			case !c.IsEnabled():
				t.Fatalf("disabled connector %q chosen for %q", c.Name, r.Rcpt)
			case c.IsTransportRuleScoped && (r.Rule == "" || last != ReasonRuleMatch):
				t.Fatalf("rule-scoped connector %q chosen without a rule for %q", c.Name, r.Rcpt)
			case c.Type() == tenantgate.ConnectorPartner && r.Rule == "" && d.Accepts(t0.ID, dom):
				t.Fatalf("Partner connector %q chosen for accepted domain %s", c.Name, dom)
			}
		}
	})
}
