package tenantgate

// SenderClass says what a sender domain is to a tenant (Directory.SenderDomain).
type SenderClass string

// Sender classes.
const (
	// SenderTenantDomain: an accepted domain of the tenant, with Owner's semantics (the exact
	// domain, or a subdomain of one with MatchSubDomains; <name>.onmicrosoft.com is implied).
	SenderTenantDomain SenderClass = "tenant-domain"
	// SenderSendAs: not the tenant's, but one of its SendAs patterns matches.
	SenderSendAs SenderClass = "send-as"
	// SenderOtherServedTenant: the domain is, or lies below, an accepted domain of another tenant
	// the gateway serves (whatever that domain's MatchSubDomains). No SendAs pattern overrides it.
	SenderOtherServedTenant SenderClass = "other-served-tenant"
	// SenderNotTenantDomain: none of the above — a domain of nobody in the configuration, of a
	// tenant the gateway does not serve, or a subdomain the tenant's accepted domains do not cover.
	SenderNotTenantDomain SenderClass = "not-tenant-domain"
)

// SenderMatch is the answer of Directory.SenderDomain.
type SenderMatch struct {
	Class SenderClass
	// Tenant is the tenant whose accepted domain decided: the tenant itself for
	// SenderTenantDomain, the other served tenant for SenderOtherServedTenant, and for
	// SenderNotTenantDomain the tenant that accepts the domain if there is one (one the gateway
	// does not serve). The zero TenantInfo otherwise.
	Tenant TenantInfo
	// Accepted is a copy of that tenant's accepted domain, the zero value when Tenant is.
	Accepted AcceptedDomain
	// Pattern is the SendAs pattern that matched, for SenderSendAs.
	Pattern DomainPattern
}

// SenderDomain says whether tenant id may send as dom (a MAIL FROM or From domain, normalised with
// ParseDomain), in this order: the tenant's own accepted domain (Owner is the tenant); a domain
// at or below an accepted domain of another served tenant, which is never allowed; a match of
// one of the tenant's SendAs patterns; otherwise not the tenant's. The lookup is O(labels of dom).
func (d *Directory) SenderDomain(id TenantID, dom Domain) SenderMatch {
	self, known := d.byID[id]
	if !known {
		self = -1
	}
	r, owned := d.owner(dom)
	if owned && r.tenant == self {
		return d.senderMatch(SenderTenantDomain, r)
	}
	if r, ok := d.servedAbove(dom, self); ok {
		return d.senderMatch(SenderOtherServedTenant, r)
	}
	if known && len(d.sendAs) > 0 {
		if p, ok := d.sendAs[sendAsKey{tenant: self, base: dom}]; ok {
			return SenderMatch{Class: SenderSendAs, Pattern: p}
		}
		for s := dom; s != ""; s = s.Parent() {
			if p, ok := d.sendAs[sendAsKey{tenant: self, base: s, wild: true}]; ok {
				return SenderMatch{Class: SenderSendAs, Pattern: p}
			}
		}
	}
	if owned {
		return d.senderMatch(SenderNotTenantDomain, r)
	}
	return SenderMatch{Class: SenderNotTenantDomain}
}

// senderMatch is a SenderMatch for the tenant and accepted domain r names, by value.
func (d *Directory) senderMatch(c SenderClass, r domainRef) SenderMatch {
	return SenderMatch{Class: c, Tenant: d.info(r.tenant), Accepted: cloneAcceptedDomain(&d.tenants[r.tenant].AcceptedDomains[r.domain])}
}
