package classify

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// TestTieBreakConfigOrderNotCertOrder: with TieBreakConfigOrder, the tenant first in the
// configuration wins even when the certificate lists the other tenant's name first, so that the
// candidates come in the other order. contoso is tenants[0]; the certificate carries fabrikam's
// name, then contoso's, each matching its tenant's OnPremises connector and accepted domain.
func TestTieBreakConfigOrderNotCertOrder(t *testing.T) {
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" }, { "name": "t1.gw.example" } ],
      "inbound": [ { "name": "gw1", "connectorType": "OnPremises", "tlsSenderCertificateName": "t1.gw.example" } ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" }, { "name": "t2.gw.example" } ],
      "inbound": [ { "name": "gw2", "connectorType": "OnPremises", "tlsSenderCertificateName": "t2.gw.example" } ] }
  ],
  "gateway": { "name": "gw.example" } }`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := Connection{RemoteAddr: netip.MustParseAddr("198.51.100.10"), MailFrom: "a@example.org", RcptTo: []string{"x@example.net"},
		TLS: tlsid.Evidence{TLS: true, Verified: true, Names: []string{"t2.gw.example", "t1.gw.example"}}}
	a := Attribute(d, c, AttributeOptions{TieBreakConfigOrder: true})
	if len(a.Recipients) != 1 || !a.Recipients[0].Accepted {
		t.Fatalf("not accepted: %+v %v", a.Recipients, a.Reasons)
	}
	if got, want := a.Recipients[0].Tenant, tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111"); got != want {
		t.Errorf("tenant %s, want contoso %s (first in configuration order): %v", got, want, a.Reasons)
	}
}
