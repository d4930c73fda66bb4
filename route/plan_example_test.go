package route_test

import (
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/route"
	"github.com/tenantgate/tenantgate/tlsid"
)

func demoDirectory() *tenantgate.Directory {
	f, err := os.Open("../testdata/config/demo.json")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	c, err := tenantgate.LoadConfig(f)
	if err != nil {
		panic(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		panic(err)
	}
	return d
}

// A contoso mailbox writes to an Internet recipient and to fabrikam, which the same gateway
// serves. The Internet recipient goes to its MX with the Internet identity; fabrikam's goes
// straight to fabrikam's Exchange Online host with fabrikam's certificate.
func ExamplePlan_Next() {
	d := demoDirectory()
	plan, err := route.NewPlan(d)
	if err != nil {
		panic(err)
	}
	policy, err := classify.NewPolicy(d, classify.PolicyConfig{})
	if err != nil {
		panic(err)
	}
	var h textproto.Header
	h.Add("From", "carol@contoso.com")
	h.Add("X-MS-Exchange-CrossTenant-FromEntityHeader", "Hosted")
	h.Add("X-MS-Exchange-CrossTenant-AuthAs", "Internal")
	h.Add("X-MS-Exchange-CrossTenant-Id", "11111111-1111-1111-1111-111111111111")
	exo := classify.Session{
		RemoteAddr: netip.MustParseAddr("40.107.22.10"),
		TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}},
	}
	rcpts := []string{"erin@sender.example", "frank@fabrikam.com"}
	v := policy.Decide(classify.Transaction{Session: exo, MailFrom: "carol@contoso.com", RcptTo: rcpts, Header: h})
	for _, r := range rcpts {
		hop := plan.Next(v, r)
		fmt.Printf("%s: %s host=%q identity=%s requireTLS=%v verify=%v\n", r, hop.Kind, hop.Host, hop.Identity, hop.RequireTLS, hop.VerifyNames)
	}
	// Output:
	// erin@sender.example: internet host="" identity=internet requireTLS=false verify=[]
	// frank@fabrikam.com: tenant host="fabrikam-com.mail.protection.outlook.com" identity=fabrikam requireTLS=true verify=[fabrikam-com.mail.protection.outlook.com]
}

// NewPlan refuses a gateway whose identity for contoso carries a certificate name contoso's
// inbound connector does not expect: Exchange Online would never recognise the gateway.
func ExampleNewPlan() {
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
	  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
	    "acceptedDomains": [ { "name": "contoso.com" } ],
	    "inbound": [ { "name": "from-gateway", "tlsSenderCertificateName": "contoso.gw.example.net",
	                   "restrictDomainsToCertificate": true } ] } ],
	  "gateway": { "name": "gw.example.net", "serves": [ "11111111-1111-1111-1111-111111111111" ],
	    "identities": [ { "name": "contoso", "certNames": [ "gw.example.net" ],
	                      "for": "11111111-1111-1111-1111-111111111111" } ] } }`))
	if err != nil {
		panic(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		panic(err)
	}
	_, err = route.NewPlan(d)
	fmt.Println(err)
	// Output:
	// route: tenant 11111111-1111-1111-1111-111111111111 (contoso): identity "contoso" (certificate names [gw.example.net]) matches none of the inbound connector certificate names [contoso.gw.example.net (from-gateway)]
}
