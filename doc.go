// Package tenantgate is the shared model of tenant-aware SMTP classification at a mail gateway
// that sits between Microsoft Exchange Online (EXO) and the Internet.
//
// # The problem
//
// A gateway (a spam filter, an encryption gateway, a relay) in front of a Microsoft 365 tenant
// receives mail from the Internet for the tenant and hands it to the tenant's Exchange Online
// (contoso-com.mail.protection.outlook.com) over a Partner inbound connector that is locked to
// the gateway's certificate or IP. Outbound, the tenant's outbound connector sends external mail
// to the gateway, which relays it to the recipient's MX.
//
// Exchange Online sends every tenant's mail from the same IP ranges with the same certificate,
// mail.protection.outlook.com. Source IP and certificate prove "this is Exchange Online", never
// "this is our tenant". A gateway that trusts them alone relays for every Microsoft 365 customer:
// the 2024 EchoSpoofing campaign sent millions of spoofed, DKIM-signed mails a day that way. The
// tenant is told by X-MS-Exchange-CrossTenant-Id, which counts only when the connection is
// verified Exchange Online, optionally confirmed by a DKIM signature of the tenant's own domains.
//
// Exchange Online must know who is inside too. When the gateway delivers into a tenant, EXO
// attributes the connection: certificate first, then source IP with the MAIL FROM domain, then the
// RCPT TO domain. A gateway that presents tenant T1's certificate to tenant T2 gets its mail
// attributed to T1; Internet mail needs a Partner connector, not an OnPremises one; centralized
// transport pointed at the gateway loops; and without Enhanced Filtering EXO sees the gateway as
// the sender and SPF and DMARC break.
//
// # The model
//
// Config holds the Tenants (accepted domains, inbound and outbound connectors, routing rules,
// RejectDirectSend), named and defaulted as their Exchange Online PowerShell parameters are, plus
// one gateway setting per tenant (SendAs, the third-party domains it may relay as), and
// the Gateway (which tenants it serves, how it recognises Exchange Online, which certificate it
// presents on which hop). LoadConfig reads the JSON form strictly; Compile validates it as
// Exchange Online would, returning every error with its JSON path, and builds a Directory whose
// lookups (accepted-domain owner, sender domains a tenant may use, connectors by certificate name
// and sender IP) cost the same for 10 tenants as for 100,000.
//
// Decisions refuse with a Reply, an SMTP reply (code, RFC 3463 enhanced code, text) that an
// SMTP server hands on in one line; ParseReply reads a configured one strictly.
//
// The packages below use the model: headers parses what Exchange Online writes into a message,
// tlsid turns TLS sessions into evidence, classify decides (Attribute: Exchange Online's view of
// a connection; Policy: the gateway's verdict), route picks connectors and next hops, topology
// simulates and lints whole topologies, and scenario runs scenario files.
package tenantgate
