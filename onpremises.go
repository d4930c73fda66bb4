package tenantgate

import (
	"net/netip"
	"slices"
	"strings"
)

// OnPremisesOrganization describes a tenant's on-premises (hybrid) organisation, as far as Exchange
// Online's routing and the topology simulator need it. It is a gateway-side description with no
// single Exchange Online cmdlet behind it: the recipients come from Get-MailUser (mail users
// whose mailbox is on-premises, with an ExternalEmailAddress at the on-premises organisation),
// the address and certificate from the on-premises Send connector to the tenant
// (Get-SendConnector "Outbound to Office 365": SourceIPAddress, TlsCertificateName).
type OnPremisesOrganization struct {
	// Recipients are the recipients of the tenant's accepted domains whose mailbox is on-premises
	// (mail users in Exchange Online): an address ("julie@contoso.com"), an accepted domain or a
	// "*.domain" pattern for every recipient there. Every other recipient of an Authoritative
	// accepted domain is a cloud mailbox, which no outbound connector takes
	// (docs/routing.md#recipients).
	Recipients []string `json:"recipients,omitempty"`
	// Address is the address the on-premises servers connect to Exchange Online from. Zero: the
	// simulator's default on-premises address (192.0.2.10).
	Address netip.Addr `json:"address,omitzero"`
	// CertNames are the DNS names of the certificate the on-premises servers present to Exchange
	// Online (the hybrid Send connector's TlsCertificateName). nil: TLS without a client
	// certificate.
	CertNames []string `json:"certNames,omitempty"`
}

// OnPremisesRecipient reports whether rcpt, a recipient of one of t's accepted domains, has its
// mailbox on-premises: it or its domain is listed in t.OnPremises.Recipients. An unparsable
// address is not.
func (t *Tenant) OnPremisesRecipient(rcpt string) bool {
	if t == nil || t.OnPremises == nil || len(t.OnPremises.Recipients) == 0 {
		return false
	}
	addr, dom, err := normalAddress(rcpt)
	if err != nil {
		return false
	}
	for _, r := range t.OnPremises.Recipients {
		if strings.Contains(r, "@") {
			if r == addr {
				return true
			}
			continue
		}
		if DomainPattern(r).Match(dom) {
			return true
		}
	}
	return false
}

// normalAddress returns addr as local@domain with the domain normalised (ParseDomain) and the
// local part folded to lower case (Exchange Online's proxy addresses are case-insensitive).
func normalAddress(addr string) (string, Domain, error) {
	dom, err := AddressDomain(addr)
	if err != nil {
		return "", "", err
	}
	a := strings.TrimSpace(addr)
	a = strings.TrimSuffix(strings.TrimPrefix(a, "<"), ">")
	if i := strings.IndexByte(a, ':'); strings.HasPrefix(a, "@") && i >= 0 {
		a = a[i+1:]
	}
	local := a[:strings.LastIndexByte(a, '@')]
	return strings.ToLower(local) + "@" + string(dom), dom, nil
}

// validateOnPremises checks t.OnPremises (after t's accepted domains are normalised) and
// returns its normalised deep copy.
func validateOnPremises(el *errList, path string, t *Tenant, in *OnPremisesOrganization) *OnPremisesOrganization {
	if in == nil {
		return nil
	}
	out := &OnPremisesOrganization{Address: in.Address, Recipients: make([]string, len(in.Recipients))}
	accepted := func(d Domain) bool {
		return slices.ContainsFunc(t.AcceptedDomains, func(ad AcceptedDomain) bool {
			return ad.Name == d || (ad.MatchSubDomains && d.IsSubdomainOf(ad.Name))
		})
	}
	for i, r := range in.Recipients {
		p := idx(path+".recipients", i)
		if strings.Contains(r, "@") {
			a, dom, err := normalAddress(r)
			switch {
			case err != nil:
				el.add(p, "%v", err)
			case !accepted(dom):
				el.add(p, "%s is not in an accepted domain of this tenant", dom)
			}
			out.Recipients[i] = a
			continue
		}
		pat, err := ParseDomainPattern(r)
		switch {
		case err != nil:
			el.add(p, "%v", err)
		case pat == "*":
			el.add(p, "\"*\" would make every recipient on-premises; list the on-premises domains or addresses")
		case !accepted(pat.Base()) && !slices.ContainsFunc(t.AcceptedDomains, func(ad AcceptedDomain) bool { return pat.Match(ad.Name) }):
			el.add(p, "%s covers no accepted domain of this tenant", pat)
		}
		out.Recipients[i] = string(pat)
	}
	if len(in.CertNames) > 0 {
		out.CertNames = certNames(el, path+".certNames", in.CertNames)
	}
	return out
}

func cloneOnPremises(o *OnPremisesOrganization) *OnPremisesOrganization {
	if o == nil {
		return nil
	}
	return &OnPremisesOrganization{Recipients: slices.Clone(o.Recipients), Address: o.Address, CertNames: slices.Clone(o.CertNames)}
}
