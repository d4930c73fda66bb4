package route

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// TestSmartHostForCloud: the MX host forms Microsoft documents per cloud (SmartHostForCloud has
// the sources). GCC High and DoD name the host after the tenant ("contoso.onmicrosoft.us →
// contoso.mail.protection.office365.us", Microsoft's example), so a custom domain alone gives
// none; 21Vianet's <domain-key>.mail.protection.partner.outlook.cn takes the worldwide key
// (dots to dashes), and its initial domain, for which Microsoft documents no form, gives none.
func TestSmartHostForCloud(t *testing.T) {
	for _, tc := range []struct {
		cloud tenantgate.Cloud
		dom   tenantgate.Domain
		want  string
	}{
		{"", "contoso.com", "contoso-com.mail.protection.outlook.com"},
		{tenantgate.CloudWorldwide, "fabrikam.onmicrosoft.com", "fabrikam.mail.protection.outlook.com"},
		{tenantgate.CloudUSGovGCCHigh, "contoso.onmicrosoft.us", "contoso.mail.protection.office365.us"},
		{tenantgate.CloudUSGovDoD, "Contoso.OnMicrosoft.US.", "contoso.mail.protection.office365.us"},
		{tenantgate.CloudUSGovGCCHigh, "contoso.com", ""},              // named after the tenant: TenantSmartHost
		{tenantgate.CloudUSGovGCCHigh, "contoso.onmicrosoft.com", ""},  // not this cloud's initial domain
		{tenantgate.CloudUSGovGCCHigh, "a.contoso.onmicrosoft.us", ""}, // not an initial domain
		{tenantgate.CloudChina, "contoso.cn", "contoso-cn.mail.protection.partner.outlook.cn"},
		{tenantgate.CloudChina, "my-company.com.cn", "my-company-com-cn.mail.protection.partner.outlook.cn"},
		{tenantgate.CloudChina, "contoso.partner.onmschina.cn", ""}, // undocumented: no guess
		{tenantgate.CloudChina, tenantgate.Domain(strings.Repeat("a", 30) + "." + strings.Repeat("b", 30) + ".cn"), ""},
		{tenantgate.CloudChina, "not a domain", ""},
		{"moon", "contoso.com", ""},
	} {
		if got := SmartHostForCloud(tc.cloud, tc.dom); got != tc.want {
			t.Errorf("SmartHostForCloud(%q, %q) = %q, want %q", tc.cloud, tc.dom, got, tc.want)
		}
	}
}

// TestTenantSmartHostCloud: the derived smart host follows gateway.exchangeOnline.cloud. In GCC
// High and DoD it is <name>.mail.protection.office365.us whatever the accepted domains; in
// 21Vianet (and worldwide) the first Authoritative custom domain's form, skipping the initial
// domains of every cloud (<name>.partner.onmschina.cn, <name>.onmicrosoft.us, and
// <name>.onmicrosoft.com, which Compile implies), and no host
// — NewPlan then asks for gateway.smartHosts — for a tenant with only an initial domain. The
// configured entry wins everywhere.
func TestTenantSmartHostCloud(t *testing.T) {
	config := func(cloud string) *tenantgate.Directory {
		return compile(t, `{
		  "tenants": [
		    { "id": "11111111-1111-1111-1111-111111111111", "name": "Contoso",
		      "acceptedDomains": [ { "name": "contoso.partner.onmschina.cn" }, { "name": "contoso.onmicrosoft.us" }, { "name": "contoso.com" } ] },
		    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam" },
		    { "id": "33333333-3333-3333-3333-333333333333", "name": "tailspin" }
		  ],
		  "gateway": { "name": "gw.example.net", "exchangeOnline": { "cloud": "`+cloud+`" },
		    "serves": ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"],
		    "smartHosts": { "33333333-3333-3333-3333-333333333333": "tailspin.example.net" } }
		}`)
	}
	for _, tc := range []struct {
		cloud                      string
		contoso, fabrikam, tailspn string
	}{
		{"worldwide", "contoso-com.mail.protection.outlook.com", "fabrikam.mail.protection.outlook.com", "tailspin.example.net"},
		{"usgovgcchigh", "contoso.mail.protection.office365.us", "fabrikam.mail.protection.office365.us", "tailspin.example.net"},
		{"USGovDoD", "contoso.mail.protection.office365.us", "fabrikam.mail.protection.office365.us", "tailspin.example.net"},
		{"china", "contoso-com.mail.protection.partner.outlook.cn", "", "tailspin.example.net"},
	} {
		d := config(tc.cloud)
		for id, want := range map[string]string{"11111111-1111-1111-1111-111111111111": tc.contoso,
			"22222222-2222-2222-2222-222222222222": tc.fabrikam, "33333333-3333-3333-3333-333333333333": tc.tailspn} {
			if got, ok := TenantSmartHost(d, tenantgate.MustParseTenantID(id)); got != want || !ok {
				t.Errorf("%s: TenantSmartHost(%s) = %q, %v; want %q", tc.cloud, id, got, ok, want)
			}
		}
	}
	if _, err := NewPlan(config("china")); err == nil || !strings.Contains(err.Error(), "fabrikam") || !strings.Contains(err.Error(), "set gateway.smartHosts") {
		t.Errorf("china, a tenant with only its initial domain: NewPlan err = %v; want it to ask for gateway.smartHosts", err)
	}
}
