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
// Each concept has one Go name, in one package; Go names follow Go's initialisms (RequireTLS)
// while JSON keys keep Exchange Online's PowerShell spelling (requireTls).
//
//   - Exchange Online (EXO): Microsoft 365's mail service; every tenant's mail leaves it from the
//     same addresses with the same certificate, mail.protection.outlook.com.
//   - Tenant: one Microsoft 365 organisation, identified by its TenantID (a GUID). A served tenant
//     is one the gateway relays for (Gateway.Serves); an empty list serves nobody.
//   - AcceptedDomain: a domain a tenant receives mail for (and may send as); MatchSubDomains
//     extends it to subdomains.
//   - InboundConnector: how Exchange Online recognises mail arriving for a tenant. Its
//     ConnectorType is ConnectorPartner (locks a tenant to a gateway) or ConnectorOnPremises
//     (marks the tenant's own servers, which may relay to the Internet). OutboundConnector:
//     where a tenant's mail leaves to, with its TLSSettings.
//   - Attribution (classify.Attribute): Exchange Online choosing the tenant of an incoming
//     connection (certificate, then MAIL FROM, then RCPT TO); its classify.Direction is
//     Originating (the tenant's own mail) or Incoming (anonymous).
//   - Verified Exchange Online: a client whose address is in Exchange Online's networks and whose
//     verified TLS certificate carries one of its names (Gateway.ExchangeOnline), as its
//     tlsid.Evidence (what the TLS session proves) shows.
//   - Tenant evidence (headers.Evidence, from headers.ScanEvidence): X-MS-Exchange-CrossTenant-Id
//     (all copies agreeing), or optionally a DKIM pass for the tenant's signing domains; it counts
//     only from verified Exchange Online.
//   - classify.Origin: where a message comes from as far as the gateway can prove it — OwnTenant
//     (verified, evidence of a served tenant), OtherTenant or Internet.
//   - classify.Kind: what sort of tenant mail it is — Mailbox, OnPremises (a hybrid server
//     relaying through the tenant) or Relayed (mail the tenant passed on: forwards, Direct
//     Send). route.OutboundMessage.Sender takes the same Kind.
//   - route.Hop: the gateway's next hop for one recipient, of route.HopKind HopTenant (into a
//     served tenant) or HopInternet; route.OutboundHop: where Exchange Online sends a copy
//     (route.Outbound), of route.OutboundHopKind.
//   - topology.Party: a participant of a simulated flow, of topology.PartyKind; an Injection's
//     Origin is the PartyKind of its sender (PartyInternet, PartyMailbox, PartyOnPremises).
//   - Identity: the certificate the gateway presents on a hop; a tenant's only to that tenant.
//   - Enhanced Filtering (InboundConnector.EnhancedFiltering): Exchange Online skipping the
//     gateway's address to judge the original sender. Direct Send: anonymous mail straight to a
//     tenant's *.mail.protection.outlook.com host.
//   - SendAs (Tenant.SendAs): third-party domains a served tenant may relay as (never
//     DKIM-signed).
//   - Reply: an SMTP reply (code, enhanced code, text); Reason: a declared code with prose that
//     explains a decision.
package tenantgate
