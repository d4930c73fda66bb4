package topology

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// configKey is what TestLintConfig compares of a configuration finding.
type configKey struct {
	Code     string
	Severity Severity
	ORCA     string
	Tenant   string
	Objects  []string
}

// configKeys keeps the findings of the configuration checks (Flow empty).
func configKeys(fs []Finding) []configKey {
	var ks []configKey
	for _, f := range fs {
		if f.Flow == "" && f.Code != FindingRelayHole {
			ks = append(ks, configKey{Code: f.Code, Severity: f.Severity, ORCA: f.ORCA, Tenant: f.Tenant.String(), Objects: f.Objects})
		}
	}
	return ks
}

// TestLintConfig runs Lint on the testdata/config/orca-*.json topologies and compares the
// configuration findings (the ORCA-parity checks for served tenants and the checks against the
// gateway), then the whole output with golden files. Each case says why.
func TestLintConfig(t *testing.T) {
	inGW := []string{"inbound connector from-gateway"}
	tests := []struct {
		file string
		want []configKey
	}{
		// contoso.com's MX points at the gateway, the catch-all connector is locked to the
		// gateway's certificate with Enhanced Filtering and RequireTls, a trusted ARC sealer is
		// set, the outbound connector validates gw.example.net, RejectDirectSend is on: nothing.
		{"orca-clean.json", nil},
		// Enhanced Filtering off (ORCA 233 Informational per domain not at the service — not the
		// MOERA domain, whose report points to the service — and 233_1 Fail) and no sealers (243).
		{"orca-third-party-mx.json", []configKey{
			{FindingEnhancedFilteringDomain, SeverityInfo, ORCA233, contosoID, []string{"accepted domain contoso.com", "inbound connector from-gateway"}},
			{FindingEnhancedFilteringConnector, SeverityWarning, ORCA233_1, contosoID, inGW},
			{FindingARCNoTrustedSealer, SeverityWarning, ORCA243, contosoID, []string{"accepted domain contoso.com", "arc config"}},
		}},
		// Only a connector scoped to bank.example: no catch-all connector (233, and 233_1's branch
		// ORCA never reaches), and nothing matches the gateway while RejectDirectSend is on: its
		// mail from contoso's own domains is rejected 5.7.68
		// (docs/exchange-online.md#reject-direct-send).
		{"orca-no-connector.json", []configKey{
			{FindingEnhancedFilteringDomain, SeverityInfo, ORCA233, contosoID, []string{"accepted domain contoso.com"}},
			{FindingEnhancedFilteringNoConnector, SeverityWarning, ORCA233_1, contosoID, []string{"accepted domain contoso.com"}},
			{FindingDirectSendUnmatched, SeverityError, "", contosoID, []string{"tenant contoso", "organization config RejectDirectSend"}},
		}},
		// SCL -1 for contoso.com by SenderDomainIs alone (118_2 and 118_4), SCL -1 by the
		// gateway's IP alone (118_2's IP branch), the gateway's IP on the allow list (114).
		{"orca-allow-lists.json", []configKey{
			{FindingSCLBypassSender, SeverityWarning, ORCA118_2, contosoID, []string{"transport rule Whitelist own domain"}},
			{FindingSCLBypassIP, SeverityWarning, ORCA118_2, contosoID, []string{"transport rule Skip filtering for the gateway"}},
			{FindingSCLBypassOwnDomain, SeverityError, ORCA118_4, contosoID, []string{"transport rule Whitelist own domain"}},
			{FindingIPAllowList, SeverityWarning, ORCA114, contosoID, []string{"connection filter policy Default"}},
		}},
		// RejectDirectSend off: ORCA 249 Informational; the connector matches the gateway, so
		// turning it on is safe and there is no direct-send-unmatched.
		{"orca-direct-send-off.json", []configKey{
			{FindingRejectDirectSendOff, SeverityInfo, ORCA249, contosoID, []string{"organization config RejectDirectSend"}},
		}},
		// The outbound connector to gw.example.net with EncryptionOnly, the inbound connector
		// without RequireTls.
		{"orca-gateway-tls.json", []configKey{
			{FindingOutboundTLS, SeverityWarning, "", contosoID, []string{"outbound connector to-gateway"}},
			{FindingInboundRequireTLS, SeverityWarning, "", contosoID, inGW},
		}},
		// The connector matches the gateway's certificate but restricts nothing.
		{"orca-unrestricted.json", []configKey{
			{FindingInboundUnrestricted, SeverityWarning, "", contosoID, inGW},
		}},
		// An OnPremises connector matched by the gateway's certificate with
		// TreatMessagesAsInternal.
		// Its name contoso.gw.example.net is neither accepted nor a wildcard, and nor is its
		// parent: the June 2025 reading refuses the gateway's deliveries (issue 15 item 2).
		{"orca-treat-as-internal.json", []configKey{
			{FindingTreatAsInternal, SeverityError, "", contosoID, inGW},
			{FindingCertNameNotAccepted, SeverityError, "", contosoID, inGW},
		}},
		// contoso is locked to 198.51.100.25 and 203.0.113.0/24 while the gateway also sends
		// from 198.51.100.26 (error) and 203.0.113.0/24 is not the gateway's (warning). fabrikam
		// is locked to mail.fabrikam.com, but the gateway presents fabrikam.gw.example.net to it:
		// rejected (error), and so nothing matches the gateway under RejectDirectSend (error).
		{"orca-gateway-identity.json", []configKey{
			{FindingInboundIPMismatch, SeverityError, "", contosoID, []string{"inbound connector from-gateway", "gateway"}},
			{FindingInboundIPMismatch, SeverityWarning, "", contosoID, []string{"inbound connector from-gateway", "sender IP addresses 203.0.113.0/24"}},
			{FindingInboundCertMismatch, SeverityError, "", fabrikamID, []string{"inbound connector from-gateway", "gateway identity fabrikam"}},
			{FindingDirectSendUnmatched, SeverityError, "", fabrikamID, []string{"tenant fabrikam", "organization config RejectDirectSend"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := Lint(loadConfigFile(t, "../testdata/config/"+tc.file), Options{})
			if diff := cmp.Diff(tc.want, configKeys(got)); diff != "" {
				t.Errorf("configuration findings (-want +got):\n%s", diff)
			}
			for _, f := range got {
				if f.Flow == "" && (f.Summary == "" || f.Detail == "" || f.Fix == "" || f.PowerShell == "") {
					t.Errorf("%s: summary, detail, fix and PowerShell are required: %+v", f.Code, f)
				}
			}
			checkGolden(t, "config-"+tc.file, got)
		})
	}
}

// TestLintConfigMXAtService: when every MX report row says Exchange Online, the gateway is not
// in front of the tenant's Internet mail, so a lock-down to another host, or no connector
// matching the gateway, is not the gateway's business: only the checks that hold whatever the
// MX (outbound TLS, RequireTls, TreatMessagesAsInternal, ORCA's own) remain.
func TestLintConfigMXAtService(t *testing.T) {
	for _, file := range []string{"orca-gateway-identity.json", "orca-no-connector.json", "orca-unrestricted.json"} {
		b, err := os.ReadFile("../testdata/config/" + file)
		if err != nil {
			t.Fatal(err)
		}
		js := strings.ReplaceAll(string(b), `"pointsToService": false`, `"pointsToService": true`)
		for _, k := range configKeys(Lint(compile(t, js), Options{})) {
			switch k.Code {
			case FindingInboundCertMismatch, FindingInboundIPMismatch, FindingInboundUnrestricted, FindingDirectSendUnmatched,
				FindingEnhancedFilteringDomain, FindingEnhancedFilteringConnector, FindingEnhancedFilteringNoConnector:
				t.Errorf("%s: %s %v with every MX at Exchange Online", file, k.Code, k.Objects)
			}
		}
	}
}

// TestLintConfigServedOnly: the configuration checks run for served tenants only; woodgrove,
// which the gateway does not serve, has RejectDirectSend off and no connector, and gets nothing.
func TestLintConfigServedOnly(t *testing.T) {
	for _, f := range Lint(loadConfigFile(t, "../testdata/config/orca-clean.json"), Options{}) {
		if f.Tenant.String() == "33333333-3333-3333-3333-333333333333" {
			t.Errorf("finding for a tenant the gateway does not serve: %s %v", f.Code, f.Objects)
		}
	}
}

// TestLintImportedTenant: a tenant imported from ORCA's Config dump has no ID; given one, and a
// gateway that serves it from the address its connector lists, Lint runs the ORCA checks with
// the MX reports of the export and the gateway checks. The connector is IP-locked to the
// gateway with RequireTls, so the gateway checks find nothing; the ORCA findings are those of
// LintORCA on the same export (TestLintORCAExports), now with the tenant's ID.
func TestLintImportedTenant(t *testing.T) {
	tn := readLintExports(t, "orca-config.json")
	tn.ID = tenantgate.MustParseTenantID(fabrikamID)
	d, err := tenantgate.Compile(tenantgate.Config{Tenants: []tenantgate.Tenant{tn},
		Gateway: tenantgate.Gateway{Name: "gw.example.net", Serves: []tenantgate.TenantID{tn.ID},
			Addresses: []netip.Addr{netip.MustParseAddr("198.51.100.25")}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []configKey{
		{FindingEnhancedFilteringDomain, SeverityInfo, ORCA233, fabrikamID, []string{"accepted domain fabrikam.com", "inbound connector Gateway"}},
		{FindingEnhancedFilteringConnector, SeverityWarning, ORCA233_1, fabrikamID, []string{"inbound connector Gateway"}},
		{FindingARCNoTrustedSealer, SeverityWarning, ORCA243, fabrikamID, []string{"accepted domain fabrikam.com", "arc config"}},
		{FindingSCLBypassSender, SeverityWarning, ORCA118_2, fabrikamID, []string{"transport rule Whitelist own domain"}},
		{FindingSCLBypassOwnDomain, SeverityError, ORCA118_4, fabrikamID, []string{"transport rule Whitelist own domain"}},
		{FindingIPAllowList, SeverityWarning, ORCA114, fabrikamID, []string{"connection filter policy Default"}},
	}
	got := Lint(d, Options{})
	if diff := cmp.Diff(want, configKeys(got)); diff != "" {
		t.Errorf("configuration findings (-want +got):\n%s", diff)
	}
	// With the gateway known, ORCA 114 says the allow list holds the gateway's own address.
	for _, f := range got {
		if f.Code == FindingIPAllowList && !strings.Contains(f.Detail, "198.51.100.25") {
			t.Errorf("ip-allow-list detail does not name the gateway's address: %s", f.Detail)
		}
	}
}

// TestGatewayHost: which outbound smart hosts are the gateway.
func TestGatewayHost(t *testing.T) {
	gc := &gatewayCheck{view: gatewayView{name: "GW.example.net.", addrs: []netip.Addr{netip.MustParseAddr("198.51.100.25")}}}
	for h, want := range map[string]bool{
		"gw.example.net": true, "GW.EXAMPLE.NET.": true, "198.51.100.25": true, "198.51.100.0/24": true,
		"other.example.net": false, "198.51.100.26": false, "203.0.113.0/24": false, "": false, "::ffff:198.51.100.25": true,
	} {
		if got := gc.gatewayHost(h); got != want {
			t.Errorf("gatewayHost(%q) = %v, want %v", h, got, want)
		}
	}
}

// BenchmarkLintConfigChecks measures the configuration checks alone (what Lint adds to the
// flows for each served tenant), on BenchmarkLint's topologies: compare the two in one run.
func BenchmarkLintConfigChecks(b *testing.B) {
	for _, n := range []int{10, 1000} {
		d := bigTopology(b, n)
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l := &linter{d: d, sim: newSimulator(d, Options{}), seen: map[string]bool{}}
				ts := d.Tenants() // a copy: take it once, as Lint does
				for i := range ts {
					if t := &ts[i]; d.Serves(t.ID) {
						l.tenantConfig(t)
					}
				}
			}
		})
	}
}

// TestLintCertNameNotAccepted: an OnPremises connector whose non-wildcard certificate name is
// not covered by an accepted domain — neither the name nor its parent — is reported under both
// readings of issue 15 item 2: an error under the June 2025 default (5.7.51), a warning under
// KB 4019940's (CertificateNameMailFromFallback: 5.7.64 ATTR36 for NDRs and forwards). A name
// whose parent is accepted, a wildcard value and a Partner connector are not reported. When an
// accepted domain lies above the name, the PowerShell fix is its wildcard. Before, Lint said
// nothing about such connectors.
func TestLintCertNameNotAccepted(t *testing.T) {
	d := compile(t, `{
  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" } ],
      "inbound": [
        { "name": "hcw", "connectorType": "OnPremises", "tlsSenderCertificateName": "mail.contoso.com" },
        { "name": "attr36", "connectorType": "OnPremises", "tlsSenderCertificateName": "hostname.subdomain.contoso.com" },
        { "name": "foreign", "connectorType": "OnPremises", "tlsSenderCertificateName": "relay.contoso-mail.net" },
        { "name": "wild", "connectorType": "OnPremises", "tlsSenderCertificateName": "*.contoso-mail.net" },
        { "name": "partner", "tlsSenderCertificateName": "relay.partner.example" } ] } ],
  "gateway": { "name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"], "identities": [
      { "name": "contoso", "certNames": ["contoso.gw.example.net"], "for": "11111111-1111-1111-1111-111111111111" } ] } }`)
	for _, tc := range []struct {
		o    Options
		want Severity
	}{
		{Options{}, SeverityError},
		{Options{Exchange: classify.AttributeOptions{CertificateNameMailFromFallback: true}}, SeverityWarning},
	} {
		got := map[string]Finding{}
		for _, f := range Lint(d, tc.o) {
			if f.Code == FindingCertNameNotAccepted {
				got[f.Objects[0]] = f
			}
		}
		if len(got) != 2 {
			t.Fatalf("findings %v, want the connectors attr36 and foreign", got)
		}
		for obj, ps := range map[string]string{
			"inbound connector attr36":  "Set-InboundConnector -Identity 'attr36' -TlsSenderCertificateName '*.contoso.com'",
			"inbound connector foreign": "New-MgDomain -Id 'contoso-mail.net'",
		} {
			f, ok := got[obj]
			if !ok || f.Severity != tc.want || f.PowerShell != ps || f.Summary == "" || f.Fix == "" {
				t.Errorf("%s: %+v, want severity %v and PowerShell %q", obj, f, tc.want, ps)
			}
		}
	}
}
