// Package route decides where mail goes next: which Exchange Online outbound connector a tenant's
// message takes, which host and identity a gateway uses for each recipient, and the DNS an MTA
// needs to reach the Internet; and it simulates and lints whole topologies of gateway and
// tenants.
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
//
// # The gateway's next hop
//
// NewPlan builds the gateway's routing table and Plan.Next gives each recipient of a
// classify.Verdict its Hop (DESIGN §5):
//   - a recipient the verdict sends Inbound, or relays while its domain belongs to another
//     tenant this gateway serves, goes straight to that tenant: its smart host (TenantSmartHost:
//     Gateway.SmartHosts, else contoso.com → contoso-com.mail.protection.outlook.com, existing
//     hyphens kept), the tenant's identity, TLS required, and the host name verified on the
//     server's certificate (Exchange Online's *.mail.protection.outlook.com covers it);
//   - every other relayed recipient goes to the MX of its domain with the Internet identity
//     (by default no certificate) and opportunistic TLS (RFC 7435) — also when that MX is another
//     tenant's *.mail.protection.outlook.com host: a tenant certificate presented there can make
//     Exchange Online attribute the message to the sending tenant (DESIGN §1 (c), MC1226222);
//   - a rejected recipient gets a Hop of kind DestNone with the verdict's reply; a recipient the
//     verdict does not decide, or a tenant the plan does not serve, gets ReplyNoRoute (fail
//     closed).
//
// NewPlan refuses a served tenant whose enabled inbound connectors expect a certificate name
// (TlsSenderCertificateName) that no certificate name of the tenant's identity matches
// (tlsid.MatchConnectorName), or that has such connectors and no identity: Exchange Online
// could never recognise the gateway's deliveries. Connectors that identify the gateway by IP
// need no identity.
//
// # Simulation
//
// Simulate moves one message through a topology recipient by recipient, hop by hop, composing
// the real decision functions: classify.Attribute at each Exchange Online ingress (its Stamp
// written into the header as Exchange Online stamps it), Outbound for each tenant's routing,
// classify.Policy and Plan.Next at the gateway (its verdict header applied). The Trace records
// every Step — who handed the copy to whom, which function decided what and why, the client
// address, certificate and gateway identity presented — and each recipient's outcome:
// delivered, rejected with the SMTP reply, or looped. A path loops when a party receives the
// copy a second time from the same sender in the same state, or after MaxSteps (20) steps, as
// Exchange Online does (5.4.14, spec/exchange-online.md §3); the gateway's own hop limit may stop
// it first. The topology's DNS is Injection.MX, defaulting to: a served tenant's domains point
// at the gateway unless the tenant's Get-MxRecordReport says Exchange Online; any other
// tenant's domains point at its Exchange Online host; every other domain is on the Internet.
// SimulateWith passes options to the composed functions (TopologyOptions). When the
// configuration holds no Office 365 tenant the gateway does not serve (an operator who imported
// only their own), the simulator works on a copy of the Directory with one more, unserved tenant
// accepting other-tenant.example, the recipient of the "another Office 365 customer" flow; the
// caller's Directory is never changed.
//
// Deliberate simplifications: an accepted domain's recipient always has a mailbox (an
// InternalRelay domain's copy is delivered, not sent to its MX); mailbox rules (forwards) are not
// modelled; each recipient's copy travels alone; a routing table NewPlan refuses is still used,
// so that the trace shows Exchange Online's rejection.
//
// # Lint
//
// Lint runs the canonical flows of every served tenant (CanonicalFlows: Internet to the tenant
// through its MX and around it, the tenant to the Internet and to another Office 365 tenant; and
// an Internet relay attempt on the gateway) and reads the traces; it also asks the gateway's
// policy about EchoSpoofing (a tenant it does not serve, threat cases 1 and 34) and about
// anonymous mail the tenant passed on (Direct Send and forwards, threat case 31). Each Finding
// has a stable Code, a Severity, the objects involved, a fix in words and, where the fix is in
// Exchange Online, the PowerShell command:
//   - misattribution: Exchange Online attributes the gateway's delivery to a tenant that does
//     not own the recipient (a certificate or address matching another tenant's OnPremises
//     connector, MC1226222);
//   - connector-type: Internet mail the gateway delivers arrives through an OnPremises
//     connector, as the tenant's own (spec/exchange-online.md §2.3, §7); or the reverse, a
//     warning beside a loop: an OnPremises outbound connector treats the gateway as on-premises
//     while a Partner inbound connector takes the gateway's mail as Incoming;
//   - loop: a canonical flow loops (centralized transport, an OnPremises connector taking the
//     tenant's own domains, or the loop a misattribution causes);
//   - missing-enhanced-filtering: the MX points at the gateway and the connector the gateway's
//     deliveries match has no Enhanced Filtering, or none matches (spec §5, ORCA-233);
//   - mx-bypass: Internet mail sent straight to the tenant's Exchange Online host is delivered
//     although the MX points at the gateway (no Partner lock-down, spec §7 scenario 1);
//   - relay-hole: the gateway relays for the Internet, for a tenant it does not serve, or
//     anonymous mail a served tenant passed on (an error without RejectDirectSend, else a
//     warning);
//   - undeliverable (an addition to DESIGN §6): a canonical flow that must work is rejected,
//     for example Exchange Online refusing the gateway's certificate.
//
// Lint is deterministic and reports each code once per tenant and objects. Its cost grows
// linearly with the served tenants (1,000 tenants lint in well under a second on one core).
//
// # ORCA parity and configuration checks
//
// After a served tenant's flows, Lint reads its configuration (lint_orca.go, lint_config.go).
// First the checks of Microsoft's ORCA report that concern connectors and a third-party MX, with
// ORCA's logic (spec/exchange-exports.md §1.2) and Finding.ORCA set to "ORCA-" and the suffix of
// the check's file name. Codes are descriptive and stable; ORCA's Informational results are
// SeverityInfo, its failures warnings, and 118_4 (own domains allow-listed) an error:
//   - enhanced-filtering-domain (ORCA-233, info): a domain's MX is not at Exchange Online and
//     Enhanced Filtering is not on every enabled catch-all (SenderDomains *) connector;
//   - enhanced-filtering-connector (ORCA-233_1): a catch-all connector without skip listing, in
//     EFTestMode or limited by EFUsers while an MX is not at Exchange Online;
//     enhanced-filtering-no-connector (ORCA-233_1): no catch-all connector at all — the branch
//     ORCA means to fail but never reaches ($Connector.Count for $Connectors.Count);
//   - arc-no-trusted-sealer (ORCA-243): a domain not at Exchange Online and no trusted sealer;
//   - scl-bypass-sender, scl-bypass-ip (ORCA-118_2) and scl-bypass-own-domain (ORCA-118_4):
//     SCL -1 rules by sender domain without an Authentication-Results or IP condition, by IP
//     ranges alone (even with an Authentication-Results condition, as ORCA's elseif order has
//     it), or for the tenant's own accepted domains;
//   - ip-allow-list (ORCA-114): a connection filter IP allow list;
//   - reject-direct-send-off (ORCA-249, preview, info): RejectDirectSend off.
//
// Then, beyond ORCA, which never reads outbound connectors nor compares connectors with the
// gateway: outbound-tls (an outbound connector to the gateway's name or addresses with TlsSettings
// unset or EncryptionOnly), inbound-require-tls and inbound-unrestricted (the Partner connector
// that identifies the gateway without RequireTls, or without RestrictDomainsToCertificate or
// RestrictDomainsToIPAddresses), inbound-cert-mismatch and inbound-ip-mismatch (a catch-all
// Partner lock-down to a certificate name the gateway does not present to the tenant, to
// addresses that leave out one of the gateway's, or listing addresses that are not the
// gateway's), treat-as-internal (TreatMessagesAsInternal on a connector the gateway matches) and
// direct-send-unmatched (no connector matches the gateway by IP or certificate: an error with
// RejectDirectSend on, which then rejects the gateway's mail from the tenant's own domains with
// 5.7.68, else a warning, since turning it on would). The lock-down, mismatch and Direct Send
// checks assume the gateway delivers the tenant's Internet mail, so they run only when the MX
// points at the gateway (as the simulator reads it). Certificate names match with
// tlsid.MatchConnectorName under TopologyOptions.Exchange's wildcard rule.
//
// Decisions:
//   - The configuration checks run for served tenants only: they are about the tenant's own
//     settings, and a tenant the gateway does not serve is not the operator's to fix. LintORCA
//     runs the ORCA checks on one tenant alone — an exported tenant whose ID is still zero,
//     without a gateway.
//   - Where the MX points: LintORCA reads it as ORCA does (only a Get-MxRecordReport row with
//     PointsToService false puts a domain elsewhere); Lint, for a served tenant, takes a domain
//     without a report to point at the gateway (as the simulator does), except
//     <name>.onmicrosoft.com.
//   - EFTestMode unknown (nil, as Microsoft365DSC exports) is the PowerShell default, off; ORCA
//     would fail such a connector ($null -eq $False is false).
//   - ARC configuration unknown (nil) is not judged; ORCA always collects it.
//   - An SCL rule that does not act (disabled, or Mode Audit/AuditAndNotify) is reported as
//     information, in case it is enabled by accident (ORCA 118_4 does so for disabled rules;
//     ORCA ignores Mode).

package route
