package exoimport

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// TestValueForms: each serialisation quirk of docs/exoimport.md#rules reads
// as the value it stands for.
func TestValueForms(t *testing.T) {
	inbound := func(tn tenantgate.Tenant) any { return tn.Inbound[0] }
	cases := []struct {
		name string
		in   string
		get  func(tenantgate.Tenant) any
		want any
	}{
		{"nested enum: the name wins over the number (ScubaGear #135)",
			`{"Name":"a","SenderDomains":[],"ConnectorType":{"value":1,"Value":"OnPremises"}}`,
			func(tn tenantgate.Tenant) any { return tn.Inbound[0].ConnectorType }, tenantgate.ConnectorOnPremises},
		{"keys and enum names in any case (PowerShell is case-insensitive)",
			`{"name":"a","senderdomains":[],"CONNECTORTYPE":"partner","enabled":false}`,
			inbound, tenantgate.InboundConnector{Name: "a", ConnectorType: tenantgate.ConnectorPartner, Enabled: new(false), SenderDomains: []tenantgate.DomainPattern{}}},
		{"SenderDomains as one bare string in the stored form",
			`{"Name":"a","SenderDomains":"SMTP:Contoso.COM;10"}`,
			func(tn tenantgate.Tenant) any { return tn.Inbound[0].SenderDomains }, []tenantgate.DomainPattern{"contoso.com"}},
		{"SenderDomains typed bare, with a null element skipped",
			`{"Name":"a","SenderDomains":[null,"*.fabrikam.com","smtp:*;"]}`,
			func(tn tenantgate.Tenant) any { return tn.Inbound[0].SenderDomains }, []tenantgate.DomainPattern{"*.fabrikam.com", "*"}},
		{"null multi-valued field: absent (nil), not empty",
			`{"Name":"a","SenderDomains":null,"EFUsers":null}`,
			func(tn tenantgate.Tenant) any {
				return tn.Inbound[0].SenderDomains == nil && tn.Inbound[0].EFUsers == nil
			}, true},
		{"absent and null booleans stay nil; the PowerShell default applies",
			`{"Name":"a","SenderDomains":[],"EFTestMode":null}`,
			func(tn tenantgate.Tenant) any { return tn.Inbound[0].Enabled == nil && tn.Inbound[0].EFTestMode == nil }, true},
		{"SetSCL as a padded numeric string",
			`[{"Name":"r","State":"Enabled","Priority":0,"SetSCL":" -1 "}]`,
			func(tn tenantgate.Tenant) any { return tn.SCLRules[0].SetSCL }, -1},
		{"SetSCL empty string: no SCL, so not an SCL rule",
			`[{"Name":"r","State":"Enabled","Priority":0,"SetSCL":""}]`,
			func(tn tenantgate.Tenant) any { return len(tn.SCLRules) }, 0},
		{"rules without Priority come after those with one, in file order",
			`[{"Name":"late","State":"Enabled","SetSCL":5},{"Name":"first","State":"Enabled","Priority":7,"SetSCL":-1},{"Name":"later","State":"Disabled","SetSCL":6}]`,
			func(tn tenantgate.Tenant) any {
				var n []string
				for _, r := range tn.SCLRules {
					n = append(n, r.Name)
				}
				return n
			}, []string{"first", "late", "later"}},
		{"ArcTrustedSealers as an array whose values may hold commas",
			`{"ArcTrustedSealers":["a.example","B.example, c.example"]}`,
			func(tn tenantgate.Tenant) any { return tn.ARCConfig.ARCTrustedSealers }, []tenantgate.Domain{"a.example", "b.example", "c.example"}},
		{"annotation keys are not fields, even when they clash in case",
			`{"value":[{"DomainName":"contoso.com","DomainType@odata.type":"#Exchange.AcceptedDomainType","domaintype@data.type":"x","DomainType":"InternalRelay","MatchSubDomains":true}]}`,
			func(tn tenantgate.Tenant) any { return tn.AcceptedDomains[0] },
			tenantgate.AcceptedDomain{Name: "contoso.com", DomainType: tenantgate.InternalRelay, MatchSubDomains: true}},
		{"a UTF-8 byte order mark is dropped",
			"\xef\xbb\xbf" + `{"Domain":"contoso.com","PointsToService":false}`,
			func(tn tenantgate.Tenant) any { return len(tn.AcceptedDomains) }, 0},
		{"UTF-16 big-endian with a byte order mark",
			string(utf16be(`{"DomainName":"contoso.com","DomainType":"Authoritative"}`)),
			func(tn tenantgate.Tenant) any { return tn.AcceptedDomains[0].Name }, tenantgate.Domain("contoso.com")},
		{"a nested array (PowerShell @(@(…))) is flattened",
			`{"MXReports":[[{"Domain":"a.example","PointsToService":false}]],"AcceptedDomains":{"DomainName":"a.example","DomainType":"Authoritative"}}`,
			func(tn tenantgate.Tenant) any { return tn.AcceptedDomains[0].MXReport },
			[]tenantgate.MXRecord{{PointsToService: false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn, _, err := Import(File{Name: "x.json", Data: []byte(tc.in)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, tc.get(tn)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func utf16be(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, r := range s { // ASCII only
		b = append(b, 0, byte(r))
	}
	return b
}
