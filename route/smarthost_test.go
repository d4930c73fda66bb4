package route

import (
	"os"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

func TestSmartHostFor(t *testing.T) {
	tests := []struct {
		dom  tenantgate.Domain
		want string
	}{
		// docs/exchange-online.md#accepted-domains, MX host form: dots become dashes.
		{"contoso.com", "contoso-com.mail.protection.outlook.com"},
		// docs/exchange-online.md#accepted-domains: existing hyphens are kept.
		{"my-company.co.uk", "my-company-co-uk.mail.protection.outlook.com"},
		// docs/exchange-online.md#accepted-domains (add-on doc): fabrikam.onmicrosoft.com →
		// fabrikam.mail.protection.outlook.com.
		{"fabrikam.onmicrosoft.com", "fabrikam.mail.protection.outlook.com"},
		// The hybrid routing domain of the same tenant (our [INF] choice, documented).
		{"contoso.mail.onmicrosoft.com", "contoso.mail.protection.outlook.com"},
		// Deeper below onmicrosoft.com is not a MOERA domain: the general rule applies.
		{"a.b.onmicrosoft.com", "a-b-onmicrosoft-com.mail.protection.outlook.com"},
		// Normalised first: case, trailing dot, U-labels (münchen → xn--mnchen-3ya); the result must be
		// a valid host name.
		{"Contoso.COM.", "contoso-com.mail.protection.outlook.com"},
		{"MÜNCHEN.example", ""}, // xn--mnchen-3ya-example is no valid IDNA label: undocumented, so no guess
		{"a.münchen.example", "a-xn--mnchen-3ya-example.mail.protection.outlook.com"},
		// No name can be derived.
		{"", ""},
		{"not a domain", ""},
		{tenantgate.Domain(strings.Repeat("a", 30) + "." + strings.Repeat("b", 30) + ".com"), ""}, // a 65-octet label with dashes
	}
	for _, tc := range tests {
		if got := SmartHostFor(tc.dom); got != tc.want {
			t.Errorf("SmartHostFor(%q) = %q, want %q", tc.dom, got, tc.want)
		}
	}
}

func TestIsEXOHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"contoso-com.mail.protection.outlook.com", true},
		{"CONTOSO-COM.Mail.Protection.Outlook.com.", true},
		{"contoso-com.a-v1.mx.microsoft", true},                 // §4: DNSSEC MX hosts since March 2024
		{"contoso.mail.protection.office365.us", true},          // GCC High, DoD (SmartHostForCloud)
		{"contoso-cn.mail.protection.partner.outlook.cn", true}, // 21Vianet
		{"mail.protection.office365.us", false},
		{"contoso.protection.office365.us", false},
		{"mail.protection.outlook.com", false}, // the parent, no tenant host
		{"mx.microsoft", false},
		{"contoso-com.mail.protection.outlook.com.evil.example", false},
		{"evilmail.protection.outlook.com", false}, // not a label boundary
		{"gw.example.net", false},
		{"192.0.2.1", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := IsEXOHost(tc.host); got != tc.want {
			t.Errorf("IsEXOHost(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestTenantSmartHost(t *testing.T) {
	d := compile(t, `{
	  "tenants": [
	    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
	      "acceptedDomains": [ { "name": "contoso.onmicrosoft.com" }, { "name": "contoso.com" } ] },
	    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
	      "acceptedDomains": [ { "name": "relay.fabrikam.com", "domainType": "InternalRelay" },
	                           { "name": "fabrikam.com" } ] },
	    { "id": "33333333-3333-3333-3333-333333333333", "name": "Woodgrove",
	      "acceptedDomains": [ { "name": "only-relay.example", "domainType": "InternalRelay" } ] },
	    { "id": "44444444-4444-4444-4444-444444444444", "name": "tailspin" }
	  ],
	  "gateway": { "name": "gw.example.net",
	    "serves": ["11111111-1111-1111-1111-111111111111", "44444444-4444-4444-4444-444444444444"],
	    "smartHosts": { "44444444-4444-4444-4444-444444444444": "Tailspin-Custom.mail.protection.outlook.com" } }
	}`)
	tests := []struct {
		id     string
		want   string
		wantOK bool
	}{
		// First Authoritative custom domain; the onmicrosoft.com domain listed before it is skipped.
		{"11111111-1111-1111-1111-111111111111", "contoso-com.mail.protection.outlook.com", true},
		// InternalRelay domains are skipped: fabrikam.com is the first Authoritative custom one.
		{"22222222-2222-2222-2222-222222222222", "fabrikam-com.mail.protection.outlook.com", true},
		// No Authoritative custom domain: the MOERA form, from the name in lower case.
		{"33333333-3333-3333-3333-333333333333", "woodgrove.mail.protection.outlook.com", true},
		// The configured entry wins (normalised to lower case by Compile).
		{"44444444-4444-4444-4444-444444444444", "tailspin-custom.mail.protection.outlook.com", true},
		{"55555555-5555-5555-5555-555555555555", "", false},
	}
	for _, tc := range tests {
		got, ok := TenantSmartHost(d, tenantgate.MustParseTenantID(tc.id))
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("TenantSmartHost(%s) = %q, %v; want %q, %v", tc.id, got, ok, tc.want, tc.wantOK)
		}
	}
}

// loadConfigFile compiles a configuration file of the repository's testdata.
func loadConfigFile(t testing.TB, path string) *tenantgate.Directory {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return compile(t, string(b))
}

// compile loads and compiles a JSON configuration (README.md#configuration).
func compile(t testing.TB, js string) *tenantgate.Directory {
	t.Helper()
	c, err := tenantgate.LoadConfig(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
