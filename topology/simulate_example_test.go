package topology_test

import (
	"fmt"

	"github.com/tenantgate/tenantgate/topology"
)

// An Internet sender writes to contoso, whose MX points at the gateway (the default DNS of the
// simulation): the gateway takes the mail as inbound for contoso and delivers it to contoso's
// Exchange Online host with contoso's certificate; Exchange Online matches the Partner connector
// by that certificate and delivers the mail to the mailbox.
func ExampleSimulate() {
	d := demoDirectory()
	tr := topology.Simulate(d, topology.Injection{
		Origin: topology.PartyInternet,
		From:   "bob@sender.example",
		To:     []string{"alice@contoso.com"},
	}, topology.Options{})
	for _, s := range tr.Steps {
		fmt.Printf("%d %s -> %s:%s %s %v\n", s.N, s.From.Kind, s.To.Kind, s.To.Name, s.Decision, s.Certificate)
	}
	fmt.Println(tr.Outcome, tr.DeliveredTo())
	// Output:
	// 1 internet -> gateway:gw.example.net accept []
	// 2 gateway -> exchange:contoso accept [contoso.gw.example.net]
	// 3 exchange -> mailbox:contoso deliver []
	// delivered [alice@contoso.com]
}

// A contoso mailbox writes to woodgrove, another Office 365 tenant the gateway does not serve.
// Exchange Online routes the mail to the gateway; the gateway relays it to woodgrove's MX —
// woodgrove's own Exchange Online host — presenting the Internet identity, which carries no
// certificate, so woodgrove's Exchange Online attributes it by recipient, not to contoso.
func ExampleSimulate_otherTenant() {
	d := demoDirectory()
	tr := topology.Simulate(d, topology.Injection{
		Origin: topology.PartyMailbox,
		From:   "carol@contoso.com",
		To:     []string{"erin@woodgrove.example"},
	}, topology.Options{})
	for _, s := range tr.Steps {
		fmt.Printf("%d %s:%s -> %s:%s %s identity=%q\n", s.N, s.From.Kind, s.From.Name, s.To.Kind, s.To.Name, s.Stage, s.Identity)
	}
	fmt.Println(tr.Outcome)
	// Output:
	// 1 mailbox:contoso -> exchange:contoso submit identity=""
	// 2 exchange:contoso -> gateway:gw.example.net exchange-route identity=""
	// 3 exchange:contoso -> gateway:gw.example.net gateway identity=""
	// 4 gateway:gw.example.net -> exchange:woodgrove exchange-ingress identity="internet"
	// 5 exchange:woodgrove -> mailbox:woodgrove exchange-route identity=""
	// delivered
}
