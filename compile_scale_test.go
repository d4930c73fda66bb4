package tenantgate_test

import (
	"slices"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/benchconfig"
)

// TestCompileDuplicateIdentitiesLarge: among 20,000 identities, a repeated name and a second
// identity for a tenant are found however far apart they are, with the messages and paths of
// the small case (TestCompileErrors). The identities of benchconfig.Config are named after their
// tenants ("t<i>"), one per tenant, so the only duplicates are the two added here.
func TestCompileDuplicateIdentitiesLarge(t *testing.T) {
	const n = 20000
	cfg := benchconfig.Config(n)
	ids := cfg.Gateway.Identities
	// A second identity for tenant 0 under a new name, and a new identity reusing tenants[1]'s
	// identity name for tenant 2, after tenant 2's own identity.
	ids = append(ids,
		tenantgate.Identity{Name: "extra", CertNames: []string{"x.gw.example.net"}, For: ids[0].For},
		tenantgate.Identity{Name: ids[1].Name, CertNames: []string{"y.gw.example.net"}, For: ids[2].For})
	cfg.Gateway.Identities = ids
	_, err := tenantgate.Compile(cfg)
	ces, ok := err.(tenantgate.ConfigErrors)
	if !ok {
		t.Fatalf("Compile: %v, want ConfigErrors", err)
	}
	tenant0, _ := tenantgate.ParseTenantID(ids[0].For)
	tenant2, _ := tenantgate.ParseTenantID(ids[2].For)
	want := tenantgate.ConfigErrors{
		{Path: "gateway.identities[20000].for", Msg: tenant0.String() + " already has an identity; present one certificate per tenant"},
		{Path: "gateway.identities[20001].name", Msg: `"t1" is used by another identity`},
		{Path: "gateway.identities[20001].for", Msg: tenant2.String() + " already has an identity; present one certificate per tenant"},
	}
	if !slices.Equal(ces, want) {
		t.Errorf("errors\n%v\nwant\n%v", ces, want)
	}
}
