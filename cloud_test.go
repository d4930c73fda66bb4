package tenantgate

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// cloudConfig is a minimal configuration whose exchangeOnline section is exo.
func cloudConfig(t *testing.T, exo string) (*Directory, error) {
	t.Helper()
	c, err := LoadConfig(strings.NewReader(`{
  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
                 "acceptedDomains": [ { "name": "contoso.com" } ] } ],
  "gateway": { "name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"],
               "exchangeOnline": ` + exo + ` } }`))
	if err != nil {
		t.Fatal(err)
	}
	return Compile(c)
}

// TestCompileCloudDefaults: the cloud picks the default certificate names and networks. The
// expected addresses are from Microsoft's endpoint tables (docs/exchange-online.md#clouds): the
// port-25 endpoint set of each cloud, one address inside it and the worldwide one outside.
func TestCompileCloudDefaults(t *testing.T) {
	tests := []struct {
		cloud     string
		certName  string
		inside    string
		wantCloud Cloud
	}{
		{`""`, "mail.protection.outlook.com", "40.92.1.1", ""},
		{`"worldwide"`, "mail.protection.outlook.com", "2a01:111:f403::1", CloudWorldwide},
		{`"USGovGCCHigh"`, "mail.protection.office365.us", "23.103.208.1", CloudUSGovGCCHigh},
		{`"usgovdod"`, "mail.protection.office365.us", "23.103.204.1", CloudUSGovDoD},
		{`"china"`, "mail.protection.partner.outlook.cn", "139.219.24.1", CloudChina},
	}
	for _, tc := range tests {
		t.Run(tc.cloud, func(t *testing.T) {
			d, err := cloudConfig(t, `{"cloud": `+tc.cloud+`}`)
			if err != nil {
				t.Fatal(err)
			}
			g := d.Gateway()
			if g.ExchangeOnline.Cloud != tc.wantCloud {
				t.Errorf("Cloud = %q; want %q", g.ExchangeOnline.Cloud, tc.wantCloud)
			}
			if !slices.Equal(g.ExchangeOnline.CertNames, []string{tc.certName}) {
				t.Errorf("CertNames = %q; want [%s]", g.ExchangeOnline.CertNames, tc.certName)
			}
			in := netip.MustParseAddr(tc.inside)
			worldwide := netip.MustParseAddr("40.107.1.1")
			var hasIn, hasWorldwide bool
			for _, p := range g.ExchangeOnline.Networks {
				hasIn = hasIn || p.Contains(in)
				hasWorldwide = hasWorldwide || p.Contains(worldwide)
			}
			if !hasIn {
				t.Errorf("networks %v lack %s", g.ExchangeOnline.Networks, in)
			}
			sovereign := tc.wantCloud != "" && tc.wantCloud != CloudWorldwide
			if sovereign == hasWorldwide {
				t.Errorf("networks %v: worldwide 40.107.1.1 inside = %v", g.ExchangeOnline.Networks, hasWorldwide)
			}
		})
	}
}

// TestCompileCloudExplicit: configured lists win over the cloud's defaults, an unknown cloud is
// an error naming the field.
func TestCompileCloudExplicit(t *testing.T) {
	d, err := cloudConfig(t, `{"cloud": "china", "certNames": ["mx.example.cn"], "networks": ["192.0.2.0/24"]}`)
	if err != nil {
		t.Fatal(err)
	}
	g := d.Gateway()
	if !slices.Equal(g.ExchangeOnline.CertNames, []string{"mx.example.cn"}) ||
		!slices.Equal(g.ExchangeOnline.Networks, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}) {
		t.Errorf("exchangeOnline = %+v; want the configured lists", g.ExchangeOnline)
	}
	_, err = cloudConfig(t, `{"cloud": "germany"}`)
	if err == nil || !strings.Contains(err.Error(), "gateway.exchangeOnline.cloud") || !strings.Contains(err.Error(), `"germany"`) {
		t.Errorf("cloud germany: err = %v; want one naming gateway.exchangeOnline.cloud", err)
	}
}

