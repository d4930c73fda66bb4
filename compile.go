package tenantgate

import (
	"net/netip"
	"slices"
	"strings"
)

// Compile validates c the way Exchange Online would refuse it, normalises every domain and
// pattern (A-labels, lower case), fills in defaults, and builds the Directory indexes. It returns
// every problem at once as ConfigErrors, each with the JSON path of its field. c is not modified.
//
// What Compile refuses, and why:
//   - tenant: a zero or duplicate id, a missing name;
//   - accepted domains: unparsable names, a domain listed twice or in two tenants, a domain type
//     other than Authoritative/InternalRelay (Exchange Online has no ExternalRelay),
//     matchSubDomains on a domain that is not InternalRelay (Set-AcceptedDomain refuses it);
//   - inbound connectors: a missing or duplicate name, an unknown type, senderIPAddresses that are
//     not IPv4 or are wider than /24, patterns with embedded or partial wildcards,
//     treatMessagesAsInternal on a Partner connector or together with cloudServicesMailEnabled, an
//     OnPremises connector with neither a certificate name nor sender IPs, restrictDomainsTo…
//     without the list it restricts to, associatedAcceptedDomains that are not accepted domains of
//     the tenant, private addresses in efSkipIPs (Exchange Online skips them by itself);
//   - outbound connectors: a missing or duplicate name, useMXRecord false without smart hosts or
//     true with them, allAcceptedDomains/routeAllMessagesViaOnPremises/senderRewritingEnabled on a
//     Partner connector, no recipient domains on a connector neither rule-scoped nor for all
//     accepted domains, DomainValidation without tlsDomain, an unknown tlsSettings;
//   - rules: a missing name, a connector that does not exist, an unknown scope, half an exception;
//   - the facts the ORCA-parity lint reads (orca.go): efSkipMailGateway entries that are not IP
//     addresses, SCL rules without a name or with an SCL outside −1…9, an unknown mode or scope,
//     unparsable sender domains or IP ranges, a header condition without its values; ARC sealers
//     and MX report hosts that are not domains; connection-filter policies without a name or with
//     unparsable allow-list entries;
//   - sendAs (sender.go): unparsable patterns, "*", a public suffix ("*.com", "co.uk"), a domain
//     under onmicrosoft.com other than the tenant's own, a domain at or below an accepted domain
//     of another served tenant (one customer of the gateway may never send as another), an entry
//     listed twice. A wildcard that merely covers another served tenant's domain ("*.example"
//     over fabrikam.example) is allowed: SenderDomain never lets it match that domain;
//   - gateway: serving an unknown or repeated tenant, identities without a name or repeated, an
//     identity for an unknown tenant, two identities for one tenant or for the Internet, a tenant
//     identity with no certificate name, smart hosts for tenants the gateway does not serve,
//     unparsable names.
func Compile(c Config) (*Directory, error) {
	var el errList
	d := &Directory{
		byID:        make(map[TenantID]int, len(c.Tenants)),
		serves:      make(map[TenantID]bool),
		domains:     make(map[Domain]domainRef, len(c.Tenants)*4),
		certExact:   make(map[Domain][]*InboundRef, len(c.Tenants)),
		certWild:    make(map[Domain][]*InboundRef),
		certParent:  make(map[Domain][]*InboundRef, len(c.Tenants)),
		ipBuckets:   make(map[[3]byte][]*InboundRef, len(c.Tenants)/16),
		identities:  make(map[string]*Identity),
		tenantIdent: make(map[TenantID]*Identity),
		sendAs:      make(map[sendAsKey]DomainPattern),
	}
	d.cfg.Tenants = make([]Tenant, len(c.Tenants))
	d.inbound = make([][]InboundRef, len(c.Tenants))
	for i := range c.Tenants {
		path := idx("tenants", i)
		t := compileTenant(&el, path, c.Tenants[i])
		if t.ID.IsZero() {
			el.add(path+".id", "required (the tenant GUID, 8-4-4-4-12)")
		} else if j, dup := d.byID[t.ID]; dup {
			el.add(path+".id", "%s is already tenants[%d]", t.ID, j)
		} else {
			d.byID[t.ID] = i
		}
		d.cfg.Tenants[i] = t
	}
	// Indexes point into d.cfg.Tenants, which no longer grows.
	for i := range d.cfg.Tenants {
		t := &d.cfg.Tenants[i]
		path := idx("tenants", i)
		for j := range t.AcceptedDomains {
			name := t.AcceptedDomains[j].Name
			if name == "" {
				continue
			}
			if r, dup := d.domains[name]; dup {
				if r.tenant == i {
					el.add(idx(path+".acceptedDomains", j)+".name", "%s is listed twice", name)
				} else {
					el.add(idx(path+".acceptedDomains", j)+".name", "%s is already an accepted domain of tenants[%d] (%s); a domain can be verified in one tenant only", name, r.tenant, d.cfg.Tenants[r.tenant].Name)
				}
				continue
			}
			d.domains[name] = domainRef{i, j}
		}
		d.inbound[i] = make([]InboundRef, len(t.Inbound))
		for j := range t.Inbound {
			ref := &d.inbound[i][j]
			ref.Tenant, ref.Connector = t, &t.Inbound[j]
			cpath := idx(path+".inbound", j)
			for k, s := range t.Inbound[j].SenderIPAddresses {
				if p, err := ParseSenderIP(s); err != nil {
					el.add(idx(cpath+".senderIPAddresses", k), "%v", err)
				} else {
					ref.SenderIPs = append(ref.SenderIPs, p)
				}
			}
			for k, s := range t.Inbound[j].EFSkipIPs {
				r, err := ParseIPRange(s)
				switch {
				case err != nil:
					el.add(idx(cpath+".efSkipIPs", k), "%v", err)
				case r.From.IsPrivate() || r.To.IsPrivate():
					el.add(idx(cpath+".efSkipIPs", k), "%s is a private range, which Enhanced Filtering skips by itself and refuses to list", s)
				default:
					ref.EFSkipIPs = append(ref.EFSkipIPs, r)
				}
			}
			for k, a := range t.Inbound[j].AssociatedAcceptedDomains {
				if a != "" && !slices.ContainsFunc(t.AcceptedDomains, func(ad AcceptedDomain) bool { return ad.Name == a }) {
					el.add(idx(cpath+".associatedAcceptedDomains", k), "%s is not an accepted domain of this tenant", a)
				}
			}
			if ref.Connector.IsEnabled() {
				d.indexInbound(ref)
			}
		}
	}
	compileGateway(&el, d, c.Gateway)
	compileSendAs(&el, d, c.Tenants)
	if len(el.errs) > 0 {
		return nil, el.errs
	}
	return d, nil
}

