package tenantgate

import (
	"net/netip"
	"slices"
	"strings"
)

// validator walks a Config once, in configuration order, collecting every error with its JSON
// path and building the normalised copy Compile indexes. The lookups it needs for checks across
// tenants (duplicate IDs and domains, served tenants, sendAs) are the Directory's, so index keeps
// them.
type validator struct {
	el  errList
	cfg Config // the normalised copy
	tenantLookup
	// initial is the parent of the tenants' initial domains in the gateway's cloud
	// (InitialDomainParentFor).
	initial Domain
}

// validate checks c and returns its normalised copy with every error found. Nothing in it is
// indexed yet; the order of the errors is the order of the fields in c.
func validate(c Config) *validator {
	v := &validator{tenantLookup: tenantLookup{
		byID:    make(map[TenantID]int, len(c.Tenants)),
		serves:  make(map[TenantID]bool),
		domains: make(map[Domain]domainRef, len(c.Tenants)*4),
	}}
	cloud, err := ParseCloud(string(c.Gateway.ExchangeOnline.Cloud))
	if err != nil {
		cloud = CloudWorldwide // the gateway's check reports the unknown cloud
	}
	v.initial = InitialDomainParentFor(cloud)
	v.cfg.Tenants = make([]Tenant, len(c.Tenants))
	v.tenants = v.cfg.Tenants
	for i := range c.Tenants {
		path := idx("tenants", i)
		t := validateTenant(&v.el, path, c.Tenants[i], v.initial)
		if t.ID.IsZero() {
			v.el.add(path+".id", "required (the tenant GUID, 8-4-4-4-12)")
		} else if j, dup := v.byID[t.ID]; dup {
			v.el.add(path+".id", "%s is already tenants[%d]", t.ID, j)
		} else {
			v.byID[t.ID] = i
		}
		v.tenants[i] = t
	}
	for i := range v.tenants {
		path := idx("tenants", i)
		v.checkDomains(i, path)
		v.checkInboundAddresses(i, path)
	}
	v.cfg.Gateway = v.validateGateway(c.Gateway)
	v.validateSendAs(c.Tenants)
	return v
}

// checkDomains refuses an accepted domain of tenants[i] listed twice or already accepted by an
// earlier tenant, and records the others in v.domains.
func (v *validator) checkDomains(i int, path string) {
	t := &v.tenants[i]
	for j := range t.AcceptedDomains {
		name := t.AcceptedDomains[j].Name
		if name == "" {
			continue
		}
		if r, dup := v.domains[name]; dup {
			if r.tenant == i {
				v.el.add(idx(path+".acceptedDomains", j)+".name", "%s is listed twice", name)
			} else {
				v.el.add(idx(path+".acceptedDomains", j)+".name", "%s is already an accepted domain of tenants[%d] (%s); a domain can be verified in one tenant only", name, r.tenant, v.tenants[r.tenant].Name)
			}
			continue
		}
		v.domains[name] = domainRef{i, j}
	}
}

// smallList is the length up to which Compile searches a list rather than build a map for it:
// the search then costs at most smallList comparisons per lookup, which keeps the check linear.
const smallList = 8

// checkInboundAddresses checks the address lists of tenants[i]'s inbound connectors and their
// associatedAcceptedDomains (which need the tenant's normalised accepted domains).
func (v *validator) checkInboundAddresses(i int, path string) {
	t := &v.tenants[i]
	accepted := func(a Domain) bool {
		return slices.ContainsFunc(t.AcceptedDomains, func(ad AcceptedDomain) bool { return ad.Name == a })
	}
	if len(t.AcceptedDomains) > smallList && slices.ContainsFunc(t.Inbound, func(c InboundConnector) bool { return len(c.AssociatedAcceptedDomains) > 0 }) {
		// A tenant with many accepted domains: one lookup per associated domain rather than a
		// search of the list.
		own := make(map[Domain]bool, len(t.AcceptedDomains))
		for _, ad := range t.AcceptedDomains {
			own[ad.Name] = true
		}
		accepted = func(a Domain) bool { return own[a] }
	}
	for j := range t.Inbound {
		c := &t.Inbound[j]
		cpath := idx(path+".inbound", j)
		for k, s := range c.SenderIPAddresses {
			if _, err := ParseSenderIP(s); err != nil {
				v.el.add(idx(cpath+".senderIPAddresses", k), "%v", err)
			}
		}
		for k, s := range c.EFSkipIPs {
			r, err := ParseIPRange(s)
			switch {
			case err != nil:
				v.el.add(idx(cpath+".efSkipIPs", k), "%v", err)
			case r.From.IsPrivate() || r.To.IsPrivate():
				v.el.add(idx(cpath+".efSkipIPs", k), "%s is a private range, which Enhanced Filtering skips by itself and refuses to list", s)
			}
		}
		for k, a := range c.AssociatedAcceptedDomains {
			if a != "" && !accepted(a) {
				v.el.add(idx(cpath+".associatedAcceptedDomains", k), "%s is not an accepted domain of this tenant", a)
			}
		}
	}
}

