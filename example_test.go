package tenantgate_test

import (
	"fmt"
	"strings"

	"github.com/tenantgate/tenantgate"
)

func ExampleCompile() {
	c, err := tenantgate.LoadConfig(strings.NewReader(`{
	  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
	                 "acceptedDomains": [ { "name": "contoso.com" },
	                   { "name": "sub.contoso.net", "domainType": "InternalRelay", "matchSubDomains": true } ] } ],
	  "gateway": { "name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"] } }`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []string{"contoso.com", "eu.sub.contoso.net", "contoso.onmicrosoft.com", "mail.contoso.com"} {
		if t, ad, ok := d.Owner(tenantgate.MustParseDomain(s)); ok {
			fmt.Printf("%s: %s (via %s)\n", s, t.Name, ad.Name)
		} else {
			fmt.Printf("%s: no tenant\n", s)
		}
	}
	// Output:
	// contoso.com: contoso (via contoso.com)
	// eu.sub.contoso.net: contoso (via sub.contoso.net)
	// contoso.onmicrosoft.com: contoso (via contoso.onmicrosoft.com)
	// mail.contoso.com: no tenant
}

func ExampleCompile_errors() {
	c, _ := tenantgate.LoadConfig(strings.NewReader(`{
	  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
	                 "inbound": [ { "name": "onprem", "connectorType": "OnPremises",
	                                "senderIPAddresses": ["192.0.2.0/23"] } ] } ],
	  "gateway": { "name": "gw.example.net", "serves": ["22222222-2222-2222-2222-222222222222"] } }`))
	_, err := tenantgate.Compile(c)
	fmt.Println(err)
	// Output:
	// tenantgate: 2 configuration errors
	//   tenants[0].inbound[0].senderIPAddresses[0]: /23 is wider than Exchange Online allows (/24–/32)
	//   gateway.serves[0]: 22222222-2222-2222-2222-222222222222 is not a tenant of this configuration; add it under tenants
}
