package tenantgate

import (
	"net/netip"
	"slices"
)

// Directory is a compiled, validated Config with the indexes classification needs. Every lookup
// is O(1) or O(labels of a name) in the number of tenants. A Directory is immutable and safe for
// concurrent use. Config, Gateway, Tenants, Tenant, Owner, Identity, TenantIdentity,
// InternetIdentity and SenderDomain return copies: changing what they return never changes the
// Directory. Copying a tenant costs allocations, so the lookups made for every message answer by
// value without copying: OwnerInfo, TenantInfo, Accepts, Serves, GatewaySmartHost. The
// InboundRef values of Inbound and the InboundBy lookups are the exception: they are the
// Directory's own (read on the path of every message) and must not be modified.
type Directory struct {
	cfg Config // normalised
	tenantLookup

	inbound     [][]InboundRef            // per tenant, per connector (enabled or not)
	certExact   map[Domain][]*InboundRef  // enabled connectors with TLSSenderCertificateName == name
	certWild    map[Domain][]*InboundRef  // enabled connectors with TLSSenderCertificateName == "*."+name
	certParent  map[Domain][]*InboundRef  // enabled connectors with an exact name, by its parent
	ipBuckets   map[[3]byte][]*InboundRef // enabled connectors by the /24 of each SenderIPAddresses entry
	identities  map[string]*Identity
	tenantIdent map[TenantID]*Identity
	internet    *Identity                   // the identity For ForInternet (Compile adds one when none is configured)
	sendAs      map[sendAsKey]DomainPattern // every tenant's SendAs, by the domain each is anchored at
}

// tenantLookup finds a tenant by ID and the tenant that accepts a domain. Validation builds it
// (the checks across tenants read it) and the Directory keeps it.
type tenantLookup struct {
	tenants []Tenant // the normalised tenants, in configuration order
	byID    map[TenantID]int
	serves  map[TenantID]bool
	domains map[Domain]domainRef // every accepted domain, by name
}

type domainRef struct{ tenant, domain int }

// owner is Directory.Owner by index: the exact accepted domain dom, else the nearest parent
// accepted domain with MatchSubDomains.
func (l *tenantLookup) owner(dom Domain) (domainRef, bool) {
	if r, ok := l.domains[dom]; ok {
		return r, true
	}
	for p := dom.Parent(); p != ""; p = p.Parent() {
		if r, ok := l.domains[p]; ok && l.tenants[r.tenant].AcceptedDomains[r.domain].MatchSubDomains {
			return r, true
		}
	}
	return domainRef{}, false
}

// servedAbove returns the first accepted domain at or above dom (whatever its MatchSubDomains)
// that belongs to a served tenant other than tenants[self].
func (l *tenantLookup) servedAbove(dom Domain, self int) (domainRef, bool) {
	for s := dom; s != ""; s = s.Parent() {
		r, ok := l.domains[s]
		if !ok || r.tenant == self {
			continue
		}
		if l.serves[l.tenants[r.tenant].ID] {
			return r, true
		}
	}
	return domainRef{}, false
}

// InboundRef is an inbound connector with what Compile parsed from it. Inbound and the InboundBy
// lookups return the Directory's own InboundRefs, without copying: read them, never change them
// (neither the slices returned nor what the fields point to).
type InboundRef struct {
	Tenant    *Tenant
	Connector *InboundConnector
	// SenderIPs is SenderIPAddresses parsed (IPv4, /24–/32).
	SenderIPs []netip.Prefix
	// EFSkipIPs is EFSkipIPs parsed.
	EFSkipIPs []IPRange
}

// Config returns a copy of the normalised configuration (domains in A-label form, defaults
// filled in).
func (d *Directory) Config() *Config {
	c := cloneConfig(&d.cfg)
	return &c
}

// Gateway returns a copy of the normalised gateway: EXO certificate names and networks resolved
// to the defaults when they were absent, and an Internet identity present.
func (d *Directory) Gateway() *Gateway {
	g := cloneGateway(&d.cfg.Gateway)
	return &g
}

