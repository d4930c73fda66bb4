package classify_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/tlsid"
)

// ExampleAttribute: an application on an on-premises server relays through contoso's OnPremises
// connector, identified by the certificate mail.eu.contoso.com, sending as vendor.example (so
// MAIL FROM cannot carry the relay). The certificate domain is the name or its parent
// (KB 4019940: for hostname.subdomain.contoso.com "add only subdomain.contoso.com"):
//   - with only contoso.com accepted, the June 2025 reading refuses the connection with 5.7.51;
//     the older reading (CertificateNameMailFromFallback) refuses the relay with 5.7.64 ATTR36,
//     after DATA;
//   - once eu.contoso.com is accepted, the message is Originating and relayed.
func ExampleAttribute() {
	for _, tc := range []struct {
		accepted string
		o        classify.AttributeOptions
	}{
		{`{ "name": "contoso.com" }`, classify.AttributeOptions{}},
		{`{ "name": "contoso.com" }`, classify.AttributeOptions{CertificateNameMailFromFallback: true}},
		{`{ "name": "contoso.com" }, { "name": "eu.contoso.com" }`, classify.AttributeOptions{}},
	} {
		cfg, _ := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ ` + tc.accepted + ` ],
      "inbound": [ { "name": "onprem", "connectorType": "OnPremises", "tlsSenderCertificateName": "mail.eu.contoso.com" } ] } ],
  "gateway": { "name": "gw.example.net" } }`))
		d, err := tenantgate.Compile(cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		a := classify.Attribute(d, classify.Connection{
			RemoteAddr: netip.MustParseAddr("192.0.2.10"),
			TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.eu.contoso.com"}},
			MailFrom:   "app@vendor.example", RcptTo: []string{"x@gmail.com"},
		}, tc.o)
		r := a.Recipients[0]
		fmt.Printf("%s|%s|%s|%s\n", r.Direction, r.Method, r.Phase, r.Reply.Enhanced)
	}
	// Output:
	// |certificate|rcpt|5.7.51
	// ||data|5.7.64
	// Originating|certificate|rcpt|2.1.5
}
