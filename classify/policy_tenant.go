package classify

import (
	"fmt"

	"github.com/tenantgate/tenantgate"
)

// TenantPolicy changes PolicyConfig's DKIMRequired and RelayKinds for the mail of one served
// tenant: a gateway serving several tenants can require DKIM of one of them only (as
// ExOTA-Milter's per-domain dkim_enabled does) or let one of them relay forwards. Every field may
// be omitted and then keeps the PolicyConfig's value.
type TenantPolicy struct {
	// Tenant is the served tenant's ID (a GUID); a tenant the gateway does not serve, or one
	// listed twice, makes NewPolicy fail.
	Tenant tenantgate.TenantID `json:"tenant"`
	// DKIMRequired, when set, replaces PolicyConfig.DKIMRequired for this tenant.
	DKIMRequired *bool `json:"dkimRequired,omitempty"`
	// RelayKinds, when non-nil, replaces PolicyConfig.RelayKinds for this tenant (an empty,
	// non-nil list: none of its mail relays).
	RelayKinds []Kind `json:"relayKinds,omitempty"`
}

// tenantOptions are one tenant's options after its TenantPolicy is applied.
type tenantOptions struct {
	dkimRequired bool
	relayKinds   map[Kind]bool
}

// UsesDKIM reports whether a policy built from c reads DKIM results (Transaction.DKIM): with
// DKIMFallback, DKIMRequired, or a tenant whose TenantPolicy requires DKIM. A caller that
// verifies signatures only when they are used asks this.
func (c PolicyConfig) UsesDKIM() bool {
	if c.DKIMFallback || c.DKIMRequired {
		return true
	}
	for _, t := range c.Tenants {
		if t.DKIMRequired != nil && *t.DKIMRequired {
			return true
		}
	}
	return false
}

// tenantOptions checks c.Tenants against the directory and returns the options of each tenant
// listed; base are the gateway-wide options.
func (c PolicyConfig) tenantOptions(d *tenantgate.Directory, base options) (map[tenantgate.TenantID]tenantOptions, error) {
	if len(c.Tenants) == 0 {
		return nil, nil
	}
	out := make(map[tenantgate.TenantID]tenantOptions, len(c.Tenants))
	for i, t := range c.Tenants {
		if t.Tenant.IsZero() {
			return nil, fmt.Errorf("classify: tenants[%d]: tenant: missing", i)
		}
		if !d.Serves(t.Tenant) {
			return nil, fmt.Errorf("classify: tenants[%d]: %s is not a tenant the gateway serves", i, t.Tenant)
		}
		if _, dup := out[t.Tenant]; dup {
			return nil, fmt.Errorf("classify: tenants[%d]: %s is listed twice", i, t.Tenant)
		}
		o := tenantOptions{dkimRequired: base.dkimRequired}
		if t.DKIMRequired != nil {
			o.dkimRequired = *t.DKIMRequired
		}
		kinds := base.relayKinds
		if t.RelayKinds != nil {
			if err := checkRelayKinds(t.RelayKinds); err != nil {
				return nil, fmt.Errorf("classify: tenants[%d]: %w", i, err)
			}
			kinds = t.RelayKinds
		}
		o.relayKinds = make(map[Kind]bool, len(kinds))
		for _, k := range kinds {
			o.relayKinds[k] = true
		}
		out[t.Tenant] = o
	}
	return out, nil
}

// checkRelayKinds refuses a kind a relay kinds list cannot name.
func checkRelayKinds(ks []Kind) error {
	for _, k := range ks {
		switch k {
		case Mailbox, OnPremises, Relayed:
		default:
			return fmt.Errorf("unknown relay kind %q (want mailbox, on-premises or relayed)", clip(string(k)))
		}
	}
	return nil
}

// relays reports whether own-tenant mail of tenant id and kind k may relay.
func (p *Policy) relays(id tenantgate.TenantID, k Kind) bool {
	if t, ok := p.tenants[id]; ok {
		return t.relayKinds[k]
	}
	return p.relayKinds[k]
}

// dkimRequired reports whether tenant id's mail needs a DKIM pass besides the tenant header.
func (p *Policy) dkimRequired(id tenantgate.TenantID) bool {
	if t, ok := p.tenants[id]; ok {
		return t.dkimRequired
	}
	return p.o.dkimRequired
}

// anyDKIMRequired reports whether some tenant's mail needs a DKIM pass.
func (p *Policy) anyDKIMRequired() bool {
	if p.o.dkimRequired {
		return true
	}
	for _, t := range p.tenants {
		if t.dkimRequired {
			return true
		}
	}
	return false
}
