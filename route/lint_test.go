package route

import (
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// loadConfigFile compiles a configuration file of the repository's testdata.
func loadConfigFile(t testing.TB, path string) *tenantgate.Directory {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return compile(t, string(b))
}

// findingKey is what the lint tests compare of a Finding: the stable fields, not the prose.
type findingKey struct {
	Code     string
	Severity Severity
	Tenant   string
	Objects  []string
	Flow     string
}

func keys(fs []Finding) []findingKey {
	var ks []findingKey
	for _, f := range fs {
		ks = append(ks, findingKey{Code: f.Code, Severity: f.Severity, Tenant: f.Tenant.String(), Objects: f.Objects, Flow: f.Flow})
	}
	return ks
}

// TestLintDemo: the demo topology (contoso by certificate, fabrikam by IP, both with Enhanced
// Filtering and MX at the gateway) must lint clean of errors (task issue 6).
func TestLintDemo(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	for _, f := range Lint(d) {
		if f.Severity == SeverityError {
			t.Errorf("demo config: %s %s: %s", f.Code, f.Tenant, f.Summary)
		}
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []Severity{SeverityInfo, SeverityWarning, SeverityError} {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Severity
		if err := got.UnmarshalText(b); err != nil || got != s {
			t.Errorf("round trip of %v: got %v, %v", s, got, err)
		}
	}
	if _, err := Severity(7).MarshalText(); err == nil {
		t.Error("Severity(7).MarshalText: no error")
	}
	var s Severity
	if err := s.UnmarshalText([]byte("fatal")); err == nil {
		t.Error(`UnmarshalText("fatal"): no error`)
	}
}

// TestLintEnhancedFiltering: the MX points at the gateway (no MX report says otherwise), so the
// connector the gateway's deliveries match needs Enhanced Filtering (spec/exchange-online.md §5,
// DESIGN §1 (c) last pitfall).
func TestLintEnhancedFiltering(t *testing.T) {
	const cfg = `{"tenants":[{"id":"` + contosoID + `","name":"contoso",
	  "acceptedDomains":[{"name":"contoso.com"%s}],
	  "inbound":[{"name":"from-gateway","tlsSenderCertificateName":"contoso.gw.example.net",
	    "requireTls":true,"restrictDomainsToCertificate":true%s}]}],
	 "gateway":{"name":"gw.example.net","serves":["` + contosoID + `"],"addresses":["198.51.100.25"],
	  "identities":[{"name":"contoso","certNames":["contoso.gw.example.net"],"for":"` + contosoID + `"}]}}`
	tests := []struct {
		name     string
		mx, conn string
		want     []findingKey
	}{
		{"enhanced filtering on", "", `,"efSkipLastIP":true`, nil},
		{"enhanced filtering off", "", "", []findingKey{{Code: FindingMissingEnhancedFiltering, Severity: SeverityError, Tenant: contosoID,
			Objects: []string{"inbound connector from-gateway"}}}},
		// The MX report says the MX points to Exchange Online: the gateway is not in front of
		// Internet mail, Enhanced Filtering is not needed for it.
		{"MX at Exchange Online", `,"mxReport":[{"pointsToService":true,"recordExists":true}]`, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := compile(t, fmt.Sprintf(cfg, tc.mx, tc.conn))
			var got []findingKey
			for _, k := range keys(Lint(d)) {
				if k.Code == FindingMissingEnhancedFiltering {
					got = append(got, k)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
