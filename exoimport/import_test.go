package exoimport

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/golden"
)

func readExport(t testing.TB, name string) File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "exports", name))
	if err != nil {
		t.Fatal(err)
	}
	return File{Name: name, Data: data}
}

// golden is what a golden file holds: the imported tenant and the warnings.
type importGolden struct {
	Tenant   tenantgate.Tenant `json:"tenant"`
	Warnings []Warning         `json:"warnings"`
}

// TestImportGolden imports each fixture set, checks what the fixtures state (the check of each
// case, reasoned from the export files and the rules of the package documentation), and
// compares the tenant and the warnings, without the warnings' prose, with
// testdata/golden/<name>.json (run with -update after a deliberate change and read the diff).
func TestImportGolden(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		check func(t *testing.T, tn tenantgate.Tenant, warns []Warning)
	}{
		// One file per cmdlet, in every shape the package reads: PowerShell 7 arrays and a bare
		// object, an admin API response with annotation keys, Windows PowerShell 5.1 UTF-16 and
		// \/Date()\/ output.
		{"cmdlets", []string{"ps7-inbound.json", "ps7-outbound-bare.json", "ps7-accepted-domains.json",
			"rest-transportrules.json", "ps51-mx-utf16.json", "ps51-arc.json"}, checkCmdlets},
		// ORCA's dump of one tenant.
		{"orca", []string{"orca-config.json"}, checkORCA},
		// A Microsoft365DSC report.
		{"m365dsc", []string{"m365dsc-report.json"}, checkM365DSC},
		// [null]: a cmdlet that returned nothing.
		{"null", []string{"null.json"}, checkNull},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var files []File
			for _, f := range tc.files {
				files = append(files, readExport(t, f))
			}
			tn, warns, err := Import(files...)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, tn, warns)
			golden.Decision(t, filepath.Join("testdata", "golden", tc.name+".json"), importGolden{tn, warns})
			// The imported tenant is valid configuration once it has an ID.
			tn.ID = tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111")
			if tn.Name == "" {
				tn.Name = "placeholder"
			}
			if _, err := tenantgate.Compile(tenantgate.Config{Tenants: []tenantgate.Tenant{tn}}); err != nil {
				t.Errorf("Compile(imported tenant): %v", err)
			}
		})
	}
}

// warnKeys lists the warnings as "code path" (the file is not part of the key).
func warnKeys(warns []Warning) []string {
	var ks []string
	for _, w := range warns {
		ks = append(ks, w.Code+" "+w.Path)
	}
	return ks
}

// checkWarnings compares the warnings' codes and paths with want, and checks that the i-th
// warning names names[i] (a cmdlet, key, rule or resource: the warning's object, which only its
// message carries), where names[i] is not "".
func checkWarnings(t *testing.T, warns []Warning, want, names []string) {
	t.Helper()
	if diff := cmp.Diff(want, warnKeys(warns)); diff != "" {
		t.Fatalf("warnings (-want +got):\n%s", diff)
	}
	for i, n := range names {
		if n != "" && !strings.Contains(warns[i].Msg, n) {
			t.Errorf("warning %d (%s) does not name %q: %s", i, warns[i].Code, n, warns[i].Msg)
		}
	}
}

// mxView is an accepted domain's name with its MX rows' host names, for comparison.
func mxView(tn tenantgate.Tenant) map[tenantgate.Domain][]string {
	m := map[tenantgate.Domain][]string{}
	for _, d := range tn.AcceptedDomains {
		for _, r := range d.MXReport {
			m[d.Name] = append(m[d.Name], r.HighestPriorityMailhost)
		}
	}
	return m
}

