package topology

import (
	"strings"
	"testing"
)

// TestLintIdentityNoClientAuth: a tenant identity whose certificate lacks clientAuth is an error
// when the tenant's connector identifies the gateway by that certificate only, a warning when the
// connector also (or only) matches the gateway's address, and no finding with clientAuth true or
// unknown (issue 15 item 9; docs/exchange-online.md#client-certificates-without-clientauth).
func TestLintIdentityNoClientAuth(t *testing.T) {
	cfg := func(clientAuth, connector string) string {
		return `{"tenants": [{"id": "` + contosoID + `", "name": "contoso", "acceptedDomains": [{"name": "contoso.com"}],
		  "inbound": [` + connector + `],
		  "outbound": [{"name": "to-gateway", "recipientDomains": ["*"], "smartHosts": ["gw.example.net"], "tlsSettings": "DomainValidation", "tlsDomain": "gw.example.net"}]}],
		  "gateway": {"name": "gw.example.net", "serves": ["` + contosoID + `"], "addresses": ["198.51.100.25"],
		    "identities": [{"name": "contoso", "certNames": ["contoso.gw.example.net"], "for": "` + contosoID + `"` + clientAuth + `}]}}`
	}
	byCert := `{"name": "from-gateway", "connectorType": "Partner", "senderDomains": ["*"], "tlsSenderCertificateName": "contoso.gw.example.net", "restrictDomainsToCertificate": true, "requireTls": true}`
	byIP := `{"name": "from-gateway", "connectorType": "Partner", "senderDomains": ["*"], "senderIPAddresses": ["198.51.100.25"], "restrictDomainsToIPAddresses": true, "requireTls": true}`
	const none Severity = -1
	tests := []struct {
		name, clientAuth, connector string
		want                        Severity // -1: no finding
		wantPS                      string
	}{
		{"certificate-only connector", `, "clientAuth": false`, byCert, SeverityError, "-RestrictDomainsToIPAddresses $true"},
		{"IP-restricted connector", `, "clientAuth": false`, byIP, SeverityWarning, ""},
		{"clientAuth present", `, "clientAuth": true`, byCert, none, ""},
		{"clientAuth unknown", ``, byCert, none, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got *Finding
			for _, f := range Lint(compile(t, cfg(tc.clientAuth, tc.connector)), Options{}) {
				if f.Code == FindingIdentityNoClientAuth {
					got = &f
				}
			}
			switch {
			case tc.want == none && got != nil:
				t.Fatalf("unexpected finding %+v", *got)
			case tc.want == none:
			case got == nil:
				t.Fatalf("no %s finding", FindingIdentityNoClientAuth)
			case got.Severity != tc.want:
				t.Errorf("severity %s, want %s", got.Severity, tc.want)
			case !strings.Contains(got.PowerShell, tc.wantPS):
				t.Errorf("PowerShell %q lacks %q", got.PowerShell, tc.wantPS)
			}
		})
	}
}
