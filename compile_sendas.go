package tenantgate

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// moeraParent is the parent of every tenant's initial domain, <name>.onmicrosoft.com.
const moeraParent Domain = "onmicrosoft.com"

// sendAsKey indexes one SendAs pattern of one tenant by the domain it is anchored at, so that
// Directory.SenderDomain looks a name up in O(labels) whatever the number of tenants and patterns.
type sendAsKey struct {
	tenant int
	base   Domain
	wild   bool
}

// compileSendAs validates and indexes every tenant's SendAs. It runs after the accepted domains
// are indexed and the gateway is compiled, because whether a domain belongs to another served
// tenant needs both.
func compileSendAs(el *errList, d *Directory, in []Tenant) {
	for i := range in {
		if len(in[i].SendAs) == 0 {
			continue
		}
		t := &d.cfg.Tenants[i]
		out := make([]DomainPattern, 0, len(in[i].SendAs))
		for k, s := range in[i].SendAs {
			// The path is built only for an error: 100,000 tenants may list several entries each.
			p := func() string { return idx(idx("tenants", i)+".sendAs", k) }
			pat, err := ParseDomainPattern(string(s))
			if err != nil {
				el.add(p(), "%v", err)
				continue
			}
			if msg := d.checkSendAs(i, pat); msg != "" {
				el.add(p(), "%s", msg)
				continue
			}
			key := sendAsKey{tenant: i, base: pat.Base(), wild: pat.IsWildcard()}
			if _, dup := d.sendAs[key]; dup {
				el.add(p(), "%s is listed twice", pat)
				continue
			}
			d.sendAs[key] = pat
			out = append(out, pat)
		}
		t.SendAs = out
	}
}

// checkSendAs returns why tenant i may not list pat in SendAs, or "".
func (d *Directory) checkSendAs(i int, pat DomainPattern) string {
	if pat == PatternAll {
		return `"*" would let the tenant send as every domain, other tenants' included; list the domains it sends for`
	}
	base := pat.Base()
	if suffix, _ := publicsuffix.PublicSuffix(string(base)); suffix == string(base) {
		return string(pat) + " is a public suffix (publicsuffix.org) under which unrelated parties register domains; list the domains the tenant sends for"
	}
	t := &d.cfg.Tenants[i]
	if base.IsSubdomainOf(moeraParent) {
		own, err := ParseDomain(strings.ToLower(strings.TrimSpace(t.Name)) + "." + string(moeraParent))
		if err != nil || !base.IsSubdomainOf(own) {
			return string(pat) + ": onmicrosoft.com holds every tenant's initial domain; a tenant sends as its own " + string(own) + " without sendAs and never as another tenant's"
		}
	}
	if o, _, ok := d.Owner(base); ok && o == t {
		return ""
	}
	if j, ad, ok := d.servedAbove(base, i); ok {
		return string(pat) + " is at or below " + string(ad.Name) + ", an accepted domain of served tenant " + idx("tenants", j) + " (" + d.cfg.Tenants[j].Name + "); one tenant of the gateway may never send as another"
	}
	return ""
}

// servedAbove returns the first accepted domain at or above dom (whatever its MatchSubDomains)
// that belongs to a served tenant other than tenants[self], with that tenant's index.
func (d *Directory) servedAbove(dom Domain, self int) (int, *AcceptedDomain, bool) {
	for s := dom; s != ""; s = s.Parent() {
		r, ok := d.domains[s]
		if !ok || r.tenant == self {
			continue
		}
		if t := &d.cfg.Tenants[r.tenant]; d.serves[t.ID] {
			return r.tenant, &t.AcceptedDomains[r.domain], true
		}
	}
	return 0, nil, false
}