func (d *Directory) indexInbound(ref *InboundRef) {
	if p := ref.Connector.TlsSenderCertificateName; p != "" && p != PatternAll {
		if p.IsWildcard() {
			d.certWild[p.Base()] = append(d.certWild[p.Base()], ref)
		} else {
			d.certExact[Domain(p)] = append(d.certExact[Domain(p)], ref)
			if par := Domain(p).Parent(); par != "" {
				d.certParent[par] = append(d.certParent[par], ref)
			}
		}
	}
	for i, p := range ref.SenderIPs {
		b := p.Addr().As4()
		// A prefix of /24 or longer lies in exactly one /24 bucket; index the connector once per bucket.
		k := [3]byte{b[0], b[1], b[2]}
		if !slices.ContainsFunc(ref.SenderIPs[:i], func(q netip.Prefix) bool { a := q.Addr().As4(); return [3]byte{a[0], a[1], a[2]} == k }) {
			d.ipBuckets[k] = append(d.ipBuckets[k], ref)
		}
	}
}

func compileTenant(el *errList, path string, in Tenant) Tenant {
	t := in
	if strings.TrimSpace(t.Name) == "" {
		el.add(path+".name", "required (the first label of <name>.onmicrosoft.com)")
	}
	t.AcceptedDomains = make([]AcceptedDomain, 0, len(in.AcceptedDomains)+1)
	for j, ad := range in.AcceptedDomains {
		p := idx(path+".acceptedDomains", j)
		n, err := ParseDomain(string(ad.Name))
		if err != nil {
			el.add(p+".name", "%v", err)
		}
		ad.Name = n
		switch ad.DomainType {
		case "", Authoritative, InternalRelay:
		case "ExternalRelay":
			el.add(p+".domainType", "ExternalRelay exists only in on-premises Exchange; Exchange Online has Authoritative and InternalRelay")
		default:
			el.add(p+".domainType", "%q is not Authoritative or InternalRelay", ad.DomainType)
		}
		if ad.MatchSubDomains && ad.Type() != InternalRelay {
			el.add(p+".matchSubDomains", "Exchange Online allows matchSubDomains only on InternalRelay domains")
		}
		t.AcceptedDomains = append(t.AcceptedDomains, ad)
	}
	if name := strings.ToLower(strings.TrimSpace(t.Name)); name != "" {
		moera, err := ParseDomain(name + ".onmicrosoft.com")
		if err != nil {
			el.add(path+".name", "%q does not make a valid <name>.onmicrosoft.com: %v", t.Name, err)
		} else if !slices.ContainsFunc(t.AcceptedDomains, func(a AcceptedDomain) bool { return a.Name == moera }) {
			t.AcceptedDomains = append(t.AcceptedDomains, AcceptedDomain{Name: moera, DomainType: Authoritative})
		}
	}
	t.DKIMSigningDomains = make([]Domain, len(in.DKIMSigningDomains))
	for j, s := range in.DKIMSigningDomains {
		n, err := ParseDomain(string(s))
		if err != nil {
			el.add(idx(path+".dkimSigningDomains", j), "%v", err)
		}
		t.DKIMSigningDomains[j] = n
	}
	t.Inbound = make([]InboundConnector, len(in.Inbound))
	names := map[string]int{}
	for j, c := range in.Inbound {
		t.Inbound[j] = compileInbound(el, idx(path+".inbound", j), c, names, j)
	}
	t.Outbound = make([]OutboundConnector, len(in.Outbound))
	outNames := map[string]int{}
	for j, c := range in.Outbound {
		t.Outbound[j] = compileOutbound(el, idx(path+".outbound", j), c, outNames, j)
	}
	t.Rules = slices.Clone(in.Rules)
	for j, r := range t.Rules {
		p := idx(path+".rules", j)
		if strings.TrimSpace(r.Name) == "" {
			el.add(p+".name", "required")
		}
		checkScope(el, p+".fromScope", r.FromScope)
		checkScope(el, p+".sentToScope", r.SentToScope)
		if r.RouteMessageOutboundConnector == "" {
			el.add(p+".routeMessageOutboundConnector", "required: only routing rules belong in the configuration")
		} else if _, ok := outNames[r.RouteMessageOutboundConnector]; !ok {
			el.add(p+".routeMessageOutboundConnector", "no outbound connector of this tenant is named %q", r.RouteMessageOutboundConnector)
		}
		if (r.ExceptIfHeaderContainsMessageHeader == "") != (len(r.ExceptIfHeaderContainsWords) == 0) {
			el.add(p+".exceptIfHeaderContainsWords", "exceptIfHeaderContainsMessageHeader and exceptIfHeaderContainsWords go together")
		}
	}
	compileORCA(el, path, &t)
	return t
}

