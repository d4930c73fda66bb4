package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

func TestConvertExOTA(t *testing.T) {
	data, err := os.ReadFile("testdata/exota-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ConvertExOTA(data, "gw.example.net")
	if err != nil {
		t.Fatal(err)
	}
	contoso := tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111")
	fabrikam := tenantgate.MustParseTenantID("22222222-2222-2222-2222-222222222222")
	// Each tenant_id becomes one served tenant; its policy domains (in sorted order) its accepted
	// and DKIM signing domains. contoso's name comes from contoso.onmicrosoft.com; fabrikam has
	// no onmicrosoft.com domain, so its name is the placeholder from its ID.
	wantConfig := tenantgate.Config{
		Tenants: []tenantgate.Tenant{{
			ID: contoso, Name: "contoso",
			AcceptedDomains:    []tenantgate.AcceptedDomain{{Name: "contoso.com"}, {Name: "contoso.onmicrosoft.com"}},
			DKIMSigningDomains: []tenantgate.Domain{"contoso.com", "contoso.onmicrosoft.com"},
		}, {
			ID: fabrikam, Name: "exota-22222222",
			AcceptedDomains:    []tenantgate.AcceptedDomain{{Name: "fabrikam.com"}},
			DKIMSigningDomains: []tenantgate.Domain{"fabrikam.com"},
		}},
		Gateway: tenantgate.Gateway{Name: "gw.example.net", Serves: []tenantgate.TenantID{contoso, fabrikam}},
	}
	if diff := cmp.Diff(wantConfig, m.Config); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	// dkim_enabled defaults to true (policy.py): both of contoso's entries require DKIM, so the
	// contoso tenant does; fabrikam's only entry has false, so fabrikam needs none and is not
	// listed. Each tenant's entries agree, so the only warning is fabrikam's placeholder name.
	want := classify.PolicyConfig{Tenants: []classify.TenantPolicy{{Tenant: contoso, DKIMRequired: new(true)}}}
	if diff := cmp.Diff(want, m.Policy); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "exota-22222222") {
		t.Errorf("warnings %q; want only fabrikam's placeholder name", m.Warnings)
	}
	// The JSON form is a valid library configuration.
	b, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("LoadConfig(%s): %v", b, err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ten, _, ok := d.Owner("contoso.com"); !ok || ten.ID != contoso || !d.Serves(contoso) {
		t.Errorf("contoso.com not owned by the served tenant %s", contoso)
	}
}

// TestConvertExOTAPerTenantDKIM: ExOTA-Milter requires DKIM per From domain, tenantgate per
// tenant (classify.TenantPolicy). A tenant with one domain whose dkim_enabled is true (or absent)
// requires DKIM for all its mail — fail closed — and a warning names the domains that had it
// off; a tenant whose domains all have it off requires none; the other tenant is unaffected.
func TestConvertExOTAPerTenantDKIM(t *testing.T) {
	m, err := ConvertExOTA([]byte(`{
	  "contoso.com": {"tenant_id": "11111111-1111-1111-1111-111111111111", "dkim_enabled": false},
	  "contoso.net": {"tenant_id": "11111111-1111-1111-1111-111111111111", "dkim_enabled": false},
	  "contoso.onmicrosoft.com": {"tenant_id": "11111111-1111-1111-1111-111111111111"},
	  "fabrikam.com": {"tenant_id": "22222222-2222-2222-2222-222222222222", "dkim_enabled": false},
	  "fabrikam.onmicrosoft.com": {"tenant_id": "22222222-2222-2222-2222-222222222222", "dkim_enabled": false},
	  "tailspin.onmicrosoft.com": {"tenant_id": "33333333-3333-3333-3333-333333333333", "dkim_enabled": true}
	}`), "gw.example.net")
	if err != nil {
		t.Fatal(err)
	}
	contoso := tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111")
	tailspin := tenantgate.MustParseTenantID("33333333-3333-3333-3333-333333333333")
	want := classify.PolicyConfig{Tenants: []classify.TenantPolicy{
		{Tenant: contoso, DKIMRequired: new(true)}, {Tenant: tailspin, DKIMRequired: new(true)}}}
	if diff := cmp.Diff(want, m.Policy); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	wantWarn := []string{"tenant 11111111-1111-1111-1111-111111111111 (contoso): dkim_enabled is false for contoso.com, contoso.net but true (or absent, which means true) for contoso.onmicrosoft.com; tenantgate requires DKIM per tenant, not per domain, so all of this tenant's mail needs a DKIM pass for one of its domains (fail closed): policy.tenants[].dkimRequired"}
	if diff := cmp.Diff(wantWarn, m.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// The policy builds for the converted directory, and requires DKIM of contoso only.
	d, err := tenantgate.Compile(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := classify.NewPolicy(d, m.Policy); err != nil {
		t.Fatal(err)
	}
}

func TestConvertExOTAErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // substrings of the error
	}{
		// ExOTA-Milter's tests/policy.json of 2020: "dkim" is no policy key (policy.py
		// check_policy refuses it too) and "asdftasdfa" no GUID. The current file:
		// TestConvertExOTACurrent.
		{"exota test file", `{"lalalulu.onmicrosoft.com": {"tenant_id": "1234abcd-18c5-45e8-88de-123456789abc", "dkim": true},
		  "asdf2.onmicrosoft.com": {"tenant_id": "asdftasdfa", "dkim": true}}`,
			[]string{`"lalalulu.onmicrosoft.com"`, `"asdf2.onmicrosoft.com"`, "dkim"}},
		{"bad tenant id", `{"contoso.com": {"tenant_id": "asdftasdfa"}}`, []string{`"contoso.com": tenant_id`}},
		// An absent tenant_id is "" to ExOTA-Milter (policy.py, ExOTAPolicy): the entry is
		// refused (TestConvertExOTACurrent), and with nothing else there is nothing to load.
		{"missing tenant id", `{"contoso.com": {"dkim_enabled": true}}`, []string{"no entry with a tenant_id (refused: contoso.com)"}},
		{"flag not boolean", `{"contoso.com": {"tenant_id": "11111111-1111-1111-1111-111111111111", "dkim_enabled": "yes"}}`, []string{`"contoso.com"`}},
		{"not a domain", `{"contoso..com": {"tenant_id": "11111111-1111-1111-1111-111111111111"}}`, []string{`"contoso..com": not a domain`}},
		{"same domain twice", `{"Contoso.com": {"tenant_id": "11111111-1111-1111-1111-111111111111"}, "contoso.com": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}`,
			[]string{"same domain"}},
		{"empty", `{}`, []string{"no entries"}},
		// Fuzz finds (testdata/fuzz/FuzzConvertExOTA): keys are case-sensitive as in policy.py, and
		// the all-zero GUID is no tenant (Compile refuses it).
		{"key case", `{"contoso.com": {"tenAnt_id": "11111111-1111-1111-1111-111111111111"}}`, []string{`unknown key "tenAnt_id"`}},
		{"zero tenant id", `{"contoso.com": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}`, []string{"all-zero GUID"}},
		{"null flag", `{"contoso.com": {"tenant_id": "11111111-1111-1111-1111-111111111111", "dkim_enabled": null}}`, []string{"dkim_enabled: must be a boolean"}},
		{"not an object", `[]`, []string{"exota policy"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ConvertExOTA([]byte(tc.in), "gw.example.net")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// ExampleConvertExOTA converts an ExOTA-Milter policy file (testdata/exota-policy.json).
func ExampleConvertExOTA() {
	data, _ := os.ReadFile("testdata/exota-policy.json")
	m, err := ConvertExOTA(data, "gw.example.net")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range m.Config.Tenants {
		fmt.Println(t.ID, t.Name, t.DKIMSigningDomains)
	}
	for _, p := range m.Policy.Tenants {
		fmt.Println("dkimRequired:", p.Tenant, *p.DKIMRequired)
	}
	fmt.Println("warnings:", len(m.Warnings))
	// Output:
	// 11111111-1111-1111-1111-111111111111 contoso [contoso.com contoso.onmicrosoft.com]
	// 22222222-2222-2222-2222-222222222222 exota-22222222 [fabrikam.com]
	// dkimRequired: 11111111-1111-1111-1111-111111111111 true
	// warnings: 1
}

// ExampleLoad shows the milter's configuration format: the library configuration inline (or
// configFile, or exotaPolicyFile) and the milter section.
func ExampleLoad() {
	l, err := Load([]byte(`{
	  "config": {
	    "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
	                   "acceptedDomains": [ { "name": "contoso.com" } ],
	                   "dkimSigningDomains": [ "contoso.com" ] } ],
	    "gateway": { "name": "gw.example.net", "serves": [ "11111111-1111-1111-1111-111111111111" ] }
	  },
	  "milter": {
	    "listen": "127.0.0.1:8894",
	    "policy": { "relayKinds": [ "mailbox" ], "dkimRequired": true },
	    "dkim": { "dnsServer": "127.0.0.1:53", "timeout": "3s" },
	    "timeout": "1m"
	  }
	}`), ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Section.Listen, len(l.Directory.Tenants()), l.NeedsDKIM)
	// Output:
	// 127.0.0.1:8894 1 true
}
