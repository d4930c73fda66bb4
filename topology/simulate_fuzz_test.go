package topology

import (
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/route"
)

// FuzzSimulate moves arbitrary injections through the demo topology and checks the invariants:
// no panic; one result per recipient; no path longer than MaxSteps plus the loop step; and fail
// closed — the gateway never sends Internet mail, or mail of a tenant it does not serve, to the
// Internet (docs/threat-model.md#trust-rules, #threat-1, #threat-3, #threat-34).
func FuzzSimulate(f *testing.F) {
	d := loadConfigFile(f, "../testdata/config/demo.json")
	f.Add(uint8(0), uint8(0), "bob@sender.example", "alice@contoso.com", "erin@woodgrove.example", "")
	f.Add(uint8(1), uint8(0), "carol@contoso.com", "dave@sender.example", "frank@fabrikam.com", "")
	f.Add(uint8(1), uint8(0), "erin@woodgrove.example", "dave@sender.example", "alice@contoso.com", "")
	f.Add(uint8(2), uint8(0), "app@contoso.com", "dave@sender.example", "", "contoso.gw.example.net")
	f.Add(uint8(0), uint8(1), "ceo@contoso.com", "alice@contoso.com", "x@sub.contoso.net", "")
	f.Add(uint8(0), uint8(2), "", "erin@woodgrove.example", "a@@b", "mail.protection.outlook.com")
	f.Add(uint8(0), uint8(0), "bob@sender.example", "a@CONTOSO.com.", "\"q@x\"@fabrikam.com", "")
	origins := []PartyKind{PartyInternet, PartyMailbox, PartyOnPremises, "bogus"}
	entries := []Entry{EntryMX, EntryExchange, EntryGateway, "bogus"}
	f.Fuzz(func(t *testing.T, origin, entry uint8, from, to1, to2, cert string) {
		in := Injection{Origin: origins[int(origin)%len(origins)], Entry: entries[int(entry)%len(entries)], From: from, To: []string{to1, to2}}
		if cert != "" {
			in.TLSNames = []string{cert}
		}
		tr := Simulate(d, in, Options{})
		if len(tr.Recipients) != len(in.To) {
			t.Fatalf("%d results for %d recipients", len(tr.Recipients), len(in.To))
		}
		for _, r := range tr.Recipients {
			if r.Steps > MaxSteps+1 {
				t.Fatalf("%s: %d steps", r.Rcpt, r.Steps)
			}
		}
		var sender tenantgate.TenantID
		if in.Origin == PartyMailbox || in.Origin == PartyOnPremises {
			if dom, err := tenantgate.AddressDomain(from); err == nil {
				if t, _, ok := d.Owner(dom); ok {
					sender = t.ID
				}
			}
		}
		for _, s := range tr.Steps {
			if s.Stage != StageGateway || s.Hop == nil || s.Hop.Kind != route.HopInternet {
				continue
			}
			if in.Origin == PartyInternet || !d.Serves(sender) {
				t.Fatalf("the gateway relays %s mail from %q to the Internet: %+v", in.Origin, from, s)
			}
		}
	})
}