// TestDefaultEXONetworksForValid: every default is a masked prefix (a typo in the tables would
// otherwise widen or narrow a range silently).
func TestDefaultEXONetworksForValid(t *testing.T) {
	for _, c := range Clouds() {
		n := DefaultEXONetworksFor(c)
		if len(n) == 0 {
			t.Errorf("%s: no networks", c)
		}
		for _, p := range n {
			if p != p.Masked() {
				t.Errorf("%s: %s is not masked", c, p)
			}
		}
	}
	if len(DefaultEXONetworksFor("mars")) != 0 || len(DefaultEXOCertNamesFor("mars")) != 0 {
		t.Error("an unknown cloud has defaults")
	}
}

// TestCompileCloudInitialDomain: Compile implies the initial domain of the gateway's cloud
// (InitialDomainParentFor has Microsoft's sources): contoso.onmicrosoft.com worldwide,
// contoso.onmicrosoft.us in GCC High and DoD, contoso.partner.onmschina.cn in 21Vianet — and not
// the worldwide one there, which may be another organisation's. A tenant may name its own initial
// domain in sendAs, never another tenant's initial domain of any cloud.
func TestCompileCloudInitialDomain(t *testing.T) {
	for _, tc := range []struct {
		cloud       string
		want, other Domain
	}{
		{"", "contoso.onmicrosoft.com", "contoso.onmicrosoft.us"},
		{"usgovgcchigh", "contoso.onmicrosoft.us", "contoso.onmicrosoft.com"},
		{"usgovdod", "contoso.onmicrosoft.us", "contoso.onmicrosoft.com"},
		{"china", "contoso.partner.onmschina.cn", "contoso.onmicrosoft.com"},
	} {
		d, err := cloudConfig(t, `{"cloud": "`+tc.cloud+`"}`)
		if err != nil {
			t.Fatalf("%q: %v", tc.cloud, err)
		}
		if ten, ad, ok := d.Owner(tc.want); !ok || ten.Name != "contoso" || ad.Type() != Authoritative {
			t.Errorf("%q: %s is not contoso's Authoritative initial domain", tc.cloud, tc.want)
		}
		if _, _, ok := d.Owner(tc.other); ok {
			t.Errorf("%q: %s, another cloud's initial domain, is contoso's", tc.cloud, tc.other)
		}
	}
	for _, tc := range []struct{ cloud, sendAs, err string }{
		{"usgovgcchigh", "contoso.onmicrosoft.us", ""},
		{"usgovgcchigh", "fabrikam.onmicrosoft.us", "onmicrosoft.us holds every tenant's initial domain; a tenant sends as its own contoso.onmicrosoft.us"},
		{"usgovgcchigh", "contoso.onmicrosoft.com", "onmicrosoft.com holds every tenant's initial domain; a tenant sends as its own contoso.onmicrosoft.us"},
		{"", "contoso.partner.onmschina.cn", "partner.onmschina.cn holds every tenant's initial domain"},
		{"china", "contoso.partner.onmschina.cn", ""},
	} {
		c, err := LoadConfig(strings.NewReader(`{"tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso", "sendAs": ["` + tc.sendAs + `"] } ],
		  "gateway": { "name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"], "exchangeOnline": {"cloud": "` + tc.cloud + `"} } }`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(c)
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("cloud %q, sendAs %s: %v; want %q", tc.cloud, tc.sendAs, err, tc.err)
		}
	}
	for c, want := range map[Cloud]Domain{"": "onmicrosoft.com", CloudWorldwide: "onmicrosoft.com", CloudUSGovGCCHigh: "onmicrosoft.us",
		CloudUSGovDoD: "onmicrosoft.us", CloudChina: "partner.onmschina.cn", "moon": ""} {
		if got := InitialDomainParentFor(c); got != want {
			t.Errorf("InitialDomainParentFor(%q) = %q, want %q", c, got, want)
		}
	}
}