// validateTenant checks one tenant on its own and returns its normalised copy: the accepted
// domains with the initial domain <name>.<initial> implied (<name>.onmicrosoft.com worldwide,
// InitialDomainParentFor), connectors, rules and what the ORCA checks read. Checks across
// tenants (duplicate IDs and domains) come after, in validate.
func validateTenant(el *errList, path string, in Tenant, initial Domain) Tenant {
	t := in
	if strings.TrimSpace(t.Name) == "" {
		el.add(path+".name", "required (the first label of <name>.%s)", initial)
	}
	t.AcceptedDomains = make([]AcceptedDomain, 0, len(in.AcceptedDomains)+1)
	for j, ad := range in.AcceptedDomains {
		p := func() string { return idx(path+".acceptedDomains", j) } // built only for an error
		n, err := ParseDomain(string(ad.Name))
		if err != nil {
			el.add(p()+".name", "%v", err)
		}
		ad.Name = n
		switch ad.DomainType {
		case "", Authoritative, InternalRelay:
		case "ExternalRelay":
			el.add(p()+".domainType", "ExternalRelay exists only in on-premises Exchange; Exchange Online has Authoritative and InternalRelay")
		default:
			el.add(p()+".domainType", "%q is not Authoritative or InternalRelay", ad.DomainType)
		}
		if ad.MatchSubDomains && ad.Type() != InternalRelay {
			el.add(p()+".matchSubDomains", "Exchange Online allows matchSubDomains only on InternalRelay domains")
		}
		t.AcceptedDomains = append(t.AcceptedDomains, ad)
	}
	if name := strings.ToLower(strings.TrimSpace(t.Name)); name != "" {
		moera, err := ParseDomain(name + "." + string(initial))
		if err != nil {
			el.add(path+".name", "%q does not make a valid <name>.%s: %v", t.Name, initial, err)
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
		t.Inbound[j] = validateInbound(el, idx(path+".inbound", j), c, names, j)
	}
	t.Outbound = make([]OutboundConnector, len(in.Outbound))
	outNames := map[string]int{}
	for j, c := range in.Outbound {
		t.Outbound[j] = validateOutbound(el, idx(path+".outbound", j), c, outNames, j)
	}
	t.Rules = cloneEach(in.Rules, cloneRule)
	for j, r := range t.Rules {
		p := idx(path+".rules", j)
		if strings.TrimSpace(r.Name) == "" {
			el.add(p+".name", "required")
		}
		checkScope(el, p, ".fromScope", r.FromScope)
		checkScope(el, p, ".sentToScope", r.SentToScope)
		if r.RouteMessageOutboundConnector == "" {
			el.add(p+".routeMessageOutboundConnector", "required: only routing rules belong in the configuration")
		} else if _, ok := outNames[r.RouteMessageOutboundConnector]; !ok {
			el.add(p+".routeMessageOutboundConnector", "no outbound connector of this tenant is named %q", r.RouteMessageOutboundConnector)
		}
		if (r.ExceptIfHeaderContainsMessageHeader == "") != (len(r.ExceptIfHeaderContainsWords) == 0) {
			el.add(p+".exceptIfHeaderContainsWords", "exceptIfHeaderContainsMessageHeader and exceptIfHeaderContainsWords go together")
		}
	}
	// The rest is copied deeply so that the Directory shares no memory with the caller's Config;
	// compileORCA normalises what it reads.
	t.SCLRules = cloneEach(in.SCLRules, cloneSCLRule)
	t.ConnectionFilterPolicies = cloneEach(in.ConnectionFilterPolicies, cloneConnectionFilterPolicy)
	t.SendAs = slices.Clone(in.SendAs)
	t.OnPremises = validateOnPremises(el, path+".onPremises", &t, in.OnPremises)
	compileORCA(el, path, &t)
	return t
}

// checkScope checks the scope s of the field path+field (the path built only for an error).
func checkScope(el *errList, path, field string, s Scope) {
	switch s {
	case "", InOrganization, NotInOrganization:
	default:
		el.add(path+field, "%q is not InOrganization or NotInOrganization", s)
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
	case "", ConnectorPartner, ConnectorOnPremises:
	default:
		el.add(path+".connectorType", "%q is not Partner or OnPremises", t)
	}
}

// patterns, certPattern: the path of the field is path+field, built only for an error.

func patterns(el *errList, path, field string, in []DomainPattern) []DomainPattern {
	if in == nil {
		return nil
	}
	out := make([]DomainPattern, len(in))
	for k, s := range in {
		p, err := ParseDomainPattern(string(s))
		if err != nil {
			el.add(idx(path+field, k), "%v", err)
		}
		out[k] = p
	}
	return out
}

func certPattern(el *errList, path, field string, s DomainPattern) DomainPattern {
	if s == "" {
		return ""
	}
	if s == PatternAll {
		el.add(path+field, "\"*\" would match every certificate; name a domain or \"*.domain\"")
		return ""
	}
	p, err := ParseDomainPattern(string(s))
	if err != nil {
		el.add(path+field, "%v", err)
		return p
	}
	// The value is also a name a certificate must carry: ParseCertName refuses what
	// ParseDomainPattern leaves (an IP address), so that no configured name can never match.
	if _, _, err := ParseCertName(string(p)); err != nil {
		el.add(path+field, "%v", err)
	}
	return p
}

func validateInbound(el *errList, path string, in InboundConnector, seen map[string]int, j int) InboundConnector {
	c := cloneInbound(&in)
	checkName(el, path, c.Name, seen, j)
	checkType(el, path, c.ConnectorType)
	c.SenderDomains = patterns(el, path, ".senderDomains", c.SenderDomains)
	c.TLSSenderCertificateName = certPattern(el, path, ".tlsSenderCertificateName", c.TLSSenderCertificateName)
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
	if c.TreatMessagesAsInternal && c.Type() != ConnectorOnPremises {
		el.add(path+".treatMessagesAsInternal", "allowed only on OnPremises connectors")
	}
	if c.TreatMessagesAsInternal && c.CloudServicesMailEnabled {
		el.add(path+".treatMessagesAsInternal", "cannot be true together with cloudServicesMailEnabled")
	}
	if c.Type() == ConnectorOnPremises && c.TLSSenderCertificateName == "" && len(c.SenderIPAddresses) == 0 {
		el.add(path, "an OnPremises connector needs tlsSenderCertificateName or senderIPAddresses to identify the sending server")
	}
	if c.RestrictDomainsToCertificate && c.TLSSenderCertificateName == "" {
		el.add(path+".restrictDomainsToCertificate", "needs tlsSenderCertificateName")
	}
	if c.RestrictDomainsToIPAddresses && len(c.SenderIPAddresses) == 0 {
		el.add(path+".restrictDomainsToIPAddresses", "needs senderIPAddresses")
	}
	return c
}

func validateOutbound(el *errList, path string, in OutboundConnector, seen map[string]int, j int) OutboundConnector {
	c := cloneOutbound(&in)
	checkName(el, path, c.Name, seen, j)
	checkType(el, path, c.ConnectorType)
	c.RecipientDomains = patterns(el, path, ".recipientDomains", c.RecipientDomains)
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
	switch c.TLSSettings {
	case TLSOpportunistic, TLSEncryptionOnly, TLSCertificateValidation, TLSDomainValidation:
	default:
		el.add(path+".tlsSettings", "%q is not EncryptionOnly, CertificateValidation or DomainValidation", c.TLSSettings)
	}
	if c.TLSDomain != "" {
		c.TLSDomain = certPattern(el, path, ".tlsDomain", c.TLSDomain)
	}
	if c.TLSSettings == TLSDomainValidation && c.TLSDomain == "" {
		el.add(path+".tlsDomain", "required with tlsSettings DomainValidation")
	}
	if c.Type() != ConnectorOnPremises {
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