func checkScope(el *errList, path string, s Scope) {
	switch s {
	case "", InOrganization, NotInOrganization:
	default:
		el.add(path, "%q is not InOrganization or NotInOrganization", s)
	}
}

func checkName(el *errList, path, name string, seen map[string]int, j int) {
	switch prev, dup := seen[name]; {
	case strings.TrimSpace(name) == "":
		el.add(path+".name", "required")
	case dup:
		el.add(path+".name", "%q is also the name of connector [%d]", name, prev)
	default:
		seen[name] = j
	}
}

func checkType(el *errList, path string, t ConnectorType) {
	switch t {
	case "", Partner, OnPremises:
	default:
		el.add(path+".connectorType", "%q is not Partner or OnPremises", t)
	}
}

func patterns(el *errList, path string, in []DomainPattern) []DomainPattern {
	if in == nil {
		return nil
	}
	out := make([]DomainPattern, len(in))
	for k, s := range in {
		p, err := ParseDomainPattern(string(s))
		if err != nil {
			el.add(idx(path, k), "%v", err)
		}
		out[k] = p
	}
	return out
}

func certPattern(el *errList, path string, s DomainPattern) DomainPattern {
	if s == "" {
		return ""
	}
	if s == PatternAll {
		el.add(path, "\"*\" would match every certificate; name a domain or \"*.domain\"")
		return ""
	}
	p, err := ParseDomainPattern(string(s))
	if err != nil {
		el.add(path, "%v", err)
	}
	return p
}

