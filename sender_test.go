package tenantgate

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// sendAsConfig: contoso and fabrikam are served, woodgrove is another Microsoft 365 customer the
// gateway does not serve. contoso sends for a partner, a newsletter service and its own
// subdomains (contoso.com has no MatchSubDomains: Exchange Online allows it only on
// InternalRelay domains), and for every domain under group.example, where fabrikam owns one.
const sendAsConfig = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" },
                           { "name": "sub.contoso.net", "domainType": "InternalRelay", "matchSubDomains": true },
                           { "name": "plain.contoso.net", "domainType": "InternalRelay" } ],
      "sendAs": [ "partner.example", "*.news.example", "*.contoso.com", "*.group.example", "woodgrove.example",
                  "Bücher.example", "contoso.onmicrosoft.com" ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" }, { "name": "fabrikam.group.example" } ] },
    { "id": "33333333-3333-3333-3333-333333333333", "name": "woodgrove",
      "acceptedDomains": [ { "name": "woodgrove.example" } ] }
  ],
  "gateway": { "name": "gw.example.net",
    "serves": [ "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222" ] } }`

func TestSenderDomain(t *testing.T) {
	d := compileString(t, sendAsConfig)
	contoso := MustParseTenantID("11111111-1111-1111-1111-111111111111")
	fabrikam := MustParseTenantID("22222222-2222-2222-2222-222222222222")
	unknown := MustParseTenantID("99999999-9999-4999-8999-999999999999")
	tests := []struct {
		id      TenantID
		domain  string
		class   SenderClass
		tenant  string // the tenant SenderMatch names, "" none
		pattern string
	}{
		// The tenant's own accepted domains, with Owner's semantics.
		{contoso, "contoso.com", SenderTenantDomain, "contoso", ""},
		{contoso, "contoso.onmicrosoft.com", SenderTenantDomain, "contoso", ""}, // implied initial domain
		{contoso, "a.b.sub.contoso.net", SenderTenantDomain, "contoso", ""},     // MatchSubDomains
		{contoso, "x.plain.contoso.net", SenderNotTenantDomain, "", ""},         // no MatchSubDomains, no sendAs
		// sendAs patterns: exact, and "*.x" for x and every subdomain.
		{contoso, "mail.contoso.com", SenderSendAs, "", "*.contoso.com"},
		{contoso, "partner.example", SenderSendAs, "", "partner.example"},
		{contoso, "x.partner.example", SenderNotTenantDomain, "", ""},
		{contoso, "news.example", SenderSendAs, "", "*.news.example"},
		{contoso, "a.b.news.example", SenderSendAs, "", "*.news.example"},
		{contoso, "xn--bcher-kva.example", SenderSendAs, "", "xn--bcher-kva.example"}, // normalised by Compile
		{contoso, "other.group.example", SenderSendAs, "", "*.group.example"},
		// A tenant the gateway does not serve: sendAs may name its domain.
		{contoso, "woodgrove.example", SenderSendAs, "", "woodgrove.example"},
		{fabrikam, "woodgrove.example", SenderNotTenantDomain, "woodgrove", ""},
		// Another served tenant's domain, at or below, is never allowed: not by a wildcard that
		// covers it, not below an accepted domain without MatchSubDomains.
		{contoso, "fabrikam.com", SenderOtherServedTenant, "fabrikam", ""},
		{contoso, "mail.fabrikam.com", SenderOtherServedTenant, "fabrikam", ""},
		{contoso, "fabrikam.group.example", SenderOtherServedTenant, "fabrikam", ""},
		{contoso, "x.fabrikam.group.example", SenderOtherServedTenant, "fabrikam", ""},
		{contoso, "fabrikam.onmicrosoft.com", SenderOtherServedTenant, "fabrikam", ""},
		// Another tenant's initial domain when it is not served, and one nobody configured.
		{contoso, "woodgrove.onmicrosoft.com", SenderNotTenantDomain, "woodgrove", ""},
		{contoso, "attacker.onmicrosoft.com", SenderNotTenantDomain, "", ""},
		{contoso, "contoso.com.attacker.net", SenderNotTenantDomain, "", ""},
		// The other direction: contoso's sendAs is contoso's alone.
		{fabrikam, "contoso.com", SenderOtherServedTenant, "contoso", ""},
		{fabrikam, "partner.example", SenderNotTenantDomain, "", ""},
		{fabrikam, "fabrikam.group.example", SenderTenantDomain, "fabrikam", ""},
		// A tenant the configuration does not know owns nothing, and served domains stay theirs.
		{unknown, "contoso.com", SenderOtherServedTenant, "contoso", ""},
		{unknown, "partner.example", SenderNotTenantDomain, "", ""},
	}
	for _, tt := range tests {
		m := d.SenderDomain(tt.id, MustParseDomain(tt.domain))
		got := m.Tenant.Name
		if (got != "") != (m.Accepted.Name != "") {
			t.Errorf("SenderDomain(%s, %s): tenant %q with accepted domain %q", tt.id, tt.domain, got, m.Accepted.Name)
		}
		if m.Class != tt.class || got != tt.tenant || string(m.Pattern) != tt.pattern {
			t.Errorf("SenderDomain(%s, %s) = %s tenant %q pattern %q; want %s %q %q", tt.id, tt.domain, m.Class, got, m.Pattern, tt.class, tt.tenant, tt.pattern)
		}
	}
}

// TestCompileSendAsErrors: every sendAs entry Compile refuses, each reported with its JSON path
// and a message saying why; the valid entries around them compile.
func TestCompileSendAsErrors(t *testing.T) {
	const cfg = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" } ],
      "sendAs": [ "partner.example", "*", "*.com", "co.uk", "*.onmicrosoft.com", "fabrikam.onmicrosoft.com",
                  "fabrikam.com", "mail.fabrikam.com", "*.fabrikam.com", "Partner.example", "a.*.example",
                  "bad..example", "*.contoso.onmicrosoft.com", "woodgrove.example", "*.woodgrove.example" ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" } ] },
    { "id": "33333333-3333-3333-3333-333333333333", "name": "woodgrove",
      "acceptedDomains": [ { "name": "woodgrove.example" } ] }
  ],
  "gateway": { "name": "gw.example.net",
    "serves": [ "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222" ] } }`
	c, err := LoadConfig(strings.NewReader(cfg))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(c)
	var ce ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("Compile error = %v; want ConfigErrors", err)
	}
	want := map[string]string{
		"tenants[0].sendAs[1]":  "every domain",                        // "*"
		"tenants[0].sendAs[2]":  "public suffix",                       // *.com
		"tenants[0].sendAs[3]":  "public suffix",                       // co.uk
		"tenants[0].sendAs[4]":  "never as another tenant's",           // *.onmicrosoft.com
		"tenants[0].sendAs[5]":  "never as another tenant's",           // another initial domain
		"tenants[0].sendAs[6]":  "served tenant tenants[1] (fabrikam)", // another served tenant's domain
		"tenants[0].sendAs[7]":  "at or below fabrikam.com",            // below it, without MatchSubDomains
		"tenants[0].sendAs[8]":  "at or below fabrikam.com",            // a wildcard anchored at it
		"tenants[0].sendAs[9]":  "listed twice",                        // partner.example again, in another case
		"tenants[0].sendAs[10]": "a wildcard may only be",              // embedded wildcard
		"tenants[0].sendAs[11]": "invalid domain",                      // empty label
	}
	// Entries 0 (a third party), 12 (below the tenant's own initial domain), 13 and 14 (a tenant
	// the gateway does not serve) are valid and must not be reported.
	got := map[string]string{}
	for _, e := range ce {
		got[e.Path] = e.Msg
	}
	for path, sub := range want {
		if msg, ok := got[path]; !ok {
			t.Errorf("%s: no error; want one containing %q", path, sub)
		} else if !strings.Contains(msg, sub) {
			t.Errorf("%s: %q does not contain %q", path, msg, sub)
		}
	}
	for path, msg := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("unexpected error %s: %s", path, msg)
		}
	}
}

// TestCompileSendAsNormalises: Compile writes sendAs in A-label, lower-case form into the
// directory's configuration and leaves its input alone.
func TestCompileSendAsNormalises(t *testing.T) {
	c, err := LoadConfig(strings.NewReader(sendAsConfig))
	if err != nil {
		t.Fatal(err)
	}
	in := slices.Clone(c.Tenants[0].SendAs)
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Tenants[0].SendAs, in) {
		t.Errorf("Compile modified its input: %v", c.Tenants[0].SendAs)
	}
	got := d.Tenants()[0].SendAs
	if !slices.Contains(got, "xn--bcher-kva.example") || slices.Contains(got, "Bücher.example") {
		t.Errorf("normalised sendAs = %v; want xn--bcher-kva.example", got)
	}
}
