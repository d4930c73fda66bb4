// Package tenantgate is the shared model of tenant-aware SMTP classification at a mail gateway
// that sits between Microsoft Exchange Online and the Internet.
//
// Read the configuration with LoadConfig (strict JSON: tenants as their Exchange Online
// PowerShell parameters name them, plus the Gateway) and Compile it into a Directory, which
// validates it as Exchange Online would and reports every error with its JSON path. Hand the
// Directory to classify.NewPolicy (the verdict on each transaction), route.NewPlan (the next hop
// of each recipient) and tlsid.NewIdentities (the certificate each hop presents); topology
// simulates and lints a whole configuration, and scenario runs scenario files against it.
// Decisions refuse with a Reply, an SMTP reply an SMTP server hands on in one line, and explain
// themselves with Reasons. The package is pure: no I/O beyond the reader given, no clock, no
// globals.
//
// Why a gateway must tell its own tenant from every other Microsoft 365 customer, and the rules
// the packages implement with their Microsoft and RFC sources, are in docs/threat-model.md and
// docs/exchange-online.md.
//
// # Glossary
//
//   - Exchange Online (EXO): Microsoft 365's mail service; every tenant's mail leaves it from the
//     same addresses with the same certificate, mail.protection.outlook.com.
//   - Tenant: one Microsoft 365 organisation, identified by its TenantID (a GUID). A served tenant
//     is one the gateway relays for (Gateway.Serves); an empty list serves nobody.
//   - Accepted domain: a domain a tenant receives mail for (and may send as); MatchSubDomains
//     extends it to subdomains.
//   - Inbound connector: how Exchange Online recognises mail arriving for a tenant. Partner
//     connectors lock a tenant to a gateway; OnPremises connectors mark the tenant's own servers,
//     which may relay to the Internet. Outbound connector: where a tenant's mail leaves to.
//   - Attribution: Exchange Online choosing the tenant of an incoming connection (certificate,
//     then MAIL FROM, then RCPT TO); Originating mail is the tenant's own, Incoming is anonymous.
//   - Verified Exchange Online: a client whose address is in Exchange Online's networks and whose
//     verified TLS certificate carries one of its names (Gateway.ExchangeOnline).
//   - Tenant evidence: X-MS-Exchange-CrossTenant-Id (all copies agreeing), or optionally a DKIM
//     pass for the tenant's signing domains; it counts only from verified Exchange Online.
//   - Origin: own-tenant (verified, evidence of a served tenant), other-tenant, or internet.
//     Kind: mailbox, on-premises (a hybrid server relaying through the tenant) or relayed (mail
//     the tenant passed on: forwards, Direct Send).
//   - Identity: the certificate the gateway presents on a hop; a tenant's only to that tenant.
//   - Enhanced Filtering: Exchange Online skipping the gateway's address to judge the original
//     sender. Direct Send: anonymous mail straight to a tenant's *.mail.protection.outlook.com.
//   - SendAs: third-party domains a served tenant may relay as (never DKIM-signed).
package tenantgate