func compileInbound(el *errList, path string, c InboundConnector, seen map[string]int, j int) InboundConnector {
	checkName(el, path, c.Name, seen, j)
	checkType(el, path, c.ConnectorType)
	c.SenderDomains = patterns(el, path+".senderDomains", c.SenderDomains)
	c.TlsSenderCertificateName = certPattern(el, path+".tlsSenderCertificateName", c.TlsSenderCertificateName)
	c.SenderIPAddresses = slices.Clone(c.SenderIPAddresses)
	ads := make([]Domain, len(c.AssociatedAcceptedDomains))
	for k, a := range c.AssociatedAcceptedDomains {
		n, err := ParseDomain(string(a))
		if err != nil {
			el.add(idx(path+".associatedAcceptedDomains", k), "%v", err)
		}
		ads[k] = n
	}
	c.AssociatedAcceptedDomains = ads
	for k, u := range c.EFUsers {
		if _, err := AddressDomain(u); err != nil {
			el.add(idx(path+".efUsers", k), "%v", err)
		}
	}
	if c.TreatMessagesAsInternal && c.Type() != OnPremises {
		el.add(path+".treatMessagesAsInternal", "allowed only on OnPremises connectors")
	}
	if c.TreatMessagesAsInternal && c.CloudServicesMailEnabled {
		el.add(path+".treatMessagesAsInternal", "cannot be true together with cloudServicesMailEnabled")
	}
	if c.Type() == OnPremises && c.TlsSenderCertificateName == "" && len(c.SenderIPAddresses) == 0 {
		el.add(path, "an OnPremises connector needs tlsSenderCertificateName or senderIPAddresses to identify the sending server")
	}
	if c.RestrictDomainsToCertificate && c.TlsSenderCertificateName == "" {
		el.add(path+".restrictDomainsToCertificate", "needs tlsSenderCertificateName")
	}
	if c.RestrictDomainsToIPAddresses && len(c.SenderIPAddresses) == 0 {
		el.add(path+".restrictDomainsToIPAddresses", "needs senderIPAddresses")
	}
	return c
}

func compileOutbound(el *errList, path string, c OutboundConnector, seen map[string]int, j int) OutboundConnector {
	checkName(el, path, c.Name, seen, j)
	checkType(el, path, c.ConnectorType)
	c.RecipientDomains = patterns(el, path+".recipientDomains", c.RecipientDomains)
	c.SmartHosts = slices.Clone(c.SmartHosts)
	for k, h := range c.SmartHosts {
		if _, err := netip.ParseAddr(h); err == nil {
			continue
		}
		if _, err := netip.ParsePrefix(h); err == nil {
			continue
		}
		n, err := ParseDomain(h)
		if err != nil {
			el.add(idx(path+".smartHosts", k), "%v", err)
			continue
		}
		c.SmartHosts[k] = string(n)
	}
	if c.UseMXRecord != nil && !*c.UseMXRecord && len(c.SmartHosts) == 0 {
		el.add(path+".smartHosts", "required when useMXRecord is false")
	}
	if c.UseMXRecord != nil && *c.UseMXRecord && len(c.SmartHosts) > 0 {
		el.add(path+".useMXRecord", "smartHosts are used only with useMXRecord false")
	}
	switch c.TlsSettings {
	case TlsOpportunistic, TlsEncryptionOnly, TlsCertificateValidation, TlsDomainValidation:
	default:
		el.add(path+".tlsSettings", "%q is not EncryptionOnly, CertificateValidation or DomainValidation", c.TlsSettings)
	}
	if c.TlsDomain != "" {
		c.TlsDomain = certPattern(el, path+".tlsDomain", c.TlsDomain)
	}
	if c.TlsSettings == TlsDomainValidation && c.TlsDomain == "" {
		el.add(path+".tlsDomain", "required with tlsSettings DomainValidation")
	}
	if c.Type() != OnPremises {
		if c.AllAcceptedDomains {
			el.add(path+".allAcceptedDomains", "allowed only on OnPremises connectors")
		}
		if c.RouteAllMessagesViaOnPremises {
			el.add(path+".routeAllMessagesViaOnPremises", "allowed only on OnPremises connectors")
		}
		if c.SenderRewritingEnabled {
			el.add(path+".senderRewritingEnabled", "allowed only on OnPremises connectors")
		}
	}
	if !c.IsTransportRuleScoped && !c.AllAcceptedDomains && len(c.RecipientDomains) == 0 {
		el.add(path+".recipientDomains", "required unless isTransportRuleScoped or allAcceptedDomains")
	}
	return c
}