func checkCmdlets(t *testing.T, tn tenantgate.Tenant, warns []Warning) {
	// ps7-accepted-domains.json: InitialDomain true on contoso.onmicrosoft.com names the tenant.
	if tn.Name != "contoso" {
		t.Errorf("name %q, want contoso", tn.Name)
	}
	// ps7-inbound.json, two connectors in export order.
	if len(tn.Inbound) != 2 {
		t.Fatalf("%d inbound connectors, want 2", len(tn.Inbound))
	}
	// "From gateway": SenderDomains smtp:*;1 is every domain ("*"), EFSkipLastIP true,
	// EFTestMode false (exported, so known: a pointer to false, not absent).
	gw := tn.Inbound[0]
	if gw.Name != "From gateway" || !cmp.Equal(gw.SenderDomains, []tenantgate.DomainPattern{"*"}) || !gw.EFSkipLastIP ||
		gw.EFTestMode == nil || *gw.EFTestMode {
		t.Errorf("inbound[0] = %+v; want From gateway, senderDomains [*], efSkipLastIP, efTestMode false", gw)
	}
	// "Legacy on-premises": Enabled false, ConnectorType OnPremises, SenderDomains
	// smtp:Contoso.com;1 (lower-cased) and contoso.net, EFTestMode true.
	lg := tn.Inbound[1]
	if lg.Name != "Legacy on-premises" || lg.Enabled == nil || *lg.Enabled || lg.ConnectorType != tenantgate.ConnectorOnPremises ||
		!cmp.Equal(lg.SenderDomains, []tenantgate.DomainPattern{"contoso.com", "contoso.net"}) || lg.EFTestMode == nil || !*lg.EFTestMode {
		t.Errorf("inbound[1] = %+v; want Legacy on-premises, disabled, OnPremises, [contoso.com contoso.net], efTestMode true", lg)
	}
	// rest-transportrules.json: the routing rule (Priority 0) is the one transport rule.
	if len(tn.Rules) != 1 || tn.Rules[0].Name != "Route external mail via the gateway" || tn.Rules[0].RouteMessageOutboundConnector != "To gateway" {
		t.Errorf("rules %+v; want the routing rule to To gateway alone", tn.Rules)
	}
	// SCL rules in priority order: the gateway's IP-only bypass (Priority 1, SetSCL -1 as a
	// number), then "Allow partner" (Priority 2, SetSCL "-1" as a string, State Disabled, an
	// Authentication-Results exception).
	if len(tn.SCLRules) != 2 {
		t.Fatalf("%d SCL rules, want 2", len(tn.SCLRules))
	}
	byIP, partner := tn.SCLRules[0], tn.SCLRules[1]
	if byIP.Name != "Skip spam filtering for the gateway" || byIP.SetSCL != -1 || !cmp.Equal(byIP.SenderIPRanges, []string{"198.51.100.25"}) ||
		byIP.SenderDomainIs != nil {
		t.Errorf("sclRules[0] = %+v; want the gateway's IP-only bypass", byIP)
	}
	if partner.Name != "Allow partner" || partner.SetSCL != -1 || partner.Enabled == nil || *partner.Enabled ||
		partner.ExceptIfHeaderMatchesMessageHeader != "Authentication-Results" {
		t.Errorf("sclRules[1] = %+v; want Allow partner, SetSCL -1, disabled, Authentication-Results exception", partner)
	}
	// ps51-mx-utf16.json: two MX rows on contoso.com, one on contoso.onmicrosoft.com.
	wantMX := map[tenantgate.Domain][]string{
		"contoso.com":             {"mx.gw.example.net", "mx.gw.example.net"},
		"contoso.onmicrosoft.com": {"contoso.mail.protection.outlook.com"},
	}
	if diff := cmp.Diff(wantMX, mxView(tn)); diff != "" {
		t.Errorf("MX rows (-want +got):\n%s", diff)
	}
	// ps51-arc.json: ArcTrustedSealers "gw.example.net, relay.example.org" split at the comma.
	if tn.ARCConfig == nil || !cmp.Equal(tn.ARCConfig.ARCTrustedSealers, []tenantgate.Domain{"gw.example.net", "relay.example.org"}) {
		t.Errorf("arcConfig %+v; want the two sealers", tn.ARCConfig)
	}
	// Warnings: Legacy on-premises' ScanAndDropRecipients (not modelled), Allow partner's
	// ActivationDate, the "External tag" rule (neither routes nor sets the SCL), the tenant ID
	// (no export carries it), no Get-OrganizationConfig and no Get-HostedConnectionFilterPolicy
	// output.
	checkWarnings(t, warns, []string{
		WarnNotApplied + " $[1].ScanAndDropRecipients",
		WarnRuleDates + " $.value[2]",
		WarnRuleIgnored + " $.value[3]",
		WarnTenant + " ",
		WarnNotExported + " ", WarnNotExported + " ",
	}, []string{"Legacy on-premises", "Allow partner", "External tag", "", "Get-OrganizationConfig", "Get-HostedConnectionFilterPolicy"})
}

