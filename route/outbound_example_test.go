package route_test

import (
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/route"
)

// A tenant that sends Internet mail through a gateway with a rule-scoped connector, and the
// gateway's marker header that keeps the returning message from looping
// (docs/exchange-online.md#third-party-gateways, docs/exchange-online.md#scenario-36).
func ExampleOutbound() {
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
	  "tenants": [ { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
	    "acceptedDomains": [ { "name": "fabrikam.com" } ],
	    "outbound": [ { "name": "to-gateway", "isTransportRuleScoped": true, "smartHosts": ["gw.example.net"],
	                    "tlsSettings": "DomainValidation", "tlsDomain": "gw.example.net" } ],
	    "rules": [ { "name": "external-via-gateway", "fromScope": "InOrganization", "sentToScope": "NotInOrganization",
	                 "routeMessageOutboundConnector": "to-gateway",
	                 "exceptIfHeaderContainsMessageHeader": "X-Gateway-Done", "exceptIfHeaderContainsWords": ["yes"] } ] } ],
	  "gateway": { "name": "gw.example.net", "serves": ["22222222-2222-2222-2222-222222222222"] } }`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fabrikam := tenantgate.MustParseTenantID("22222222-2222-2222-2222-222222222222")

	// A mailbox writes to the Internet and to a colleague.
	dec := route.Outbound(d, fabrikam, route.OutboundMessage{
		MailFrom:   "carol@fabrikam.com",
		Recipients: []string{"erin@woodgrove.example", "bob@fabrikam.com"},
	}, route.OutboundOptions{})
	for _, r := range dec.Recipients {
		tls := "opportunistic"
		if r.TLS.Settings != tenantgate.TLSOpportunistic {
			tls = strings.TrimSpace(string(r.TLS.Settings) + " " + string(r.TLS.Domain))
		}
		fmt.Printf("%s: connector %q, next hop %s, TLS %s\n", r.Rcpt, r.Connector, r.NextHop, tls)
	}

	// The gateway hands the message back with its marker: Exchange Online delivers it itself.
	var h textproto.Header
	h.Add("X-Gateway-Done", "yes")
	dec = route.Outbound(d, fabrikam, route.OutboundMessage{MailFrom: "carol@fabrikam.com", Recipients: []string{"erin@woodgrove.example"}, Header: h}, route.OutboundOptions{})
	r := dec.Recipients[0]
	fmt.Printf("%s: connector %q, next hop %s\n", r.Rcpt, r.Connector, r.NextHop)
	for _, why := range r.Reasons {
		fmt.Println(" ", why.Code)
	}
	// Output:
	// erin@woodgrove.example: connector "to-gateway", next hop gw.example.net, TLS DomainValidation gw.example.net
	// bob@fabrikam.com: connector "", next hop internal delivery in fabrikam.com, TLS opportunistic
	// erin@woodgrove.example: connector "", next hop MX of woodgrove.example
	//   outbound.rule.exception
	//   outbound.mx
}

func ExampleSmartHostFor() {
	for _, d := range []tenantgate.Domain{"contoso.com", "my-company.co.uk", "fabrikam.onmicrosoft.com"} {
		fmt.Println(route.SmartHostFor(d))
	}
	fmt.Println(route.IsEXOHost("contoso-com.mail.protection.outlook.com"), route.IsEXOHost("gw.example.net"))
	// Output:
	// contoso-com.mail.protection.outlook.com
	// my-company-co-uk.mail.protection.outlook.com
	// fabrikam.mail.protection.outlook.com
	// true false
}
