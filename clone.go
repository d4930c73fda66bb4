package tenantgate

import (
	"maps"
	"slices"
)

// The clone functions return deep copies: nothing in the result shares memory with the input, so
// a caller may change what a Directory accessor returned without changing the Directory.
// TestCloneShares checks that every pointer, slice and map field is copied.

func cloneConfig(c *Config) Config {
	return Config{Tenants: cloneEach(c.Tenants, cloneTenant), Gateway: cloneGateway(&c.Gateway)}
}

func cloneTenant(t *Tenant) Tenant {
	out := *t
	out.AcceptedDomains = cloneEach(t.AcceptedDomains, cloneAcceptedDomain)
	out.Inbound = cloneEach(t.Inbound, cloneInbound)
	out.Outbound = cloneEach(t.Outbound, cloneOutbound)
	out.Rules = cloneEach(t.Rules, cloneRule)
	out.DKIMSigningDomains = slices.Clone(t.DKIMSigningDomains)
	out.SCLRules = cloneEach(t.SCLRules, cloneSCLRule)
	if t.ARCConfig != nil {
		out.ARCConfig = &ARCConfig{ARCTrustedSealers: slices.Clone(t.ARCConfig.ARCTrustedSealers)}
	}
	out.ConnectionFilterPolicies = cloneEach(t.ConnectionFilterPolicies, cloneConnectionFilterPolicy)
	out.SendAs = slices.Clone(t.SendAs)
	out.OnPremises = cloneOnPremises(t.OnPremises)
	return out
}

func cloneAcceptedDomain(a *AcceptedDomain) AcceptedDomain {
	out := *a
	out.MXReport = slices.Clone(a.MXReport)
	return out
}

func cloneInbound(c *InboundConnector) InboundConnector {
	out := *c
	out.Enabled = clonePtr(c.Enabled)
	out.SenderDomains = slices.Clone(c.SenderDomains)
	out.SenderIPAddresses = slices.Clone(c.SenderIPAddresses)
	out.AssociatedAcceptedDomains = slices.Clone(c.AssociatedAcceptedDomains)
	out.TrustedOrganizations = slices.Clone(c.TrustedOrganizations)
	out.EFSkipIPs = slices.Clone(c.EFSkipIPs)
	out.EFUsers = slices.Clone(c.EFUsers)
	out.EFTestMode = clonePtr(c.EFTestMode)
	out.EFSkipMailGateway = slices.Clone(c.EFSkipMailGateway)
	return out
}

func cloneOutbound(c *OutboundConnector) OutboundConnector {
	out := *c
	out.Enabled = clonePtr(c.Enabled)
	out.RecipientDomains = slices.Clone(c.RecipientDomains)
	out.SmartHosts = slices.Clone(c.SmartHosts)
	out.UseMXRecord = clonePtr(c.UseMXRecord)
	return out
}

func cloneRule(r *TransportRule) TransportRule {
	out := *r
	out.Enabled = clonePtr(r.Enabled)
	out.ExceptIfHeaderContainsWords = slices.Clone(r.ExceptIfHeaderContainsWords)
	return out
}

func cloneSCLRule(r *SCLRule) SCLRule {
	out := *r
	out.Enabled = clonePtr(r.Enabled)
	out.SenderDomainIs = slices.Clone(r.SenderDomainIs)
	out.FromAddressContainsWords = slices.Clone(r.FromAddressContainsWords)
	out.FromAddressMatchesPatterns = slices.Clone(r.FromAddressMatchesPatterns)
	out.SenderIPRanges = slices.Clone(r.SenderIPRanges)
	out.HeaderContainsWords = slices.Clone(r.HeaderContainsWords)
	out.HeaderMatchesPatterns = slices.Clone(r.HeaderMatchesPatterns)
	out.ExceptIfHeaderContainsWords = slices.Clone(r.ExceptIfHeaderContainsWords)
	out.ExceptIfHeaderMatchesPatterns = slices.Clone(r.ExceptIfHeaderMatchesPatterns)
	return out
}

func cloneConnectionFilterPolicy(p *ConnectionFilterPolicy) ConnectionFilterPolicy {
	out := *p
	out.IPAllowList = slices.Clone(p.IPAllowList)
	return out
}

func cloneGateway(g *Gateway) Gateway {
	out := *g
	out.Serves = slices.Clone(g.Serves)
	out.Addresses = slices.Clone(g.Addresses)
	out.ExchangeOnline.CertNames = slices.Clone(g.ExchangeOnline.CertNames)
	out.ExchangeOnline.Networks = slices.Clone(g.ExchangeOnline.Networks)
	out.Identities = cloneEach(g.Identities, cloneIdentity)
	out.SmartHosts = maps.Clone(g.SmartHosts)
	return out
}

func cloneIdentity(id *Identity) Identity {
	out := *id
	out.CertNames = slices.Clone(id.CertNames)
	out.ClientAuth = clonePtr(id.ClientAuth)
	return out
}

// cloneEach deep-copies s element by element; nil stays nil.
func cloneEach[T any](s []T, clone func(*T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i := range s {
		out[i] = clone(&s[i])
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
