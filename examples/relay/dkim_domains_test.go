package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/route"
)

// TestNewDKIMDomains: New takes DKIM keys only for the signing domains of served tenants
// (testdata/tenantgate.json: contoso and fabrikam are served, woodgrove is not), whichever
// tenant each belongs to, and names a key it refuses.
func TestNewDKIMDomains(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	p := newPKI(t)
	newRelay := func(doms ...tenantgate.Domain) error {
		dkim := map[tenantgate.Domain]DKIMSigner{}
		for _, d := range doms {
			dkim[d] = DKIMSigner{Selector: "s1", Signer: key}
		}
		_, err := New(Options{Directory: loadTestDirectory(t), ClientRoots: p.Pool, NextHopRoots: p.Pool,
			IdentityCerts: map[string]*tls.Certificate{
				"contoso":  p.Leaf(t, []string{"contoso.gw.example.net"}),
				"fabrikam": p.Leaf(t, []string{"fabrikam.gw.example.net"}),
			},
			Resolver: route.StaticResolver{}, DKIM: dkim})
		return err
	}
	if err := newRelay("contoso.com", "fabrikam.onmicrosoft.com"); err != nil {
		t.Errorf("keys for served tenants' signing domains: %v", err)
	}
	for _, dom := range []tenantgate.Domain{"woodgrove.example", "unknown.example"} {
		if err := newRelay("contoso.com", dom); err == nil || !strings.Contains(err.Error(), string(dom)+" is no DKIM signing domain of a served tenant") {
			t.Errorf("key for %s: err = %v, want the refusal naming it", dom, err)
		}
	}
}
