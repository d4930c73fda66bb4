package tenantgate

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// sendAsKey indexes one SendAs pattern of one tenant by the domain it is anchored at, so that
// Directory.SenderDomain looks a name up in O(labels) whatever the number of tenants and patterns.
type sendAsKey struct {
	tenant int
	base   Domain
	wild   bool
}

// validateSendAs validates and normalises every tenant's SendAs. It runs after the accepted
// domains are checked and the gateway is validated, because whether a domain belongs to another
// served tenant needs both.
func (v *validator) validateSendAs(in []Tenant) {
	// Every tenant's entries: the key holds the tenant, so the map is never cleared (clearing a
	// map costs its capacity, which one tenant with a long list would leave behind for all).
	var seen map[sendAsKey]bool
	for i := range in {
		if len(in[i].SendAs) == 0 {
			continue
		}
		if seen == nil {
			seen = make(map[sendAsKey]bool)
		}
		out := make([]DomainPattern, 0, len(in[i].SendAs))
		for k, s := range in[i].SendAs {
			// The path is built only for an error: 100,000 tenants may list several entries each.
			p := func() string { return idx(idx("tenants", i)+".sendAs", k) }
			pat, err := ParseDomainPattern(string(s))
			if err != nil {
				v.el.add(p(), "%v", err)
				continue
			}
			if msg := v.checkSendAs(i, pat, v.initial); msg != "" {
				v.el.add(p(), "%s", msg)
				continue
			}
			key := sendAsKey{tenant: i, base: pat.Base(), wild: pat.IsWildcard()}
			if seen[key] {
				v.el.add(p(), "%s is listed twice", pat)
				continue
			}
			seen[key] = true
			out = append(out, pat)
		}
		v.tenants[i].SendAs = out
	}
}

// checkSendAs returns why tenant i may not list pat in SendAs, or "". initial is the parent of
// the initial domains in the gateway's cloud: the tenant's own <name>.<initial> is the only
// initial domain of any cloud it may name.
func (l *tenantLookup) checkSendAs(i int, pat DomainPattern, initial Domain) string {
	if pat == PatternAll {
		return `"*" would let the tenant send as every domain, other tenants' included; list the domains it sends for`
	}
	base := pat.Base()
	if suffix, _ := publicsuffix.PublicSuffix(string(base)); suffix == string(base) {
		return string(pat) + " is a public suffix (publicsuffix.org) under which unrelated parties register domains; list the domains the tenant sends for"
	}
	t := &l.tenants[i]
	for _, c := range Clouds() {
		parent := InitialDomainParentFor(c)
		if !base.IsSubdomainOf(parent) {
			continue
		}
		own, err := ParseDomain(strings.ToLower(strings.TrimSpace(t.Name)) + "." + string(initial))
		if err != nil || !base.IsSubdomainOf(own) {
			return string(pat) + ": " + string(parent) + " holds every tenant's initial domain; a tenant sends as its own " + string(own) + " without sendAs and never as another tenant's"
		}
	}
	if r, ok := l.owner(base); ok && r.tenant == i {
		return ""
	}
	if r, ok := l.servedAbove(base, i); ok {
		ad := &l.tenants[r.tenant].AcceptedDomains[r.domain]
		return string(pat) + " is at or below " + string(ad.Name) + ", an accepted domain of served tenant " + idx("tenants", r.tenant) + " (" + l.tenants[r.tenant].Name + "); one tenant of the gateway may never send as another"
	}
	return ""
}
