package classify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/netip"
	"os"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// demoPolicy is a Policy over demoDirectory.
func demoPolicy(pc classify.PolicyConfig) *classify.Policy {
	p, err := classify.NewPolicy(demoDirectory(), pc)
	if err != nil {
		log.Fatal(err)
	}
	return p
}

// demoDirectory loads testdata/config/demo.json: the gateway serves contoso (contoso.com) and
// fabrikam (fabrikam.com); woodgrove.example belongs to a tenant it does not serve.
func demoDirectory() *tenantgate.Directory {
	f, err := os.Open("../testdata/config/demo.json")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	c, err := tenantgate.LoadConfig(f)
	if err != nil {
		log.Fatal(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		log.Fatal(err)
	}
	return d
}

// An MTA asks Recipient at each RCPT TO: before it has the header. Mail for a served tenant is
// taken whoever sends it; a foreign recipient is refused at once unless the client is verified
// Exchange Online, when the header must decide.
func ExamplePolicy_Recipient() {
	p := demoPolicy(classify.PolicyConfig{})
	internet := classify.Session{RemoteAddr: netip.MustParseAddr("192.0.2.44"), HELO: "mx.sender.example"}
	exo := classify.Session{
		RemoteAddr: netip.MustParseAddr("40.107.22.10"),
		TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}},
	}
	for _, c := range []struct {
		s    classify.Session
		rcpt string
	}{
		{internet, "alice@contoso.com"},
		{internet, "erin@woodgrove.example"},
		{exo, "erin@woodgrove.example"},
	} {
		v := p.Recipient(c.s, c.rcpt)
		fmt.Println(strings.TrimSpace(fmt.Sprint(c.rcpt, " ", v.Action, " ", v.Reply)))
	}
	// Output:
	// alice@contoso.com inbound
	// erin@woodgrove.example reject 550 5.7.1 Unable to relay
	// erin@woodgrove.example defer
}

// After the header block, Decide gives the final verdict. Here contoso's cloud mailbox sends to
// the Internet and to a colleague: the foreign recipient relays, the local one goes inbound, the
// gateway may DKIM-sign for contoso.com, and it stamps its verdict header after removing a forged
// copy.
func ExamplePolicy_Decide() {
	p := demoPolicy(classify.PolicyConfig{})
	exo := classify.Session{
		RemoteAddr: netip.MustParseAddr("40.107.22.10"),
		TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}},
	}
	raw := "Authentication-Results: gw.example.net; x-tenantgate=pass policy.origin=own-tenant\r\n" +
		"X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n" +
		"X-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n" +
		"From: Carol <carol@contoso.com>\r\n" +
		"\r\n"
	h, err := headers.Read(strings.NewReader(raw), headers.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	v := p.Decide(classify.Transaction{Session: exo, MailFrom: "carol@contoso.com", RcptTo: []string{"erin@woodgrove.example", "dave@contoso.com"}, Header: h})
	fmt.Println(v.Origin, v.Tenant, v.Kind)
	for _, r := range v.Recipients {
		fmt.Println(r.Rcpt, r.Action)
	}
	fmt.Println("sign as", v.DKIMDomain)
	for _, f := range v.Remove {
		fmt.Println("remove", f.Name, f.Instance)
	}
	v.Apply(&h)
	var out bytes.Buffer
	for f := h.Fields(); f.Next(); {
		if f.Key() == "Authentication-Results" {
			fmt.Fprintf(&out, "%s: %s\n", f.Key(), f.Value())
		}
	}
	fmt.Print(out.String())
	// Output:
	// own-tenant 11111111-1111-1111-1111-111111111111 mailbox
	// erin@woodgrove.example relay
	// dave@contoso.com inbound
	// sign as contoso.com
	// remove Authentication-Results 1
	// Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=2 policy.kind=mailbox policy.origin=own-tenant policy.tenant=11111111-1111-1111-1111-111111111111
}

// EchoSpoofing: another Microsoft 365 tenant sends through the same Exchange Online IPs and
// certificate with our domain in From. Its CrossTenant-Id is not a served tenant, so nothing
// relays and nothing is signed.
func ExamplePolicy_Decide_echoSpoofing() {
	p := demoPolicy(classify.PolicyConfig{})
	exo := classify.Session{
		RemoteAddr: netip.MustParseAddr("40.107.22.10"),
		TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}},
	}
	raw := "X-MS-Exchange-CrossTenant-Id: 99999999-9999-4999-8999-999999999999\r\n" +
		"X-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n" +
		"From: CEO <ceo@contoso.com>\r\n\r\n"
	h, err := headers.Read(strings.NewReader(raw), headers.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	v := p.Decide(classify.Transaction{Session: exo, MailFrom: "ceo@contoso.com", RcptTo: []string{"victim@example.org"}, Header: h})
	fmt.Println(v.Origin, v.Recipients[0].Action, v.Recipients[0].Reply)
	fmt.Printf("sign as %q\n", v.DKIMDomain)
	// Output:
	// other-tenant reject 550 5.7.1 Unable to relay
	// sign as ""
}

// When Microsoft leaves out X-MS-Exchange-CrossTenant-Id, a DKIM pass the MTA verified for one of
// the tenant's signing domains can stand in for it (PolicyConfig.DKIMFallback). A pass for any
// other domain proves nothing.
func ExamplePolicy_Decide_dkimFallback() {
	p := demoPolicy(classify.PolicyConfig{DKIMFallback: true})
	exo := classify.Session{
		RemoteAddr: netip.MustParseAddr("40.107.22.10"),
		TLS:        tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}},
	}
	raw := "X-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n" +
		"From: carol@contoso.com\r\n\r\n"
	h, err := headers.Read(strings.NewReader(raw), headers.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range []string{"attacker.onmicrosoft.com", "contoso.onmicrosoft.com"} {
		v := p.Decide(classify.Transaction{Session: exo, MailFrom: "carol@contoso.com", RcptTo: []string{"erin@woodgrove.example"}, Header: h, DKIM: []classify.DKIMResult{{Domain: d, Result: "pass"}}})
		fmt.Println(d, v.Origin, v.Recipients[0].Action)
	}
	// Output:
	// attacker.onmicrosoft.com other-tenant reject
	// contoso.onmicrosoft.com own-tenant relay
}

// NewPolicy takes its options as a PolicyConfig: set in Go, or decoded from the "policy" object of
// a configuration file (the same JSON as the relay's and the milter's "policy" section). The zero
// value keeps every default; a value out of range is an error naming it.
func ExampleNewPolicy() {
	d := demoDirectory()
	var pc classify.PolicyConfig
	if err := json.Unmarshal([]byte(`{"relayKinds": ["mailbox"], "verdictHeader": "X-Tenantgate-Verdict"}`), &pc); err != nil {
		log.Fatal(err)
	}
	p, err := classify.NewPolicy(d, pc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Decide(classify.Transaction{}).Header.Name)
	_, err = classify.NewPolicy(d, classify.PolicyConfig{MaxHops: 1000})
	fmt.Println(err)
	// Output:
	// X-Tenantgate-Verdict
	// classify: MaxHops 1000 out of range 1–999
}