func compileGateway(el *errList, d *Directory, in Gateway) {
	g := in
	g.Name = strings.TrimSpace(g.Name)
	if g.Name != "" {
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
		case d.serves[id]:
			el.add(p, "%s is listed twice", id)
		default:
			if _, ok := d.byID[id]; !ok {
				el.add(p, "%s is not a tenant of this configuration; add it under tenants", id)
			}
			d.serves[id] = true
		}
	}
	if g.ExchangeOnline.CertNames == nil {
		g.ExchangeOnline.CertNames = DefaultEXOCertNames()
	} else {
		g.ExchangeOnline.CertNames = certNames(el, "gateway.exchangeOnline.certNames", in.ExchangeOnline.CertNames)
	}
	if g.ExchangeOnline.Networks == nil {
		g.ExchangeOnline.Networks = DefaultEXONetworks()
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
	for i, id := range in.Identities {
		p := idx("gateway.identities", i)
		id.CertNames = certNames(el, p+".certNames", id.CertNames)
		switch {
		case strings.TrimSpace(id.Name) == "":
			el.add(p+".name", "required")
		case slices.ContainsFunc(g.Identities, func(o Identity) bool { return o.Name == id.Name }):
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
			if _, ok := d.byID[tid]; !ok {
				el.add(p+".for", "%s is not a tenant of this configuration", tid)
			} else if !d.serves[tid] {
				el.add(p+".for", "%s is not served by the gateway; an identity for it would never be used", tid)
			}
			if slices.ContainsFunc(g.Identities, func(o Identity) bool { return o.For == id.For }) {
				el.add(p+".for", "%s already has an identity; present one certificate per tenant", tid)
			}
			if len(id.CertNames) == 0 {
				el.add(p+".certNames", "a tenant identity must carry the certificate names Exchange Online matches to the tenant's inbound connector")
			}
		}
		g.Identities = append(g.Identities, id)
	}
	if internet < 0 {
		g.Identities = append(g.Identities, Identity{Name: ForInternet, For: ForInternet})
	}
	for i := range g.Identities {
		id := &g.Identities[i]
		d.identities[id.Name] = id
		if tid, err := ParseTenantID(id.For); err == nil {
			d.tenantIdent[tid] = id
		}
	}
	if in.SmartHosts != nil {
		g.SmartHosts = make(map[TenantID]string, len(in.SmartHosts))
		for id, h := range in.SmartHosts {
			p := "gateway.smartHosts." + id.String()
			if !d.serves[id] {
				el.add(p, "%s is not served by the gateway", id)
			}
			n, err := ParseDomain(h)
			if err != nil {
				el.add(p, "%v", err)
			}
			g.SmartHosts[id] = string(n)
		}
	}
	d.cfg.Gateway = g
}

// certNames normalises certificate DNS names: a host name, or an RFC 6125 wildcard "*.domain".
func certNames(el *errList, path string, in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		if rest, ok := strings.CutPrefix(s, "*."); ok {
			n, err := ParseDomain(rest)
			if err != nil {
				el.add(idx(path, i), "%v", err)
			}
			out[i] = "*." + string(n)
			continue
		}
		n, err := ParseDomain(s)
		if err != nil {
			el.add(idx(path, i), "%v", err)
		}
		out[i] = string(n)
	}
	return out
}