func checkORCA(t *testing.T, tn tenantgate.Tenant, warns []Warning) {
	// The InitialDomain fabrikam.onmicrosoft.com names the tenant.
	if tn.Name != "fabrikam" {
		t.Errorf("name %q, want fabrikam", tn.Name)
	}
	// InboundConnector is a bare single object: one connector.
	if len(tn.Inbound) != 1 || tn.Inbound[0].Name != "Gateway" || !cmp.Equal(tn.Inbound[0].SenderDomains, []tenantgate.DomainPattern{"*"}) {
		t.Errorf("inbound %+v; want the one Gateway connector for *", tn.Inbound)
	}
	// ARCConfig with ArcTrustedSealers null: known, none (arcConfig {}, not absent).
	if tn.ARCConfig == nil || len(tn.ARCConfig.ARCTrustedSealers) != 0 {
		t.Errorf("arcConfig %+v; want known and empty", tn.ARCConfig)
	}
	// OrganizationConfig RejectDirectSend true.
	if !tn.RejectDirectSend {
		t.Error("rejectDirectSend false; the export says true")
	}
	// HostedConnectionFilterPolicy: the allow list.
	if len(tn.ConnectionFilterPolicies) != 1 || !cmp.Equal(tn.ConnectionFilterPolicies[0].IPAllowList, []string{"198.51.100.25", "203.0.113.0/24"}) {
		t.Errorf("connection filter policies %+v; want Default with the two entries", tn.ConnectionFilterPolicies)
	}
	// TransportRules: the SCL -1 rule for fabrikam.com.
	if len(tn.SCLRules) != 1 || tn.SCLRules[0].Name != "Whitelist own domain" || tn.SCLRules[0].SetSCL != -1 {
		t.Errorf("sclRules %+v; want Whitelist own domain", tn.SCLRules)
	}
	// MXReports: one row each for the two accepted domains; the third names a domain that is
	// not accepted.
	wantMX := map[tenantgate.Domain][]string{
		"fabrikam.com":             {"mx.gw.example.net"},
		"fabrikam.onmicrosoft.com": {"fabrikam.mail.protection.outlook.com"},
	}
	if diff := cmp.Diff(wantMX, mxView(tn)); diff != "" {
		t.Errorf("MX rows (-want +got):\n%s", diff)
	}
	// ORCA never calls Get-OutboundConnector: none, and reported not exported.
	if len(tn.Outbound) != 0 {
		t.Errorf("outbound %+v; want none", tn.Outbound)
	}
	// Warnings: HostedContentFilterPolicy and DkimSigningConfig ignored, the tenant ID, the MX
	// row of old.fabrikam.example (not accepted) ignored, no Get-OutboundConnector output.
	checkWarnings(t, warns, []string{
		WarnIgnoredKey + " $",
		WarnTenant + " ",
		WarnMXUnmatched + " $.MXReports[2]",
		WarnNotExported + " ",
	}, []string{"HostedContentFilterPolicy", "", "old.fabrikam.example", "Get-OutboundConnector"})
	if !strings.Contains(warns[0].Msg, "DkimSigningConfig") {
		t.Errorf("ignored keys warning does not name DkimSigningConfig: %s", warns[0].Msg)
	}
}

