package tlsid

import "github.com/tenantgate/tenantgate"

// WildcardRule says how a wildcard inside a presented certificate ("*.gw.example.net" as a SAN)
// is compared with an inbound connector's TLSSenderCertificateName. Microsoft does not document
// it (docs/exchange-online.md#certificate-names, inferred); the zero value is the rule described
// there.
type WildcardRule uint8

const (
	// WildcardOneLabel (the default, docs/exchange-online.md#certificate-names): a presented "*.X"
	// matches a connector value V when V is exactly one label under X ("a.X"), or when V is "*.X"
	// itself. It never matches X, deeper names ("a.b.X"), or a broader connector value
	// ("*.parent-of-X"). A presented wildcard over a single label ("*.com") matches nothing.
	WildcardOneLabel WildcardRule = iota
	// WildcardNever: a wildcard in the presented certificate matches no connector value. Use it
	// when the certificates in play carry explicit names only, or to mirror a stricter reading of
	// Exchange Online.
	WildcardNever
)

// String returns "one-label", "never" or "unknown", for logs.
func (r WildcardRule) String() string {
	switch r {
	case WildcardOneLabel:
		return "one-label"
	case WildcardNever:
		return "never"
	}
	return "unknown"
}

// MatchConnectorName reports whether a name carried by a certificate matches an inbound
// connector's TLSSenderCertificateName with Exchange Online's semantics
// (docs/exchange-online.md#certificate-names):
//   - an exact pattern ("mail.contoso.com") matches that name only;
//   - "*.contoso.com" matches contoso.com itself and every subdomain at any depth ("a domain and
//     all subdomains" — unlike an RFC 6125 wildcard, which covers one label);
//   - a wildcard in the certificate name follows rule (see WildcardRule);
//   - the catch-all pattern "*", an empty or unparsable pattern, and an unparsable name never
//     match (Compile refuses "*" as a certificate name: it would match every certificate).
//
// Comparison is case-insensitive and on A-labels. The pattern should be normalised
// (tenantgate.ParseCertName, as Compile does); it is normalised again here, so raw configuration
// values work too. Directory.InboundByCertName and InboundByCertWildcard index connectors with the same
// semantics for the default rule; Connectors combines them.
func MatchConnectorName(pattern tenantgate.DomainPattern, certName string, rule WildcardRule) bool {
	base, pwild, err := tenantgate.ParseCertName(string(pattern))
	if err != nil {
		return false
	}
	p := tenantgate.DomainPattern(base)
	if pwild {
		p = "*." + p
	}
	n, wild, ok := normName(certName)
	if !ok {
		return false
	}
	if !wild {
		return p.Match(n)
	}
	if rule != WildcardOneLabel || !wildcardBaseOK(n) {
		return false
	}
	if p.IsWildcard() {
		return p.Base() == n // the value "*.X" itself
	}
	v := tenantgate.Domain(p)
	return v.Parent() == n // "a.X", one label under X
}

// Connectors returns the enabled inbound connectors, of any tenant, whose TLSSenderCertificateName
// matches one of ev's names under MatchConnectorName with rule, each once: in the order of
// ev.Names, and for each name in the Directory's index order (exact values before wildcard
// values, nearer parents first). It returns nil unless ev is a verified TLS certificate:
// unverified names never select a connector. The cost grows with the names and the connectors
// matched, not with the number of tenants.
func Connectors(d *tenantgate.Directory, ev Evidence, rule WildcardRule) []*tenantgate.InboundRef {
	if d == nil || !ev.TLS || !ev.Verified {
		return nil
	}
	var out []*tenantgate.InboundRef
	seen := make(map[*tenantgate.InboundRef]bool)
	for _, name := range ev.Names {
		n, wild, ok := normName(name)
		var refs []*tenantgate.InboundRef
		switch {
		case !ok:
		case !wild:
			refs = d.InboundByCertName(n)
		case rule == WildcardOneLabel && wildcardBaseOK(n):
			refs = d.InboundByCertWildcard(n)
		}
		for _, r := range refs {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
