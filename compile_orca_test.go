package tenantgate

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCompileORCAFields checks the fields the ORCA checks read
// (docs/topology.md#orca-parity-and-configuration-checks; docs/exoimport.md#rules): valid values
// compile and are normalised; each planted mistake is reported at its path.
func TestCompileORCAFields(t *testing.T) {
	const cfg = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [
        { "name": "contoso.com", "mxReport": [ { "highestPriorityMailhost": "MX.Gw.Example.NET.", "pointsToService": false, "recordExists": true } ] } ],
      "inbound": [ { "name": "gw", "efTestMode": true, "efSkipMailGateway": ["::ffff:198.51.100.7"] } ],
      "sclRules": [
        { "name": "bypass", "setSCL": -1, "senderDomainIs": ["Partner.Example"], "senderIpRanges": ["198.51.100.0/24"],
          "exceptIfHeaderMatchesMessageHeader": "authentication-results", "exceptIfHeaderMatchesPatterns": ["dmarc=fail"] } ],
      "arcConfig": { "arcTrustedSealers": ["Gw.Example.NET"] },
      "connectionFilterPolicies": [ { "name": "Default", "ipAllowList": ["198.51.100.1-198.51.100.9"] } ] }
  ],
  "gateway": { "name": "gw.example.net" }
}`
	c, err := LoadConfig(strings.NewReader(cfg))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	tn, _ := d.Tenant(MustParseTenantID("11111111-1111-1111-1111-111111111111"))
	// Domains are lower-cased A-labels without the root dot; an IPv4-mapped address is unmapped.
	got := struct {
		Mailhost, Gateway string
		Sender, Sealer    Domain
		SetSCL            int
		ExceptHeader      string
		TestMode          bool
	}{
		Mailhost:     tn.AcceptedDomains[0].MXReport[0].HighestPriorityMailhost,
		Gateway:      tn.Inbound[0].EFSkipMailGateway[0],
		Sender:       tn.SCLRules[0].SenderDomainIs[0],
		Sealer:       tn.ARCConfig.ARCTrustedSealers[0],
		SetSCL:       tn.SCLRules[0].SetSCL,
		ExceptHeader: tn.SCLRules[0].ExceptIfHeaderMatchesMessageHeader,
		TestMode:     *tn.Inbound[0].EFTestMode,
	}
	want := got
	want.Mailhost, want.Gateway, want.Sender, want.Sealer = "mx.gw.example.net", "198.51.100.7", "partner.example", "gw.example.net"
	// setSCL -1 (SCLBypass) is kept; header names are kept as written (the ORCA checks compare
	// them case-insensitively, see topology's tests).
	want.SetSCL, want.ExceptHeader, want.TestMode = SCLBypass, "authentication-results", true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compiled ORCA fields (-want +got):\n%s", diff)
	}
	// The MOERA domain Compile adds has no MX report.
	if n := len(tn.AcceptedDomains[1].MXReport); n != 0 {
		t.Errorf("MOERA domain has %d MX report rows; want none", n)
	}
}

func TestCompileORCAErrors(t *testing.T) {
	const cfg = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com", "mxReport": [ { "highestPriorityMailhost": "bad..host", "pointsToService": true } ] } ],
      "inbound": [ { "name": "gw", "efSkipMailGateway": ["198.51.100.0/24"] } ],
      "sclRules": [
        { "name": "", "setSCL": -2, "mode": "Test", "fromScope": "Anywhere", "senderDomainIs": ["bad domain"],
          "senderIpRanges": ["300.1.1.1"], "headerContainsMessageHeader": "Authentication-Results" } ],
      "arcConfig": { "arcTrustedSealers": ["not a domain"] },
      "connectionFilterPolicies": [ { "name": " ", "ipAllowList": ["198.51.100.9-198.51.100.1"] } ] }
  ],
  "gateway": { "name": "gw.example.net" }
}`
	c, err := LoadConfig(strings.NewReader(cfg))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(c)
	var ce ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("Compile error = %v; want ConfigErrors", err)
	}
	var got []string
	for _, e := range ce {
		got = append(got, e.Path)
	}
	want := []string{
		"tenants[0].inbound[0].efSkipMailGateway[0]",                        // EFSkipMailGateway takes addresses, not CIDRs
		"tenants[0].sclRules[0].name",                                       // required
		"tenants[0].sclRules[0].mode",                                       // not Enforce/Audit/AuditAndNotify
		"tenants[0].sclRules[0].setSCL",                                     // SCL is -1..9
		"tenants[0].sclRules[0].fromScope",                                  // not a scope
		"tenants[0].sclRules[0].senderDomainIs[0]",                          // unparsable domain
		"tenants[0].sclRules[0].senderIpRanges[0]",                          // not an IP
		"tenants[0].sclRules[0].headerContainsWords",                        // header without words
		"tenants[0].arcConfig.arcTrustedSealers[0]",                         // unparsable domain
		"tenants[0].connectionFilterPolicies[0].name",                       // blank name
		"tenants[0].connectionFilterPolicies[0].ipAllowList[0]",             // reversed range
		"tenants[0].acceptedDomains[0].mxReport[0].highestPriorityMailhost", // unparsable host
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error paths (-want +got):\n%s\n%v", diff, err)
	}
}