func checkM365DSC(t *testing.T, tn tenantgate.Tenant, warns []Warning) {
	// Tenant name from the only <label>.onmicrosoft.com accepted domain (DSC has no
	// InitialDomain); the domain is Identity.
	if tn.Name != "woodgrove" {
		t.Errorf("name %q, want woodgrove", tn.Name)
	}
	var doms []tenantgate.Domain
	for _, d := range tn.AcceptedDomains {
		doms = append(doms, d.Name)
	}
	if diff := cmp.Diff([]tenantgate.Domain{"woodgrove.example", "woodgrove.onmicrosoft.com"}, doms); diff != "" {
		t.Errorf("accepted domains (-want +got):\n%s", diff)
	}
	// EXOInboundConnector "Gateway": SenderDomains "*" as a bare string; EFTestMode,
	// EFSkipMailGateway and TrustedOrganizations are not in the export, so absent (nil), never
	// false or empty.
	if len(tn.Inbound) != 1 {
		t.Fatalf("%d inbound connectors, want 1", len(tn.Inbound))
	}
	in := tn.Inbound[0]
	if in.Name != "Gateway" || !cmp.Equal(in.SenderDomains, []tenantgate.DomainPattern{"*"}) || in.EFTestMode != nil ||
		in.EFSkipMailGateway != nil || in.TrustedOrganizations != nil {
		t.Errorf("inbound %+v; want Gateway for *, EFTestMode, EFSkipMailGateway and TrustedOrganizations absent", in)
	}
	// EXOOutboundConnector "To gateway": SmartHosts as a bare string, UseMxRecord (DSC's case)
	// read as useMXRecord false. "Retired" has Ensure = Absent: skipped.
	if len(tn.Outbound) != 1 {
		t.Fatalf("outbound %+v; want To gateway alone (Retired is Ensure=Absent)", tn.Outbound)
	}
	out := tn.Outbound[0]
	if out.Name != "To gateway" || !cmp.Equal(out.SmartHosts, []string{"gw.example.net"}) || out.UseMXRecord == nil || *out.UseMXRecord {
		t.Errorf("outbound %+v; want To gateway, smart host gw.example.net, useMXRecord false", out)
	}
	// EXOTransportRule: "Enabled" rather than State; SenderIpRanges as a bare string.
	if len(tn.SCLRules) != 1 || tn.SCLRules[0].Enabled == nil || !*tn.SCLRules[0].Enabled ||
		!cmp.Equal(tn.SCLRules[0].SenderIPRanges, []string{"198.51.100.25"}) {
		t.Errorf("sclRules %+v; want the enabled gateway rule for 198.51.100.25", tn.SCLRules)
	}
	// EXOOrganizationConfig without RejectDirectSend: absent, taken as false.
	if tn.RejectDirectSend {
		t.Error("rejectDirectSend true; the export does not set it")
	}
	// Warnings: the inbound connector's absent fields, Retired's Ensure=Absent, the absent
	// RejectDirectSend, AADGroup (2) and EXOAntiPhishPolicy (1) ignored, the tenant ID, and no
	// ARC, connection filter or MX report resources.
	checkWarnings(t, warns, []string{
		WarnAbsent + " $[2]",
		WarnAbsentResource + " $[4]",
		WarnAbsent + " $[6]",
		WarnIgnoredKey + " $",
		WarnTenant + " ",
		WarnNotExported + " ", WarnNotExported + " ", WarnNotExported + " ",
	}, []string{"EFTestMode", "EXOOutboundConnector", "RejectDirectSend", "AADGroup (2)", "",
		"Get-ArcConfig", "Get-HostedConnectionFilterPolicy", "Get-MxRecordReport"})
	for _, n := range []string{"EFSkipMailGateway", "TrustedOrganizations"} {
		if !strings.Contains(warns[0].Msg, n) {
			t.Errorf("absent-fields warning does not name %s: %s", n, warns[0].Msg)
		}
	}
	if !strings.Contains(warns[3].Msg, "EXOAntiPhishPolicy (1)") {
		t.Errorf("ignored resources warning does not name EXOAntiPhishPolicy (1): %s", warns[3].Msg)
	}
}

