package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/route"
)

// TestHopKeySplitsTenants: Exchange Online binds a transaction without relay rights to the
// tenant of its first accepted recipient and defers a second tenant's recipient with 451 4.4.5
// ATTR46 (docs/exchange-online.md#one-tenant-per-transaction), so the relay must never put
// recipients of two tenants in one next-hop transaction. route.Plan gives each served tenant its
// own hop; the relay shares a transaction only between recipients with the same hop key. Here
// both tenants are identified by IP (no identity) and delivered to the same smart host, so
// before the tenant was part of the key their recipients shared a transaction — the first
// RCPT of the second tenant would then be answered 451 ATTR46 by Exchange Online. Two domains
// of one tenant still share one.
func TestHopKeySplitsTenants(t *testing.T) {
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" }, { "name": "contoso.onmicrosoft.com" } ],
      "inbound": [ { "name": "from-gateway", "senderIPAddresses": ["198.51.100.25"], "restrictDomainsToIPAddresses": true } ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" } ],
      "inbound": [ { "name": "from-gateway", "senderIPAddresses": ["198.51.100.25"], "restrictDomainsToIPAddresses": true } ] } ],
  "gateway": { "name": "gw.example.net", "addresses": ["198.51.100.25"],
    "serves": ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"],
    "smartHosts": { "11111111-1111-1111-1111-111111111111": "shared.mail.protection.outlook.com",
                    "22222222-2222-2222-2222-222222222222": "shared.mail.protection.outlook.com" } } }`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plannerFor(d)
	if err != nil {
		t.Fatal(err)
	}
	contoso, fabrikam := d.Tenants()[0].ID, d.Tenants()[1].ID
	key := func(rcpt string, id tenantgate.TenantID) string {
		h, ok := p.next(classify.Verdict{Recipients: []classify.RecipientAction{{Rcpt: rcpt, Action: classify.Inbound, Tenant: id}}}, rcpt)
		if !ok || h.Kind != route.HopTenant || h.Tenant != id {
			t.Fatalf("%s: hop %+v, want a tenant hop into %s", rcpt, h.Hop, id)
		}
		return h.key()
	}
	hopOf := func(rcpt string, id tenantgate.TenantID) hop {
		h, _ := p.next(classify.Verdict{Recipients: []classify.RecipientAction{{Rcpt: rcpt, Action: classify.Inbound, Tenant: id}}}, rcpt)
		return h
	}
	if ha, hb, hc := hopOf("u@contoso.com", contoso), hopOf("v@contoso.onmicrosoft.com", contoso), hopOf("w@fabrikam.com", fabrikam); !ha.same(hb) || ha.same(hc) {
		t.Errorf("same: contoso's two domains %v (want true), contoso and fabrikam %v (want false)", ha.same(hb), ha.same(hc))
	}
	a, b, c := key("u@contoso.com", contoso), key("v@contoso.onmicrosoft.com", contoso), key("w@fabrikam.com", fabrikam)
	if a == c {
		t.Errorf("contoso's and fabrikam's recipients share the hop key %q: one transaction, ATTR46 at Exchange Online", a)
	}
	if a != b {
		t.Errorf("contoso's two domains have keys %q and %q, want one transaction", a, b)
	}
}

// TestHopSame: same is key equality, field by field. Each hop differs from the base in one part
// of the key, so same must be false exactly where the keys differ.
func TestHopSame(t *testing.T) {
	tenant := tenantgate.TenantID{1}
	base := hop{route.Hop{Kind: route.HopTenant, Tenant: tenant, Host: "contoso.mail.protection.outlook.com",
		Identity: "contoso", VerifyNames: []string{"mail.protection.outlook.com"}}}
	mx := hop{route.Hop{Kind: route.HopInternet, Domain: "woodgrove.example"}}
	vary := []func(h *route.Hop){
		func(h *route.Hop) {},
		func(h *route.Hop) { h.Host = "other.example" },
		func(h *route.Hop) { h.Host = "" },
		func(h *route.Hop) { h.Domain = "other.example" }, // no part of the key while Host is set
		func(h *route.Hop) { h.Tenant = tenantgate.TenantID{2} },
		func(h *route.Hop) { h.Kind = route.HopInternet },
		func(h *route.Hop) { h.Identity = "" },
		func(h *route.Hop) { h.VerifyNames = nil },
		func(h *route.Hop) { h.VerifyNames = []string{"mail.protection.outlook.com", "x.example"} },
		func(h *route.Hop) { h.VerifyNames = slices.Clone(h.VerifyNames) },
	}
	for _, b := range []hop{base, mx} {
		for i, f := range vary {
			o := b
			o.VerifyNames = slices.Clone(b.VerifyNames)
			f(&o.Hop)
			if got, want := b.same(o), b.key() == o.key(); got != want {
				t.Errorf("%s, variation %d: same %v, keys %q and %q", b.key(), i, got, b.key(), o.key())
			}
			if o.same(b) != b.same(o) {
				t.Errorf("%s, variation %d: same is not symmetric", b.key(), i)
			}
		}
	}
}
