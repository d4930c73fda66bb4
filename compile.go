package tenantgate

// Compile validates c the way Exchange Online would refuse it, normalises every domain and
// pattern (A-labels, lower case), fills in defaults, and builds the Directory indexes. It returns
// every problem at once as ConfigErrors, each with the JSON path of its field. c is not modified,
// and the Directory keeps its own copy: changing c afterwards changes no lookup.
//
// It works in two passes: validation walks the whole configuration, collecting every error and
// producing a normalised copy; only a configuration without errors is then indexed, and indexing
// cannot fail.
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
//     under an initial-domain parent of any cloud (onmicrosoft.com, onmicrosoft.us,
//     partner.onmschina.cn) other than the tenant's own initial domain, a domain at or below an accepted domain
//     of another served tenant (one customer of the gateway may never send as another), an entry
//     listed twice. A wildcard that merely covers another served tenant's domain ("*.example"
//     over fabrikam.example) is allowed: SenderDomain never lets it match that domain;
//   - gateway: serving an unknown or repeated tenant, identities without a name or repeated, an
//     identity for an unknown tenant, two identities for one tenant or for the Internet, a tenant
//     identity with no certificate name, smart hosts for tenants the gateway does not serve,
//     unparsable names;
//   - certificate names (tlsSenderCertificateName, tlsDomain, the gateway's certNames): anything
//     ParseCertName refuses, such as an IP address, which no certificate name ever matches.
func Compile(c Config) (*Directory, error) {
	v := validate(c)
	if len(v.el.errs) > 0 {
		return nil, v.el.errs
	}
	return v.index(), nil
}