func checkNull(t *testing.T, tn tenantgate.Tenant, warns []Warning) {
	// Nothing imported.
	if diff := cmp.Diff(tenantgate.Tenant{}, tn); diff != "" {
		t.Errorf("tenant (-want +got):\n%s", diff)
	}
	// An "empty" warning, the tenant ID, no tenant name (no onmicrosoft.com domain), and every
	// cmdlet not exported.
	checkWarnings(t, warns, []string{
		WarnEmpty + " $",
		WarnTenant + " ", WarnTenant + " ",
		WarnNotExported + " ", WarnNotExported + " ", WarnNotExported + " ", WarnNotExported + " ",
		WarnNotExported + " ", WarnNotExported + " ", WarnNotExported + " ", WarnNotExported + " ",
	}, []string{"", "", "onmicrosoft.com", "Get-InboundConnector", "Get-OutboundConnector", "Get-AcceptedDomain",
		"Get-TransportRule", "Get-OrganizationConfig", "Get-ArcConfig", "Get-HostedConnectionFilterPolicy", "Get-MxRecordReport"})
}

func bp(b bool) *bool { return &b }

// TestImportScubaGear imports the real ScubaGear export. The expected Tenant is written out from
// the property mapping of docs/exoimport.md#rules and the excerpt, not from the importer's output.
func TestImportScubaGear(t *testing.T) {
	tn, warns, err := Import(readExport(t, "scubagear-1.8.0-provider-export-excerpt.json"))
	if err != nil {
		t.Fatal(err)
	}
	ad := func(n string) tenantgate.AcceptedDomain {
		return tenantgate.AcceptedDomain{Name: tenantgate.Domain(n), DomainType: tenantgate.Authoritative}
	}
	want := tenantgate.Tenant{
		// InitialDomain true on tqhjy.onmicrosoft.com names the tenant.
		Name: "tqhjy",
		// The seven accepted domains, all Authoritative with MatchSubDomains false, in order.
		AcceptedDomains: []tenantgate.AcceptedDomain{
			ad("tqhjy.onmicrosoft.com"), ad("tqhjy.mail.onmicrosoft.com"), ad("example.com"),
			ad("subdomain.example.com"), ad("sub.subdomain.example.com"), ad("test365.tqhjy.dhs.gov"),
			ad("testtesttest.test365.tqhjy.dhs.gov"),
		},
		// The one inbound connector: Enabled true, Partner, source AdminUI, SenderDomains
		// "smtp:test.domain.com;1" read as test.domain.com, RequireTls true, EFTestMode false,
		// empty lists (stored as empty, not nil: the export said []).
		Inbound: []tenantgate.InboundConnector{{
			Name: "inbound connector test 1", ConnectorType: tenantgate.ConnectorPartner, Enabled: bp(true),
			SenderDomains: []tenantgate.DomainPattern{"test.domain.com"}, SenderIPAddresses: []string{},
			RequireTLS: true, AssociatedAcceptedDomains: []tenantgate.Domain{}, TrustedOrganizations: []string{},
			ConnectorSource: "AdminUI", EFSkipIPs: []string{}, EFUsers: []string{}, EFTestMode: bp(false),
			EFSkipMailGateway: []string{},
		}},
		// outbound_connectors is [null]: none. The one transport rule prepends a subject: neither
		// routing nor SCL, so ignored.
	}
	if diff := cmp.Diff(want, tn); diff != "" {
		t.Errorf("Import(ScubaGear) (-want +got):\n%s", diff)
	}
	tn.ID = tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111")
	if _, err := tenantgate.Compile(tenantgate.Config{Tenants: []tenantgate.Tenant{tn}}); err != nil {
		t.Errorf("Compile(imported ScubaGear tenant): %v", err)
	}
	var codes []string
	for _, w := range warns {
		codes = append(codes, w.Code+" "+w.Path)
	}
	wantCodes := []string{
		// transport_config is Get-TransportConfig, which the model has no place for.
		WarnIgnoredKey + " $",
		WarnRuleIgnored + " $.transport_rule[0]",
		WarnTenant + " ",
		// ScubaGear 1.8.0's excerpt has no org_config, ARC, connection filter or MX reports.
		WarnNotExported + " ", WarnNotExported + " ", WarnNotExported + " ", WarnNotExported + " ",
	}
	if diff := cmp.Diff(wantCodes, codes); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestImportErrors: each bad value is reported with its file and JSON path
// (docs/exoimport.md#rules).
func TestImportErrors(t *testing.T) {
	cases := []struct {
		name  string
		files []File
		want  []string // "file: path" of each error
		msg   string   // a phrase the first error must contain
	}{
		{"numeric enum", []File{{"in.json", []byte(`[{"Name":"a","ConnectorType":1,"SenderDomains":["smtp:*;1"]}]`)}},
			[]string{"in.json: $[0].ConnectorType"}, "re-export with ConvertTo-Json -EnumsAsStrings"},
		{"nested numeric enum", []File{{"in.json", []byte(`{"Name":"a","TlsSettings":{"value":2},"SmartHosts":["h.example"]}`)}},
			[]string{"in.json: $.TlsSettings"}, "-EnumsAsStrings"},
		{"unknown enum name", []File{{"ad.json", []byte(`{"DomainName":"contoso.com","DomainType":"Federated"}`)}},
			[]string{"ad.json: $.DomainType"}, "not one of Authoritative, InternalRelay"},
		{"ExternalRelay", []File{{"ad.json", []byte(`{"DomainName":"contoso.com","DomainType":"ExternalRelay"}`)}},
			[]string{"ad.json: $.DomainType"}, "on-premises"},
		{"string bool", []File{{"in.json", []byte(`[{"Name":"a","Enabled":"yes","SenderDomains":[]}]`)}},
			[]string{"in.json: $[0].Enabled"}, "want true or false"},
		{"bad sender domains", []File{{"in.json", []byte(`[{"Name":"a","SenderDomains":["smtp:bad..domain;1","x400:c=US;a= ;p=Contoso","smtp:*;x", 7]}]`)}},
			// The element of the wrong type is found while reading the list, before the values are parsed.
			[]string{"in.json: $[0].SenderDomains[3]", "in.json: $[0].SenderDomains[0]", "in.json: $[0].SenderDomains[1]", "in.json: $[0].SenderDomains[2]"}, "want a string"},
		{"IPv6 sender IP", []File{{"in.json", []byte(`[{"Name":"a","SenderIPAddresses":["198.51.100.1","2001:db8::1"]}]`)}},
			[]string{"in.json: $[0].SenderIPAddresses[1]"}, ""},
		{"keys differing in case", []File{{"in.json", []byte(`{"Name":"a","name":"b","SenderDomains":[]}`)}},
			[]string{"in.json: $.Name"}, "differ only in case"},
		{"syntax", []File{{"x.json", []byte("[\n{\"Name\": }]")}},
			[]string{"x.json: $"}, "line 2, column"},
		{"trailing data", []File{{"x.json", []byte(`{"DomainName":"a.example","DomainType":"Authoritative"} {}`)}},
			[]string{"x.json: $"}, "after the JSON value"},
		{"unrecognised object", []File{{"x.json", []byte(`{"Foo": 1}`)}},
			[]string{"x.json: $"}, "not a recognised export"},
		{"unrecognised element", []File{{"x.json", []byte(`[{"DomainName":"a.example","DomainType":"Authoritative"}, 5]`)}},
			[]string{"x.json: $"}, "not a recognised export"},
		{"our config", []File{{"config.json", []byte(`{"tenants": [], "gateway": {}}`)}},
			[]string{"config.json: $"}, "tenantgate.LoadConfig"},
		{"ScubaGear value", []File{{"sg.json", []byte(`{"inbound_connectors": [{"Name":"x","EFSkipIPs":["bogus"]}]}`)}},
			[]string{"sg.json: $.inbound_connectors[0].EFSkipIPs[0]"}, "not an IP address"},
		{"REST priority", []File{{"r.json", []byte(`{"value":[{"Priority":"first","State":"Enabled","Name":"r"}]}`)}},
			[]string{"r.json: $.value[0].Priority"}, "not an integer"},
		{"bad date", []File{{"r.json", []byte(`[{"Name":"r","State":"Enabled","Priority":0,"SetSCL":-1,"ExpiryDate":"tomorrow"}]`)}},
			[]string{"r.json: $[0].ExpiryDate"}, "not a date"},
		{"SCL out of range", []File{{"r.json", []byte(`[{"Name":"r","State":"Enabled","Priority":0,"SetSCL":"12"}]`)}},
			[]string{"r.json: $[0].SetSCL"}, "-1 to 9"},
		{"MX row without PointsToService", []File{{"orca.json", []byte(`{"MXReports":[{"Domain":"contoso.com"}]}`)}},
			[]string{"orca.json: $.MXReports[0].PointsToService"}, "required"},
		{"DSC without ResourceName string", []File{{"dsc.json", []byte(`[{"ResourceName":"EXOAcceptedDomain","Identity":"a.example"},{"ResourceName":5}]`)}},
			[]string{"dsc.json: $[1]"}, "ResourceName"},
		{"path quoting", []File{{"sg.json", []byte(`{"accepted_domains": {"DomainName":"a.example","DomainType":"Authoritative","Match Sub":1,"MatchSubDomains":"no"}}`)}},
			[]string{"sg.json: $.accepted_domains.MatchSubDomains"}, "want true or false"},
		{"same cmdlet twice", []File{
			{"a.json", []byte(`{"DomainName":"a.example","DomainType":"Authoritative"}`)},
			{"b.json", []byte(`{"DomainName":"b.example","DomainType":"Authoritative"}`)}},
			[]string{"b.json: $"}, "already in a.json"},
		{"not UTF-8", []File{{"x.json", []byte("\xc3\x28")}}, []string{"x.json: $"}, "not UTF-8"},
		{"odd UTF-16", []File{{"x.json", []byte("\xff\xfe[")}}, []string{"x.json: $"}, "odd number"},
		{"too deep", []File{{"x.json", []byte(strings.Repeat("[", 200) + strings.Repeat("]", 200))}}, []string{"x.json: $"}, "nested deeper"},
		{"missing name", []File{{"o.json", []byte(`{"SmartHosts":["h.example"],"UseMXRecord":false}`)}},
			[]string{"o.json: $.Name"}, "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn, warns, err := Import(tc.files...)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Import error = %v; want Errors", err)
			}
			if !cmp.Equal(tn, tenantgate.Tenant{}) || warns != nil {
				t.Errorf("Import returned a tenant or warnings with an error: %+v %v", tn, warns)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.File+": "+e.Path)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error paths (-want +got):\n%s\n%v", diff, err)
			}
			if !strings.Contains(es[0].Msg, tc.msg) {
				t.Errorf("first error %q does not say %q", es[0].Msg, tc.msg)
			}
		})
	}
}

