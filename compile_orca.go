package tenantgate

import (
	"net/netip"
	"slices"
	"strings"
)

// compileORCA validates and normalises what the ORCA checks read: Enhanced Filtering's extra
// gateways, SCL rules, ARC trusted sealers, the connection filter's IP allow list and the MX
// reports. It edits t in place (t is already Compile's copy).
func compileORCA(el *errList, path string, t *Tenant) {
	for j := range t.Inbound {
		c := &t.Inbound[j]
		c.EFSkipMailGateway = slices.Clone(c.EFSkipMailGateway)
		for k, s := range c.EFSkipMailGateway {
			a, err := netip.ParseAddr(s)
			if err != nil || a.Zone() != "" {
				el.add(idx(idx(path+".inbound", j)+".efSkipMailGateway", k), "%q is not an IP address", clip(s))
				continue
			}
			c.EFSkipMailGateway[k] = a.Unmap().String()
		}
	}
	t.SCLRules = slices.Clone(t.SCLRules)
	for j := range t.SCLRules {
		compileSCLRule(el, idx(path+".sclRules", j), &t.SCLRules[j])
	}
	if t.ARCConfig != nil {
		arc := *t.ARCConfig
		arc.ARCTrustedSealers = make([]Domain, len(t.ARCConfig.ARCTrustedSealers))
		for k, s := range t.ARCConfig.ARCTrustedSealers {
			n, err := ParseDomain(string(s))
			if err != nil {
				el.add(idx(path+".arcConfig.arcTrustedSealers", k), "%v", err)
			}
			arc.ARCTrustedSealers[k] = n
		}
		t.ARCConfig = &arc
	}
	t.ConnectionFilterPolicies = slices.Clone(t.ConnectionFilterPolicies)
	for j, p := range t.ConnectionFilterPolicies {
		pp := idx(path+".connectionFilterPolicies", j)
		if strings.TrimSpace(p.Name) == "" {
			el.add(pp+".name", "required")
		}
		for k, s := range p.IPAllowList {
			if _, err := ParseIPRange(s); err != nil {
				el.add(idx(pp+".ipAllowList", k), "%v", err)
			}
		}
	}
	for j := range t.AcceptedDomains {
		ad := &t.AcceptedDomains[j]
		ad.MXReport = slices.Clone(ad.MXReport)
		for k, r := range ad.MXReport {
			if r.HighestPriorityMailhost == "" {
				continue
			}
			n, err := ParseDomain(strings.TrimSuffix(r.HighestPriorityMailhost, "."))
			if err != nil {
				el.add(idx(idx(path+".acceptedDomains", j)+".mxReport", k)+".highestPriorityMailhost", "%v", err)
			}
			ad.MXReport[k].HighestPriorityMailhost = string(n)
		}
	}
}

func compileSCLRule(el *errList, p string, r *SCLRule) {
	if strings.TrimSpace(r.Name) == "" {
		el.add(p+".name", "required")
	}
	switch r.Mode {
	case "", ModeEnforce, ModeAudit, ModeAuditAndNotify:
	default:
		el.add(p+".mode", "%q is not Enforce, Audit or AuditAndNotify", r.Mode)
	}
	if r.SetSCL < -1 || r.SetSCL > 9 {
		el.add(p+".setSCL", "%d is not an SCL from -1 to 9", r.SetSCL)
	}
	checkScope(el, p, ".fromScope", r.FromScope)
	doms := make([]Domain, len(r.SenderDomainIs))
	for k, s := range r.SenderDomainIs {
		n, err := ParseDomain(string(s))
		if err != nil {
			el.add(idx(p+".senderDomainIs", k), "%v", err)
		}
		doms[k] = n
	}
	if r.SenderDomainIs != nil {
		r.SenderDomainIs = doms
	}
	for k, s := range r.SenderIPRanges {
		if _, err := ParseIPRange(s); err != nil {
			el.add(idx(p+".senderIpRanges", k), "%v", err)
		}
	}
	pairs := []struct {
		header, values string
		h              string
		n              int
	}{
		{"headerContainsMessageHeader", "headerContainsWords", r.HeaderContainsMessageHeader, len(r.HeaderContainsWords)},
		{"headerMatchesMessageHeader", "headerMatchesPatterns", r.HeaderMatchesMessageHeader, len(r.HeaderMatchesPatterns)},
		{"exceptIfHeaderContainsMessageHeader", "exceptIfHeaderContainsWords", r.ExceptIfHeaderContainsMessageHeader, len(r.ExceptIfHeaderContainsWords)},
		{"exceptIfHeaderMatchesMessageHeader", "exceptIfHeaderMatchesPatterns", r.ExceptIfHeaderMatchesMessageHeader, len(r.ExceptIfHeaderMatchesPatterns)},
	}
	for _, pr := range pairs {
		if (pr.h == "") != (pr.n == 0) {
			el.add(p+"."+pr.values, "%s and %s go together", pr.header, pr.values)
		}
	}
}
