package tenantgate

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

func loadDemo(t testing.TB) *Directory {
	t.Helper()
	f, err := os.Open("testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLoadConfigErrors checks LoadConfig's errors word for word (issue 16 §2): line and column
// of the offending key or value (1-based, bytes), its JSON path with array indices, plain words
// without Go type names, and every problem at once.
func TestLoadConfigErrors(t *testing.T) {
	const p = "tenantgate: config: "
	tests := []struct {
		name, in, want string
	}{
		// The key's opening quote: line 3, column 15.
		{"unknown field", "{\n  \"tenants\": [],\n  \"gateway\": {\"nmae\": \"x\"}\n}", p + `line 3, column 15: gateway: unknown field "nmae"`},
		// The value 5 is column 23.
		{"wrong type", "{\"tenants\": [{\"name\": 5}]}", p + "line 1, column 23: tenants[0].name: want a string, not a number"},
		{"bad tenant id", "{\"tenants\": [{\"id\": \"nope\"}]}",
			p + `line 1, column 21: tenants[0].id: invalid tenant ID "nope": want 36 characters in the form 8-4-4-4-12, have 4`},
		{"syntax", "{\"tenants\": [}", p + "line 1, column 14: '}' where a value (a string, number, object, list, true, false or null) was expected"},
		{"trailing data", "{} {}", p + "line 1, column 4: unexpected data after the JSON value"},
		{"bad network", `{"gateway": {"exchangeOnline": {"networks": ["40.92.0.0/33"]}}}`,
			p + `line 1, column 46: gateway.exchangeOnline.networks[0]: "40.92.0.0/33" is not a network in CIDR form such as 192.0.2.0/24: prefix length out of range`},
		// The examples: a key in the wrong case, and one key twice in two spellings.
		{"wrong case", "{\"tenants\": [{\"inbound\": [{\"name\": \"a\"},\n  {\"name\": \"b\", \"requireTLS\": true}]}]}",
			p + `line 2, column 17: tenants[0].inbound[1]: unknown field "requireTLS" (did you mean "requireTls"? keys are case-sensitive)`},
		{"case twin", "{\"tenants\": [{\"inbound\": [{\"requireTls\": true,\n \"RequireTls\": false}]}]}",
			p + `line 2, column 2: tenants[0].inbound[0]: unknown field "RequireTls" (did you mean "requireTls"? keys are case-sensitive)`},
		{"duplicate", "{\"tenants\": [{\"inbound\": [{\"requireTls\": true,\n \"requireTls\": false}]}]}",
			p + "line 2, column 2: tenants[0].inbound[0].requireTls: repeated key (first at line 1, column 28); a key may appear once in an object"},
		// Every value error at once, each with its path: a bad GUID, a bad gateway address and a
		// bad served tenant (the report stopped at the first and named no path).
		{"every problem", "{\"tenants\": [{\"id\": \"nope\"}],\n \"gateway\": {\"addresses\": [\"192.0.2.1\", \"300.0.0.1\"], \"serves\": [\"x\"]}}",
			p + `line 1, column 21: tenants[0].id: invalid tenant ID "nope": want 36 characters in the form 8-4-4-4-12, have 4` +
				"\n" + `line 2, column 41: gateway.addresses[1]: "300.0.0.1" is not an IP address: IPv4 field has value >255` +
				"\n" + `line 2, column 66: gateway.serves[0]: invalid tenant ID "x": want 36 characters in the form 8-4-4-4-12, have 1`},
		{"empty", "", p + "line 1, column 1: no JSON value: the file is empty"},
		// The report named the Go type []tenantgate.TenantID here.
		{"serves as a string", `{"gateway": {"serves": "11111111-1111-1111-1111-111111111111"}}`,
			p + "line 1, column 24: gateway.serves: want a list […], not a string"},
		// A map keyed by tenant ID: the bad key by its path, at its opening quote (column 29).
		{"smart host key", `{"gateway": {"smartHosts": {"nope": "x"}}}`,
			p + `line 1, column 29: gateway.smartHosts.nope: key: invalid tenant ID "nope": want 36 characters in the form 8-4-4-4-12, have 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("LoadConfig error =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestLoadConfigEncodings checks that a configuration saved by Windows PowerShell loads: UTF-8
// with a byte order mark (Out-File -Encoding utf8 in 5.1) and UTF-16LE with one (5.1's "> file").
func TestLoadConfigEncodings(t *testing.T) {
	data, err := os.ReadFile("testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	u16 := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune(string(data))) {
		u16 = append(u16, byte(c), byte(c>>8))
	}
	for name, in := range map[string][]byte{"UTF-8 BOM": append([]byte{0xEF, 0xBB, 0xBF}, data...), "UTF-16LE": u16} {
		got, err := LoadConfig(bytes.NewReader(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: loads differently from UTF-8: %+v", name, got)
		}
	}
}

// TestLoadConfigTestdata checks that the stricter decoding refuses no configuration this
// repository ships: every testdata configuration of the library and the examples loads.
func TestLoadConfigTestdata(t *testing.T) {
	var files []string
	for _, g := range []string{"testdata/config/*.json", "examples/*/testdata/*.json", "examples/*/testdata/config/*.json", "docs/*.json"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(`"tenants"`)) && !bytes.Contains(data, []byte(`"gateway"`)) || bytes.Contains(data, []byte(`"relay"`)) || bytes.Contains(data, []byte(`"milter"`)) {
			continue // not a configuration (exports, scenario files, the examples' own files)
		}
		n++
		if _, err := LoadConfig(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if n < 20 {
		t.Errorf("only %d configurations found", n)
	}
}

// TestCompileErrors feeds one configuration with one mistake of every kind Compile refuses and
// checks that every mistake is reported at once, with its JSON path.
func TestCompileErrors(t *testing.T) {
	const cfg = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [
        { "name": "contoso.com" },
        { "name": "contoso.com" },
        { "name": "sub.contoso.com", "matchSubDomains": true },
        { "name": "ext.contoso.com", "domainType": "ExternalRelay" },
        { "name": "bad..domain" } ],
      "inbound": [
        { "name": "a", "connectorType": "OnPremises", "senderIPAddresses": ["192.0.2.0/23", "2001:db8::1", "192.0.2.7"] },
        { "name": "a", "treatMessagesAsInternal": true, "restrictDomainsToIPAddresses": true },
        { "name": "c", "connectorType": "OnPremises", "treatMessagesAsInternal": true, "cloudServicesMailEnabled": true,
          "tlsSenderCertificateName": "mail.*.contoso.com", "efSkipIPs": ["10.0.0.0/8", "198.51.100.1-198.51.100.9"] },
        { "name": "d", "connectorType": "OnPremises", "restrictDomainsToCertificate": true,
          "associatedAcceptedDomains": ["fabrikam.com"], "senderDomains": ["f*.example"] },
        { "name": "e", "connectorType": "Hybrid", "tlsSenderCertificateName": "*" } ],
      "outbound": [
        { "name": "o1", "useMXRecord": false },
        { "name": "o2", "smartHosts": ["gw.example.net"], "useMXRecord": true, "recipientDomains": ["*"],
          "allAcceptedDomains": true, "tlsSettings": "DomainValidation" },
        { "name": "o3", "tlsSettings": "Strict", "isTransportRuleScoped": true } ],
      "rules": [
        { "name": "r1", "routeMessageOutboundConnector": "nope", "fromScope": "Everywhere" },
        { "name": "", "routeMessageOutboundConnector": "o3", "exceptIfHeaderContainsMessageHeader": "X-Done" } ] },
    { "id": "11111111-1111-1111-1111-111111111111", "name": "dup" },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "Contoso.com" } ] },
    { "id": "00000000-0000-0000-0000-000000000000", "name": "" }
  ],
  "gateway": {
    "name": "gw.example.net",
    "serves": ["11111111-1111-1111-1111-111111111111", "33333333-3333-3333-3333-333333333333",
               "11111111-1111-1111-1111-111111111111"],
    "identities": [
      { "name": "t1", "certNames": [], "for": "11111111-1111-1111-1111-111111111111" },
      { "name": "t1", "certNames": ["ok.example"], "for": "22222222-2222-2222-2222-222222222222" },
      { "name": "x", "for": "somebody" },
      { "name": "i1", "for": "internet" },
      { "name": "i2", "for": "internet", "certNames": ["bad name"] } ],
    "smartHosts": { "22222222-2222-2222-2222-222222222222": "fabrikam-com.mail.protection.outlook.com" }
  }
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
	// Each path is a mistake planted above; the comment says which rule refuses it.
	want := []string{
		"tenants[0].acceptedDomains[2].matchSubDomains",      // MatchSubDomains only on InternalRelay
		"tenants[0].acceptedDomains[3].domainType",           // no ExternalRelay in EXO
		"tenants[0].acceptedDomains[4].name",                 // empty label
		"tenants[0].inbound[0].senderIPAddresses[0]",         // /23 wider than /24
		"tenants[0].inbound[0].senderIPAddresses[1]",         // IPv6 not supported
		"tenants[0].inbound[1].name",                         // duplicate name
		"tenants[0].inbound[1].treatMessagesAsInternal",      // only on OnPremises
		"tenants[0].inbound[1].restrictDomainsToIPAddresses", // needs senderIPAddresses
		"tenants[0].inbound[2].tlsSenderCertificateName",     // embedded wildcard
		"tenants[0].inbound[2].treatMessagesAsInternal",      // not with cloudServicesMailEnabled
		"tenants[0].inbound[2]",                              // OnPremises needs cert name or IPs (the name was refused)
		"tenants[0].inbound[3].senderDomains[0]",             // partial wildcard
		"tenants[0].inbound[3]",                              // OnPremises without identification
		"tenants[0].inbound[3].restrictDomainsToCertificate", // needs tlsSenderCertificateName
		"tenants[0].inbound[4].connectorType",                // unknown type
		"tenants[0].inbound[4].tlsSenderCertificateName",     // "*" matches every certificate
		"tenants[0].outbound[0].smartHosts",                  // useMXRecord false needs smart hosts
		"tenants[0].outbound[0].recipientDomains",            // no recipient domains
		"tenants[0].outbound[1].useMXRecord",                 // smart hosts with MX routing
		"tenants[0].outbound[1].tlsDomain",                   // DomainValidation without tlsDomain
		"tenants[0].outbound[1].allAcceptedDomains",          // OnPremises only
		"tenants[0].outbound[2].tlsSettings",                 // unknown setting
		"tenants[0].rules[0].fromScope",                      // unknown scope
		"tenants[0].rules[0].routeMessageOutboundConnector",  // no such connector
		"tenants[0].rules[1].name",                           // required
		"tenants[0].rules[1].exceptIfHeaderContainsWords",    // half an exception
		"tenants[1].id",                                           // duplicate tenant
		"tenants[3].name",                                         // required
		"tenants[3].id",                                           // zero GUID
		"tenants[0].acceptedDomains[1].name",                      // listed twice
		"tenants[0].inbound[2].efSkipIPs[0]",                      // private range
		"tenants[0].inbound[3].associatedAcceptedDomains[0]",      // not an accepted domain of the tenant
		"tenants[2].acceptedDomains[0].name",                      // contoso.com in two tenants
		"gateway.serves[1]",                                       // unknown tenant
		"gateway.serves[2]",                                       // listed twice
		"gateway.identities[0].certNames",                         // tenant identity without a certificate
		"gateway.identities[1].name",                              // duplicate identity name
		"gateway.identities[1].for",                               // tenant not served
		"gateway.identities[2].for",                               // neither a GUID nor "internet"
		"gateway.identities[4].certNames[0]",                      // bad name
		"gateway.identities[4].for",                               // second Internet identity
		"gateway.smartHosts.22222222-2222-2222-2222-222222222222", // not served
	}
	if diff := cmp.Diff(sortedCopy(want), sortedCopy(got)); diff != "" {
		t.Errorf("error paths (-want +got):\n%s\nfull error:\n%v", diff, err)
	}
	for _, e := range ce {
		if e.Msg == "" {
			t.Errorf("%s: empty message", e.Path)
		}
	}
	if !strings.Contains(err.Error(), "tenants[0].inbound[0].senderIPAddresses[0]: /23 is wider than Exchange Online allows (/24–/32)") {
		t.Errorf("message for the /23 range does not say what is wrong:\n%v", err)
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestCompileDefaults(t *testing.T) {
	c, err := LoadConfig(strings.NewReader(`{
  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "Contoso",
                 "acceptedDomains": [ { "name": "CONTOSO.com." } ],
                 "inbound": [ { "name": "p", "senderIPAddresses": ["192.0.2.9"] } ] } ],
  "gateway": { "name": "GW.example.net", "serves": ["11111111-1111-1111-1111-111111111111"] } }`))
	if err != nil {
		t.Fatal(err)
	}
	in := c.Tenants[0].AcceptedDomains[0].Name
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tenants[0].AcceptedDomains[0].Name != in {
		t.Error("Compile modified its input")
	}
	ten, _ := d.Tenant(MustParseTenantID("11111111-1111-1111-1111-111111111111"))
	// The MOERA domain is implied (docs/exchange-online.md#accepted-domains), domains are
	// normalised.
	wantDomains := []AcceptedDomain{{Name: "contoso.com"}, {Name: "contoso.onmicrosoft.com", DomainType: Authoritative}}
	if diff := cmp.Diff(wantDomains, ten.AcceptedDomains); diff != "" {
		t.Errorf("accepted domains (-want +got):\n%s", diff)
	}
	g := d.Gateway()
	if diff := cmp.Diff(DefaultEXOCertNames(), g.ExchangeOnline.CertNames); diff != "" {
		t.Errorf("EXO cert names (-want +got):\n%s", diff)
	}
	if len(g.ExchangeOnline.Networks) != len(DefaultEXONetworks()) {
		t.Errorf("EXO networks = %v; want the defaults", g.ExchangeOnline.Networks)
	}
	if g.AuthServID != "gw.example.net" {
		t.Errorf("AuthServID = %q; want the normalised gateway name", g.AuthServID)
	}
	// An Internet identity without a certificate is implied.
	if diff := cmp.Diff(&Identity{Name: "internet", For: "internet"}, d.InternetIdentity()); diff != "" {
		t.Errorf("Internet identity (-want +got):\n%s", diff)
	}
	conn := &ten.Inbound[0]
	if conn.Type() != ConnectorPartner || !conn.IsEnabled() || conn.EnhancedFiltering() {
		t.Errorf("inbound defaults: type %s enabled %v EF %v; want Partner, enabled, no EF", conn.Type(), conn.IsEnabled(), conn.EnhancedFiltering())
	}
}

// TestCompileGatewayName checks that a gateway without a name is refused (issue 16 §2: a
// gateway's name is its HELO name and authserv-id), while a configuration without any gateway
// still compiles as a directory of tenants.
func TestCompileGatewayName(t *testing.T) {
	const want = "tenantgate: 1 configuration error\n  gateway.name: required: the gateway's host name (its HELO name and default authserv-id)"
	for _, in := range []string{
		`{"gateway": {"name": "", "serves": []}}`,
		`{"gateway": {"name": "  "}}`,
		`{"gateway": {"addresses": ["192.0.2.1"]}}`,
	} {
		c, err := LoadConfig(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Compile(c); err == nil || err.Error() != want {
			t.Errorf("%s: Compile = %v; want %s", in, err, want)
		}
	}
	if _, err := Compile(Config{}); err != nil {
		t.Errorf("no gateway: Compile = %v", err)
	}
}

func TestCompileExplicitEmptyEXO(t *testing.T) {
	// threats case 28/33: an emptied list means nothing matches, not the defaults.
	c, err := LoadConfig(strings.NewReader(`{"tenants": [], "gateway": {"name": "gw.example.net", "exchangeOnline": {"certNames": [], "networks": []}}}`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	if g := d.Gateway(); len(g.ExchangeOnline.CertNames) != 0 || len(g.ExchangeOnline.Networks) != 0 {
		t.Errorf("explicitly empty EXO peer became %+v", g.ExchangeOnline)
	}
	if d.Serves(TenantID{}) {
		t.Error("an empty Serves list must serve nobody")
	}
}

func FuzzLoadConfig(f *testing.F) {
	demo, err := os.ReadFile("testdata/config/demo.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte(`{"tenants":[{"id":"11111111-1111-1111-1111-111111111111","name":"a","inbound":[{"name":"x","connectorType":"OnPremises","senderIPAddresses":["192.0.2.0/24"]}]}],"gateway":{"serves":["11111111-1111-1111-1111-111111111111"]}}`))
	f.Add([]byte(`{"gateway":{"exchangeOnline":{"networks":[]}}}`))
	f.Add([]byte(sendAsConfig))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := LoadConfig(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		d, err := Compile(c)
		if err != nil {
			var ce ConfigErrors
			if !errors.As(err, &ce) || len(ce) == 0 {
				t.Fatalf("Compile error %v is not a non-empty ConfigErrors", err)
			}
			return
		}
		// Every certificate name Compile accepts is one ParseCertName (and so tlsid) accepts:
		// a configured name can always be matched by some certificate.
		g := d.Gateway()
		names := slices.Clone(g.ExchangeOnline.CertNames)
		for _, id := range g.Identities {
			names = append(names, id.CertNames...)
		}
		for _, ten := range d.Tenants() {
			for _, c := range ten.Inbound {
				names = append(names, string(c.TLSSenderCertificateName))
			}
			for _, c := range ten.Outbound {
				names = append(names, string(c.TLSDomain))
			}
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			base, wild, err := ParseCertName(n)
			if err != nil || strings.TrimPrefix(n, "*.") != string(base) || strings.HasPrefix(n, "*.") != wild {
				t.Fatalf("compiled certificate name %q: ParseCertName = %q, %v, %v", n, base, wild, err)
			}
		}
		// Every accepted domain of a compiled configuration has exactly one owner: its tenant.
		for _, ten := range d.Tenants() {
			for _, ad := range ten.AcceptedDomains {
				owner, _, ok := d.Owner(ad.Name)
				if !ok || owner.ID != ten.ID {
					t.Fatalf("Owner(%s) = %v, %v; want %s", ad.Name, owner, ok, ten.ID)
				}
			}
		}
		// Sender binding: a tenant may send as what its sendAs names, and never as an accepted
		// domain of another served tenant, whatever its sendAs says.
		for _, ten := range d.Tenants() {
			for _, p := range ten.SendAs {
				if m := d.SenderDomain(ten.ID, p.Base()); m.Class != SenderTenantDomain && m.Class != SenderSendAs {
					t.Fatalf("tenant %s: SenderDomain(%s) of its own sendAs %s = %s", ten.Name, p.Base(), p, m.Class)
				}
			}
			for _, o := range d.Tenants() {
				if o.ID == ten.ID || !d.Serves(o.ID) {
					continue
				}
				for _, ad := range o.AcceptedDomains {
					if m := d.SenderDomain(ten.ID, ad.Name); m.Class != SenderOtherServedTenant {
						t.Fatalf("tenant %s: SenderDomain(%s) of served tenant %s = %s", ten.Name, ad.Name, o.Name, m.Class)
					}
				}
			}
		}
	})
}

// TestDemoConfig checks the facts of the demo topology that the CLI, the scenarios and the
// README rely on: two served tenants, one Office 365 tenant that is not ours.
func TestDemoConfig(t *testing.T) {
	d := loadDemo(t)
	contoso := MustParseTenantID("11111111-1111-1111-1111-111111111111")
	fabrikam := MustParseTenantID("22222222-2222-2222-2222-222222222222")
	woodgrove := MustParseTenantID("33333333-3333-3333-3333-333333333333")
	if !d.Serves(contoso) || !d.Serves(fabrikam) || d.Serves(woodgrove) {
		t.Errorf("serves contoso %v fabrikam %v woodgrove %v; want true true false", d.Serves(contoso), d.Serves(fabrikam), d.Serves(woodgrove))
	}
	for dom, want := range map[Domain]TenantID{"eu.sub.contoso.net": contoso, "fabrikam.com": fabrikam, "woodgrove.example": woodgrove} {
		if ten, _, ok := d.Owner(dom); !ok || ten.ID != want {
			t.Errorf("Owner(%s) = %v, %v; want %s", dom, ten, ok, want)
		}
	}
	if id, ok := d.TenantIdentity(contoso); !ok || id.Name != "contoso" {
		t.Errorf("TenantIdentity(contoso) = %v, %v", id, ok)
	}
	if id := d.InternetIdentity(); id == nil || len(id.CertNames) != 0 {
		t.Errorf("InternetIdentity() = %+v; want one without a certificate", id)
	}
}

// TestCompileRefusesIPCertName: an IP address is no DNS name a certificate can carry for
// matching (tlsid.NormalizeName refuses it, RFC 6125 §6.2.1), so a connector or gateway
// certificate name that is one could never match. Compile refuses it with the field's path, in
// every place a certificate name is configured, exact or as a wildcard base.
func TestCompileRefusesIPCertName(t *testing.T) {
	const cfg = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" } ],
      "inbound": [
        { "name": "ip", "connectorType": "OnPremises", "tlsSenderCertificateName": "192.0.2.1" },
        { "name": "wild", "connectorType": "OnPremises", "tlsSenderCertificateName": "*.0.2.1" },
        { "name": "ok", "connectorType": "OnPremises", "tlsSenderCertificateName": "mail.contoso.com" } ],
      "outbound": [
        { "name": "o", "recipientDomains": ["*"], "tlsSettings": "DomainValidation", "tlsDomain": "198.51.100.7" } ] }
  ],
  "gateway": { "name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"],
    "exchangeOnline": { "certNames": ["mail.protection.outlook.com", "40.92.0.1"] },
    "identities": [ { "name": "c", "for": "11111111-1111-1111-1111-111111111111", "certNames": ["203.0.113.9"] } ] } }`
	c, err := LoadConfig(strings.NewReader(cfg))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(c)
	var ce ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("Compile: %v, want ConfigErrors", err)
	}
	var got []string
	for _, e := range ce {
		got = append(got, e.Path)
		if !strings.Contains(e.Msg, "IP address") {
			t.Errorf("%s: message %q does not say the name is an IP address", e.Path, e.Msg)
		}
	}
	want := []string{
		"tenants[0].inbound[0].tlsSenderCertificateName",
		"tenants[0].inbound[1].tlsSenderCertificateName",
		"tenants[0].outbound[0].tlsDomain",
		"gateway.exchangeOnline.certNames[1]",
		"gateway.identities[0].certNames[0]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error paths (-want +got):\n%s\nfull error:\n%v", diff, err)
	}
}

