package tenantgate

import (
	"net/netip"
	"slices"
	"strings"
)

// validateGateway checks the gateway against the tenants and returns it normalised: EXO
// certificate names and networks resolved to the defaults when absent, an Internet identity
// added when none is configured. It records the served tenants in v.serves.
func (v *validator) validateGateway(in Gateway) Gateway {
	el := &v.el
	g := in
	g.Name = strings.TrimSpace(g.Name)
	switch {
	case g.Name == "" && in.configured():
		el.add("gateway.name", "required: the gateway's host name (its HELO name and default authserv-id)")
	case g.Name != "":
		if n, err := ParseDomain(g.Name); err != nil {
			el.add("gateway.name", "%v", err)
		} else {
			g.Name = string(n)
		}
	}
	if g.AuthServID == "" {
		g.AuthServID = g.Name
	}
	g.Serves = slices.Clone(in.Serves)
	for i, id := range g.Serves {
		p := idx("gateway.serves", i)
		switch {
		case id.IsZero():
			el.add(p, "the all-zero GUID names no tenant")
		case v.serves[id]:
			el.add(p, "%s is listed twice", id)
		default:
			if _, ok := v.byID[id]; !ok {
				el.add(p, "%s is not a tenant of this configuration; add it under tenants", id)
			}
			v.serves[id] = true
		}
	}
	cloud, err := ParseCloud(string(in.ExchangeOnline.Cloud))
	if err != nil {
		el.add("gateway.exchangeOnline.cloud", "%v", err)
	}
	if in.ExchangeOnline.Cloud != "" {
		g.ExchangeOnline.Cloud = cloud
	}
	if g.ExchangeOnline.CertNames == nil {
		g.ExchangeOnline.CertNames = DefaultEXOCertNamesFor(cloud)
	} else {
		g.ExchangeOnline.CertNames = certNames(el, "gateway.exchangeOnline.certNames", in.ExchangeOnline.CertNames)
	}
	if g.ExchangeOnline.Networks == nil {
		g.ExchangeOnline.Networks = DefaultEXONetworksFor(cloud)
	} else {
		g.ExchangeOnline.Networks = make([]netip.Prefix, len(in.ExchangeOnline.Networks))
		for i, p := range in.ExchangeOnline.Networks {
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			g.ExchangeOnline.Networks[i] = p.Masked()
		}
	}
	g.Addresses = slices.Clone(in.Addresses)
	for i, a := range g.Addresses {
		g.Addresses[i] = a.Unmap()
	}
	g.Identities = make([]Identity, 0, len(in.Identities)+1)
	internet := -1
	// The names and for values of the identities already appended, so that each duplicate check
	// is one lookup: a gateway has an identity per served tenant.
	names := make(map[string]bool, len(in.Identities))
	fors := make(map[string]bool, len(in.Identities))
	for i, id := range in.Identities {
		p := idx("gateway.identities", i)
		id.CertNames = certNames(el, p+".certNames", id.CertNames)
		id.ClientAuth = clonePtr(id.ClientAuth)
		if id.ClientAuth != nil && len(id.CertNames) == 0 {
			el.add(p+".clientAuth", "describes a certificate, and this identity presents none (no certNames)")
		}
		switch {
		case strings.TrimSpace(id.Name) == "":
			el.add(p+".name", "required")
		case names[id.Name]:
			el.add(p+".name", "%q is used by another identity", id.Name)
		}
		if id.For == ForInternet {
			if internet >= 0 {
				el.add(p+".for", "identities[%d] is already the Internet identity", internet)
			}
			internet = i
		} else if tid, err := ParseTenantID(id.For); err != nil {
			el.add(p+".for", "want a tenant ID or %q: %v", ForInternet, err)
		} else {
			id.For = tid.String()
			if _, ok := v.byID[tid]; !ok {
				el.add(p+".for", "%s is not a tenant of this configuration", tid)
			} else if !v.serves[tid] {
				el.add(p+".for", "%s is not served by the gateway; an identity for it would never be used", tid)
			}
			if fors[id.For] {
				el.add(p+".for", "%s already has an identity; present one certificate per tenant", tid)
			}
			if len(id.CertNames) == 0 {
				el.add(p+".certNames", "a tenant identity must carry the certificate names Exchange Online matches to the tenant's inbound connector")
			}
		}
		g.Identities = append(g.Identities, id)
		names[id.Name], fors[id.For] = true, true
	}
	if internet < 0 {
		g.Identities = append(g.Identities, Identity{Name: ForInternet, For: ForInternet})
	}
	if in.SmartHosts != nil {
		g.SmartHosts = make(map[TenantID]string, len(in.SmartHosts))
		for id, h := range in.SmartHosts {
			p := "gateway.smartHosts." + id.String()
			if !v.serves[id] {
				el.add(p, "%s is not served by the gateway", id)
			}
			n, err := ParseDomain(h)
			if err != nil {
				el.add(p, "%v", err)
			}
			g.SmartHosts[id] = string(n)
		}
	}
	return g
}

// certNames normalises certificate DNS names with ParseCertName: a host name, or an RFC 6125
// wildcard "*.domain".
func certNames(el *errList, path string, in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		n, wild, err := ParseCertName(s)
		if err != nil {
			el.add(idx(path, i), "%v", err)
		}
		if wild {
			out[i] = "*." + string(n)
		} else {
			out[i] = string(n)
		}
	}
	return out
}

// configured reports whether any gateway field is set. A configuration without a gateway
// compiles into a Directory of tenants only; one that sets anything of the gateway must name it.
func (g *Gateway) configured() bool {
	return g.Name != "" || g.Serves != nil || g.Addresses != nil || g.ExchangeOnline.CertNames != nil ||
		g.ExchangeOnline.Networks != nil || g.Identities != nil || g.SmartHosts != nil || g.AuthServID != ""
}
