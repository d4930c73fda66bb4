package tenantgate

import (
	"net/netip"
	"slices"
)

// Directory is a compiled, validated Config with the indexes classification needs. Every lookup
// is O(1) or O(labels of a name) in the number of tenants. A Directory is immutable and safe for
// concurrent use; the values it returns point into it and must not be modified.
type Directory struct {
	cfg     Config // normalised
	byID    map[TenantID]int
	serves  map[TenantID]bool
	domains map[Domain]domainRef

	inbound     [][]InboundRef            // per tenant, per connector (enabled or not)
	certExact   map[Domain][]*InboundRef  // enabled connectors with TlsSenderCertificateName == name
	certWild    map[Domain][]*InboundRef  // enabled connectors with TlsSenderCertificateName == "*."+name
	certParent  map[Domain][]*InboundRef  // enabled connectors with an exact name, by its parent
	ipBuckets   map[[3]byte][]*InboundRef // enabled connectors by the /24 of each SenderIPAddresses entry
	identities  map[string]*Identity
	tenantIdent map[TenantID]*Identity
	sendAs      map[sendAsKey]DomainPattern // every tenant's SendAs, by the domain each is anchored at
}

type domainRef struct{ tenant, domain int }

// InboundRef is an inbound connector with what Compile parsed from it.
type InboundRef struct {
	Tenant    *Tenant
	Connector *InboundConnector
	// SenderIPs is SenderIPAddresses parsed (IPv4, /24–/32).
	SenderIPs []netip.Prefix
	// EFSkipIPs is EFSkipIPs parsed.
	EFSkipIPs []IPRange
}

// Config returns the normalised configuration (domains in A-label form, defaults filled in).
func (d *Directory) Config() *Config { return &d.cfg }

// Gateway returns the normalised gateway: EXO certificate names and networks resolved to the
// defaults when they were absent, and an Internet identity present.
func (d *Directory) Gateway() *Gateway { return &d.cfg.Gateway }

// Tenants returns every tenant in configuration order.
func (d *Directory) Tenants() []Tenant { return d.cfg.Tenants }

// Tenant returns the tenant with the given ID.
func (d *Directory) Tenant(id TenantID) (*Tenant, bool) {
	i, ok := d.byID[id]
	if !ok {
		return nil, false
	}
	return &d.cfg.Tenants[i], true
}

// Serves reports whether the gateway relays for tenant id.
func (d *Directory) Serves(id TenantID) bool { return d.serves[id] }

// Owner returns the tenant that accepts mail for dom and the accepted domain that makes it so: an
// exact accepted domain first, else the nearest parent accepted domain with MatchSubDomains.
// dom must be normalised (ParseDomain).
func (d *Directory) Owner(dom Domain) (*Tenant, *AcceptedDomain, bool) {
	if r, ok := d.domains[dom]; ok {
		t := &d.cfg.Tenants[r.tenant]
		return t, &t.AcceptedDomains[r.domain], true
	}
	for p := dom.Parent(); p != ""; p = p.Parent() {
		if r, ok := d.domains[p]; ok {
			t := &d.cfg.Tenants[r.tenant]
			if ad := &t.AcceptedDomains[r.domain]; ad.MatchSubDomains {
				return t, ad, true
			}
		}
	}
	return nil, nil, false
}

// Accepts reports whether tenant id accepts mail for dom (Owner is that tenant).
func (d *Directory) Accepts(id TenantID, dom Domain) bool {
	t, _, ok := d.Owner(dom)
	return ok && t.ID == id
}

// Inbound returns the inbound connectors of tenant id (enabled or not), in configuration order.
func (d *Directory) Inbound(id TenantID) []InboundRef {
	i, ok := d.byID[id]
	if !ok {
		return nil
	}
	return d.inbound[i]
}

// InboundByCertName returns the enabled inbound connectors whose TlsSenderCertificateName matches
// the certificate name n under Exchange Online's semantics: the exact value n, or "*.s" for n
// itself or any parent s of n. n must be normalised and must not be a wildcard.
func (d *Directory) InboundByCertName(n Domain) []*InboundRef {
	out := d.certExact[n]
	for s := n; s != ""; s = s.Parent() {
		if w := d.certWild[s]; len(w) > 0 {
			out = append(slices.Clip(out), w...)
		}
	}
	return out
}

// InboundByCertWildcard returns the enabled inbound connectors a certificate name "*.parent" could
// stand for: exact values one label below parent, and the value "*.parent" itself
// (docs/exchange-online.md#certificate-names, the suggested rule for wildcards in presented certificates).
func (d *Directory) InboundByCertWildcard(parent Domain) []*InboundRef {
	out := d.certParent[parent]
	if w := d.certWild[parent]; len(w) > 0 {
		out = append(slices.Clip(out), w...)
	}
	return out
}

// InboundBySenderIP returns the enabled inbound connectors whose SenderIPAddresses contain ip.
// IPv6 addresses (after unmapping IPv4-mapped ones) match nothing: Exchange Online connectors
// take IPv4 only.
func (d *Directory) InboundBySenderIP(ip netip.Addr) []*InboundRef {
	ip = ip.Unmap().WithZone("")
	if !ip.Is4() {
		return nil
	}
	b := ip.As4()
	bucket := d.ipBuckets[[3]byte{b[0], b[1], b[2]}]
	all := true
	for _, r := range bucket {
		if !refHasIP(r, ip) {
			all = false
			break
		}
	}
	if all {
		return bucket
	}
	var out []*InboundRef
	for _, r := range bucket {
		if refHasIP(r, ip) {
			out = append(out, r)
		}
	}
	return out
}

func refHasIP(r *InboundRef, ip netip.Addr) bool {
	for _, p := range r.SenderIPs {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Identity returns the gateway identity with the given name.
func (d *Directory) Identity(name string) (*Identity, bool) {
	id, ok := d.identities[name]
	return id, ok
}

// TenantIdentity returns the identity the gateway presents to tenant id's Exchange Online, if any.
func (d *Directory) TenantIdentity(id TenantID) (*Identity, bool) {
	i, ok := d.tenantIdent[id]
	return i, ok
}

// InternetIdentity returns the identity the gateway presents to every other next hop.
func (d *Directory) InternetIdentity() *Identity {
	for i := range d.cfg.Gateway.Identities {
		if d.cfg.Gateway.Identities[i].For == ForInternet {
			return &d.cfg.Gateway.Identities[i]
		}
	}
	return nil // unreachable after Compile
}
