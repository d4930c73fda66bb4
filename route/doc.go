// Package route tells a gateway where each recipient goes next, and with which TLS identity.
//
// Build a Plan once per configuration with NewPlan, then call Plan.Next with each
// classify.Verdict and recipient: the Hop names the smart host (or, for the Internet, the domain
// whose MX to resolve), whether TLS is required, and Hop.ClientHop gives the settings for
// tlsid.Identities.ClientConfig. MailHosts resolves MX hosts (RFC 5321 §5.1, null MX of RFC 7505)
// through a Resolver: NewDNSResolver (github.com/miekg/dns) or StaticResolver in tests; IsTemporary
// and IsPermanent tell a retry from a bounce. Outbound predicts which Exchange Online outbound
// connector a tenant's message takes; SmartHostFor, SmartHostForCloud and TenantSmartHost
// derive Exchange Online host names for the gateway's cloud.
//
// The rules implemented, their Microsoft and RFC sources and the decisions taken where those are
// silent are in docs/routing.md.
package route