// FuzzParseCertName: ParseCertName never panics, and what it returns is normalised: it parses
// again to itself, in lower case, with a base ParseDomain accepts.
func FuzzParseCertName(f *testing.F) {
	for _, s := range []string{"mail.contoso.com", "*.contoso.com", "192.0.2.1", "*.0.2.1", "*", "f*.x", "B\u00fccher.example.", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base, wild, err := ParseCertName(s)
		if err != nil {
			if !errors.Is(err, ErrDomain) {
				t.Fatalf("ParseCertName(%q): %v does not wrap ErrDomain", s, err)
			}
			return
		}
		form := string(base)
		if wild {
			form = "*." + form
		}
		if b2, w2, err := ParseCertName(form); err != nil || b2 != base || w2 != wild {
			t.Fatalf("ParseCertName(%q) = %q, %v; again %q, %v, %v", s, base, wild, b2, w2, err)
		}
		if d, err := ParseDomain(string(base)); err != nil || d != base || strings.ToLower(form) != form {
			t.Fatalf("ParseCertName(%q) = %q: not a normalised domain (%v)", s, base, err)
		}
	})
}

// TestParseCertName pins the one normaliser Compile and tlsid share.
func TestParseCertName(t *testing.T) {
	tests := []struct {
		in   string
		name Domain
		wild bool
		ok   bool
	}{
		{"Mail.Contoso.COM.", "mail.contoso.com", false, true},
		{"*.contoso.com", "contoso.com", true, true},
		{"bücher.example", "xn--bcher-kva.example", false, true},
		{"v4.example.123", "", false, false}, // last label all digits
		{"192.0.2.1", "", false, false},
		{"*.0.2.1", "", false, false},
		{"*", "", false, false},
		{"f*.contoso.com", "", false, false},
		{"a.*.contoso.com", "", false, false},
		{"mail\x00.contoso.com", "", false, false},
		{"", "", false, false},
		{strings.Repeat("a.", 128) + "com", "", false, false}, // 259 octets
	}
	for _, tt := range tests {
		n, w, err := ParseCertName(tt.in)
		if (err == nil) != tt.ok || n != tt.name || w != tt.wild {
			t.Errorf("ParseCertName(%q) = %q, %v, %v; want %q, %v, ok %v", tt.in, n, w, err, tt.name, tt.wild, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrDomain) {
			t.Errorf("ParseCertName(%q): %v does not wrap ErrDomain", tt.in, err)
		}
	}
}
