package topology

import (
	"slices"

	"github.com/tenantgate/tenantgate"
)

// withStandInTenant returns d, or — when d holds no Office 365 tenant the gateway does not serve
// (an operator who imported only their own tenant) — a copy of d with one more, unserved tenant
// that accepts other-tenant.example (ID otherTenantID). The canonical flow to "another Office 365
// customer" sends to that domain (otherTenantRecipient); without the stand-in, the simulated
// Exchange Online would find no tenant for it and refuse the mail with 5.7.64, which Lint would
// misread as a misattribution. The stand-in has no connectors, like an ordinary tenant whose MX
// points at Exchange Online. If d already has such a tenant, or the stand-in does not compile,
// d is returned unchanged.
func withStandInTenant(d *tenantgate.Directory) *tenantgate.Directory {
	if _, fallback := otherTenantRecipient(d); fallback == nil {
		return d
	}
	if _, _, taken := d.Owner(otherDomain); taken {
		return d
	}
	id := tenantgate.MustParseTenantID(otherTenantID)
	if _, taken := d.Tenant(id); taken {
		return d
	}
	cfg := *d.Config()
	cfg.Tenants = append(slices.Clip(cfg.Tenants), tenantgate.Tenant{
		ID:              id,
		Name:            "other-tenant",
		AcceptedDomains: []tenantgate.AcceptedDomain{{Name: otherDomain}},
	})
	aug, err := tenantgate.Compile(cfg)
	if err != nil {
		return d
	}
	return aug
}
