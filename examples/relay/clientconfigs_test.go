package main

import (
	"crypto/tls"
	"errors"
	"testing"

	"github.com/tenantgate/tenantgate/route"
)

// TestClientConfigs: a hop's TLS configuration is built once and shared by every session to the
// same host, identity and verified names; a hop that differs in any of them gets its own, a
// failed build is tried again, and past maxClientConfigs nothing more is kept.
func TestClientConfigs(t *testing.T) {
	var c clientConfigs
	builds := 0
	build := func() (*tls.Config, error) { builds++; return &tls.Config{}, nil }
	base := hop{route.Hop{Kind: route.HopTenant, Host: "contoso.mail.protection.outlook.com", Identity: "contoso",
		VerifyNames: []string{"mail.protection.outlook.com"}}}
	first, _ := c.get(base, build)
	again, _ := c.get(base, build)
	if first != again || builds != 1 {
		t.Errorf("same hop: %d builds, same configuration %v; want 1 and true", builds, first == again)
	}
	for i, f := range []func(h *route.Hop){
		func(h *route.Hop) { h.Host = "fabrikam.mail.protection.outlook.com" },
		func(h *route.Hop) { h.Identity = "fabrikam" },
		func(h *route.Hop) { h.VerifyNames = nil },
		func(h *route.Hop) { h.VerifyNames = []string{"mail.protection.outlook.com", "x.example"} },
	} {
		o := base
		f(&o.Hop)
		if cfg, _ := c.get(o, build); cfg == first {
			t.Errorf("variation %d shares the first hop's configuration", i)
		}
	}
	fail := errors.New("unknown identity")
	bad := hop{route.Hop{Kind: route.HopInternet, Domain: "woodgrove.example", Identity: "missing"}}
	for range 2 {
		if _, err := c.get(bad, func() (*tls.Config, error) { builds++; return nil, fail }); !errors.Is(err, fail) {
			t.Fatalf("failed build: %v", err)
		}
	}
	if builds != 7 {
		t.Errorf("%d builds, want 7 (1 + 4 variations + 2 failures)", builds)
	}
	for i := 0; len(c.m) < maxClientConfigs; i++ {
		h := base
		h.Identity = string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		c.get(h, build)
	}
	over := base
	over.Identity = "over the bound"
	c.get(over, build)
	if len(c.m) != maxClientConfigs {
		t.Errorf("%d configurations kept, want at most %d", len(c.m), maxClientConfigs)
	}
}