func TestImportTooManyErrors(t *testing.T) {
	// 150 bad booleans: Import stops collecting at maxErrors.
	var b bytes.Buffer
	b.WriteString("[")
	for i := range 150 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"DomainName":"a.example","DomainType":"Authoritative","MatchSubDomains":1}`)
	}
	b.WriteString("]")
	_, _, err := Import(File{"big.json", b.Bytes()})
	var es Errors
	if !errors.As(err, &es) || len(es) != maxErrors {
		t.Fatalf("got %d errors; want %d", len(es), maxErrors)
	}
}

// TestDetect: each fixture's Format follows from its top-level shape
// (docs/exoimport.md#what-it-reads).
func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want Format
	}{
		{"scubagear", readExport(t, "scubagear-1.8.0-provider-export-excerpt.json").Data, FormatScubaGear},
		{"orca", readExport(t, "orca-config.json").Data, FormatORCA},
		{"dsc", readExport(t, "m365dsc-report.json").Data, FormatM365DSC},
		{"rest", readExport(t, "rest-transportrules.json").Data, FormatREST},
		{"ps7 array", readExport(t, "ps7-inbound.json").Data, FormatCmdlet},
		{"bare object", readExport(t, "ps7-outbound-bare.json").Data, FormatCmdlet},
		{"utf-16", readExport(t, "ps51-mx-utf16.json").Data, FormatCmdlet},
		{"[null]", []byte("[null]"), FormatCmdlet},
		{"null", []byte("null"), FormatCmdlet},
		{"empty", []byte(" \r\n"), FormatCmdlet},
		{"config", mustRead(t, "../testdata/config/demo.json"), FormatConfig},
		{"config without tenants", []byte(`{"gateway": {"name": "gw.example.net"}}`), FormatConfig},
		{"unknown object", []byte(`{"Foo": 1}`), FormatUnknown},
		{"number", []byte(`42`), FormatUnknown},
		{"broken", []byte(`{"value": [`), FormatUnknown},
	}
	for _, tc := range cases {
		if got := Detect(tc.data); got != tc.want {
			t.Errorf("Detect(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseDate: the date forms of docs/exoimport.md#rules all name the same instant.
func TestParseDate(t *testing.T) {
	const want = "2026-03-02T23:15:23Z" // 1772493323000 ms after the epoch
	for _, s := range []string{
		`/Date(1772493323000)/`,
		`/Date(1772493323000+0100)/`, // the offset is display only: the milliseconds are UTC
		"2026-03-02T23:15:23.0000000Z",
		"2026-03-03T00:15:23.0000000+01:00",
		"2026-03-02T23:15:23",
		"3/2/2026 11:15:23 PM",
	} {
		got, err := parseDate(s)
		if err != nil {
			t.Errorf("parseDate(%q): %v", s, err)
			continue
		}
		if g := got.Format("2006-01-02T15:04:05Z"); g != want {
			t.Errorf("parseDate(%q) = %s; want %s", s, g, want)
		}
	}
	for _, s := range []string{"", "/Date()/", "/Date(12a)/", "2026-13-01T00:00:00Z", "tomorrow"} {
		if _, err := parseDate(s); err == nil {
			t.Errorf("parseDate(%q) succeeded; want an error", s)
		}
	}
}

// TestClassify: every object of the bundles, classified by its keys alone, is what the bundle's
// wrapper key says it is (docs/exoimport.md#what-it-reads); Get-TransportConfig, which the model
// has no place for, is not mistaken for anything.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		file string
		keys map[string]objKind
	}{
		{"scubagear-1.8.0-provider-export-excerpt.json", scubaKeys},
		{"orca-config.json", orcaKeys},
	} {
		n, err := parse(readExport(t, tc.file).Data)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range n.keys {
			want, ok := bundleKey(tc.keys, k)
			v := n.vals[i]
			if v.kind == kObject {
				v = &node{kind: kArray, arr: []*node{v}}
			}
			for j, e := range v.arr {
				if e.kind == kNull {
					continue
				}
				if got := classify(e); got != want || !ok && got != kindUnknown {
					t.Errorf("%s: classify(%s[%d]) = %v; want %v", tc.file, k, j, got, want)
				}
			}
		}
	}
}
