// Package route decides where mail goes next: which Exchange Online outbound connector a tenant's
// message takes, which host a gateway delivers a served tenant's mail to, and the DNS an MTA
// needs to reach the Internet.
//
// # Exchange Online outbound routing
//
// Outbound simulates how Exchange Online routes each recipient of a message leaving a tenant
// (spec/exchange-online.md §3, §4, §7; New-OutboundConnector, New-TransportRule
// -RouteMessageOutboundConnector, the add-on service pattern): transport rules first (the only
// way rule-scoped connectors are used; a rule whose header exception matches does not apply),
// then centralized transport (RouteAllMessagesViaOnPremises) for Internet-bound mail not coming
// from on-premises, then connectors by RecipientDomains and AllAcceptedDomains, then internal
// delivery for accepted domains or Exchange Online's own MX delivery. The result carries the
// connector, the next hop (smart hosts or "MX of <domain>"), the TLS requirement (TlsSettings,
// and TlsDomain under DomainValidation), header conversion (CloudServicesMailEnabled) and the
// reasons, with stable codes "outbound.*" (see the Reason… constants).
//
// Decisions where Microsoft's documents are silent or contradict themselves, each documented on
// Outbound:
//   - Precedence among matching connectors (ambiguity 10): by default the most specific wins, as
//     the worked example of "set-up-connectors-to-route-mail" shows — an exact domain, then the
//     longest "*.x" wildcard, then AllAcceptedDomains, then "*" (scenario 35). The order the
//     same page states (exact, AllAcceptedDomains, wildcard) is OutboundOptions{Precedence:
//     StatedOrder}. Ties go to the first connector in configuration order.
//   - Rules before connectors; among rules, the first matching enabled rule in priority order.
//   - Centralized transport takes Internet-bound mail even when a Partner connector matches the
//     recipient domain ([INF]: "all messages"), but never mail that came from on-premises.
//   - Partner connectors serve external domains only, so they never take an accepted domain's
//     recipient; OnPremises connectors may serve any domain.
//   - Whether a recipient has a cloud mailbox is not modelled.
//   - The sender's organisation (FromScope) is judged from SenderKind and the MAIL FROM domain;
//     header words match as case-insensitive substrings.
//
// # Smart hosts
//
// SmartHostFor derives a domain's Exchange Online MX host (contoso.com →
// contoso-com.mail.protection.outlook.com; <name>.onmicrosoft.com →
// <name>.mail.protection.outlook.com; spec/exchange-online.md §4). TenantSmartHost picks the host
// a gateway delivers a tenant's mail to: Gateway.SmartHosts, else the first Authoritative custom
// domain's host, else the MOERA host. IsEXOHost recognises Exchange Online inbound host names
// (*.mail.protection.outlook.com, *.mx.microsoft). These are the documented defaults, not DNS
// lookups: Microsoft may assign other names, which Gateway.SmartHosts then records.
//
// # DNS
//
// Resolver is a small interface (LookupMX, LookupHost) with two implementations:
// NewDNSResolver, built on github.com/miekg/dns, asks one configured server, and StaticResolver
// answers from maps for tests and simulations. MailHosts applies the mail routing rules on top of
// either:
//   - RFC 5321 §5.1: MX records in preference order; a domain without MX records but with A or
//     AAAA records is its own mail host (the implicit MX), with preference 0.
//   - RFC 7505: a null MX ("0 .") means the domain accepts no mail: ErrNullMX, permanent.
//   - Errors are *DNSError values: NXDOMAIN, missing records, null MX and invalid names are
//     permanent (IsPermanent); SERVFAIL, REFUSED and other server errors, timeouts and network
//     errors are temporary (IsTemporary), so that an MTA bounces the first and retries the second
//     (RFC 5321 §4.5.4.1).
//   - NewDNSResolver repeats a truncated UDP answer over TCP (RFC 7766 §5), advertises an EDNS0
//     buffer of 1232 octets (RFC 6891), follows CNAME chains within an answer and across queries
//     up to a bound (RFC 1034 §3.6.2; a loop or overlong chain is ErrCNAMEChain, temporary, as a
//     recursive resolver's SERVFAIL for it would be), and honours the context's deadline and
//     cancellation.
//
// Deliberate divergences: MX records of equal preference are not shuffled (RFC 5321 §5.1 asks
// senders to randomise them) but ordered by host name, so that results are deterministic; an MTA
// that wants load spreading shuffles equal-preference runs itself. A null MX next to other MX
// records (which RFC 7505 §3 forbids) is treated as a null MX. No caching, no search domains,
// no DNSSEC validation: the configured server is trusted.

package route