// Tenants returns a copy of every tenant in configuration order. It copies them all: look one
// tenant up with Tenant or Owner.
func (d *Directory) Tenants() []Tenant { return cloneEach(d.tenants, cloneTenant) }

// Tenant returns a copy of the tenant with the given ID.
func (d *Directory) Tenant(id TenantID) (*Tenant, bool) {
	i, ok := d.byID[id]
	if !ok {
		return nil, false
	}
	t := cloneTenant(&d.tenants[i])
	return &t, true
}

// TenantInfo identifies a tenant by value: what the lookups on the path of every message return
// instead of a copy of the whole Tenant. It refers to nothing in the Directory.
type TenantInfo struct {
	ID   TenantID
	Name string
	// Index is the tenant's position in configuration order (in Tenants).
	Index int
}

// TenantInfo is Tenant without the copy: the ID, name and position of tenant id.
func (d *Directory) TenantInfo(id TenantID) (TenantInfo, bool) {
	i, ok := d.byID[id]
	if !ok {
		return TenantInfo{}, false
	}
	return d.info(i), true
}

func (d *Directory) info(i int) TenantInfo {
	return TenantInfo{ID: d.tenants[i].ID, Name: d.tenants[i].Name, Index: i}
}

// Serves reports whether the gateway relays for tenant id.
func (d *Directory) Serves(id TenantID) bool { return d.serves[id] }

// Owner returns a copy of the tenant that accepts mail for dom and of the accepted domain that
// makes it so: an exact accepted domain first, else the nearest parent accepted domain with
// MatchSubDomains. dom must be normalised (ParseDomain). OwnerInfo answers without the copy.
func (d *Directory) Owner(dom Domain) (*Tenant, *AcceptedDomain, bool) {
	r, ok := d.owner(dom)
	if !ok {
		return nil, nil, false
	}
	t := cloneTenant(&d.tenants[r.tenant])
	return &t, &t.AcceptedDomains[r.domain], true
}

// OwnerInfo is Owner without the copy: the ID, name and position of the tenant that accepts
// mail for dom.
func (d *Directory) OwnerInfo(dom Domain) (TenantInfo, bool) {
	r, ok := d.owner(dom)
	if !ok {
		return TenantInfo{}, false
	}
	return d.info(r.tenant), true
}

// Accepts reports whether tenant id accepts mail for dom (Owner is that tenant).
func (d *Directory) Accepts(id TenantID, dom Domain) bool {
	r, ok := d.owner(dom)
	return ok && d.tenants[r.tenant].ID == id
}

// Inbound returns the inbound connectors of tenant id (enabled or not), in configuration order.
func (d *Directory) Inbound(id TenantID) []InboundRef {
	i, ok := d.byID[id]
	if !ok {
		return nil
	}
	return d.inbound[i]
}

// InboundByCertName returns the enabled inbound connectors whose TLSSenderCertificateName matches
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

// GatewaySmartHost returns the host Gateway.SmartHosts configures for tenant id, without copying
// the gateway.
func (d *Directory) GatewaySmartHost(id TenantID) (string, bool) {
	h, ok := d.cfg.Gateway.SmartHosts[id]
	return h, ok
}

// Identity returns a copy of the gateway identity with the given name.
func (d *Directory) Identity(name string) (*Identity, bool) {
	id, ok := d.identities[name]
	if !ok {
		return nil, false
	}
	c := cloneIdentity(id)
	return &c, true
}

// TenantIdentity returns a copy of the identity the gateway presents to tenant id's Exchange
// Online, if any.
func (d *Directory) TenantIdentity(id TenantID) (*Identity, bool) {
	i, ok := d.tenantIdent[id]
	if !ok {
		return nil, false
	}
	c := cloneIdentity(i)
	return &c, true
}

// InternetIdentity returns a copy of the identity the gateway presents to every other next hop.
func (d *Directory) InternetIdentity() *Identity {
	if d.internet == nil {
		return nil // unreachable after Compile
	}
	c := cloneIdentity(d.internet)
	return &c
}
