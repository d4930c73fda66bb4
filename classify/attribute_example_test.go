package classify_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/tlsid"
)

// ExampleAttribute: an on-premises server relays through contoso's OnPremises connector,
// identified by its certificate mail.contoso.com. The certificate domain is not an accepted
// domain, so the 2023 rule lets the message out only because MAIL FROM is contoso.com; the
// application sending as vendor.example is refused.
func ExampleAttribute() {
	cfg, _ := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" } ],
      "inbound": [ { "name": "onprem", "connectorType": "OnPremises", "tlsSenderCertificateName": "mail.contoso.com" } ] } ],
  "gateway": { "name": "gw.example.net" } }`))
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	cert := tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.contoso.com"}}
	for _, from := range []string{"a@contoso.com", "app@vendor.example"} {
		a := classify.Attribute(d, classify.Connection{
			RemoteAddr: netip.MustParseAddr("192.0.2.10"), TLS: cert,
			MailFrom: from, RcptTo: []string{"x@gmail.com"},
		}, classify.AttributeOptions{})
		r := a.Recipients[0]
		fmt.Printf("%s: %s %s %s\n", from, r.Direction, r.Method, r.Reply)
	}
	// Output:
	// a@contoso.com: Originating certificate 250 2.1.5 Recipient OK
	// app@vendor.example:   550 5.7.64 TenantAttribution; Relay Access Denied
}
