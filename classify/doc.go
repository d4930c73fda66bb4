// Package classify decides who a message belongs to, from two points of view: Attribute is how
// Exchange Online attributes a connection arriving at a tenant's *.mail.protection.outlook.com
// endpoint; Policy is how the gateway classifies a transaction it receives, stage by stage.
// Both are pure functions over plain values: no network, no clock, no globals.
//
// # Attribute
//
// Attribute implements spec/exchange-online.md §2.4, which assembles Microsoft's statements:
//
//   - OnPremises connectors identify the connection by certificate first (TLS, a certificate that
//     verified against public roots, any DNS name — CN or SAN — against TlsSenderCertificateName,
//     "*.x" meaning x and every subdomain), then by SenderIPAddresses (IPv4 only; an IPv6 client
//     never matches). Disabled connectors never match.
//   - The tenant is chosen in MC1226222's order (February 2026): the certificate domain, the MAIL
//     FROM domain, the RCPT TO domain. "Certificate domain" is a certificate name that matched the
//     connector and is an accepted domain of its tenant; other names on the certificate do not
//     count, so a shared certificate with per-tenant SANs cannot pull mail into a tenant whose
//     connector does not match.
//   - Relay to the Internet follows the November 2023 rule ("Updated requirements for SMTP relay
//     through Exchange Online"): the certificate domain or the MAIL FROM domain must be an accepted
//     domain of the tenant; the P2 From: no longer counts and the null sender never qualifies.
//     Otherwise a recipient no tenant accepts is refused "550 5.7.64 TenantAttribution; Relay
//     Access Denied".
//   - Partner connectors never make mail Originating (msxfaq, connector-type docs); they scope by
//     SenderDomains against the MAIL FROM domain and enforce RequireTls,
//     RestrictDomainsToIPAddresses and RestrictDomainsToCertificate with "550 5.7.51
//     TenantInboundAttribution" (a code third parties report; Microsoft documents none).
//   - Recipients: the accepted-domain owner, exact or through a parent with MatchSubDomains;
//     "550 5.7.1 Unable to relay" for a domain nobody accepts.
//   - RejectDirectSend (Set-OrganizationConfig, 2025): "550 5.7.68" when the MAIL FROM domain is the
//     tenant's own and no connector of the tenant matched by IP or certificate. A connector that
//     matches only by SenderDomains does not count.
//   - AuthAs Internal only for an OnPremises connector with CloudServicesMailEnabled and intact
//     cross-premises headers (Connection.CrossPremises), or with TreatMessagesAsInternal and an
//     accepted sender domain (transport-options, New-InboundConnector); a connector match alone
//     is Anonymous, as real HybridOnPrem headers show.
//   - Enhanced Filtering for Connectors: EFSkipLastIP skips the connecting IP, otherwise EFSkipIPs
//     are skipped; private addresses are always skipped; the source is found by walking the
//     Received chain top-down; EFUsers must list every recipient of the message for the source to
//     be used. X-MS-Exchange-SkipListedInternetSender is stamped whenever a source was found,
//     X-MS-Exchange-ExternalOriginalInternetSender only when Enhanced Filtering applied.
//   - Each delivered copy carries a Stamp: the CrossTenant set (Id, AuthAs, FromEntityHeader,
//     OriginalAttributedTenantConnectingIp for HybridOnPrem), MessageDirectionality, and the
//     X-Forefront-Antispam-Report DIR and CIP fields.
//
// Where Microsoft is silent ([INF] rules and the ambiguities of spec/exchange-online.md (b)),
// Attribute follows the spec's suggested default and AttributeOptions offers the other
// behaviour. The deliberate choices:
//
//   - Scenario 9 against the §2.4 pseudo-code: a connection whose OnPremises connector is tied to
//     the tenant only by the recipient is Originating without relay rights (MC1226222 lists RcptTo
//     as an attribution key for OnPremises mail); RecipientStepIncoming selects the pseudo-code's
//     fall-through to Incoming.
//   - Recipients are decided one by one: in a relay attempt that fails the 2023 rule, recipients in
//     hosted domains are still delivered and only the others get 5.7.64 (the pseudo-code rejects
//     the whole message when one recipient is foreign).
//   - Two tenants at the same MC1226222 step: the step is ambiguous and decides nothing
//     (TieBreakConfigOrder picks the first tenant in configuration order instead).
//   - A wildcard in the presented certificate: "*.X" matches a connector value one label under X
//     or "*.X" itself (§1.1); IgnoreCertificateWildcards turns wildcards off.
//   - SenderDomains "*" covers the null sender (NullSenderOutOfScope otherwise); SenderDomains does
//     not scope OnPremises connectors (OnPremisesSenderDomains otherwise).
//   - RejectDirectSend: OnPremises connectors matched by IP or certificate exempt too
//     (DirectSendPartnerOnly otherwise); disabled connectors never do.
//   - RequireTls failures are refused with 5.7.51 like the other Partner restrictions; Microsoft
//     documents no code for them.
//   - The EF header values are written "ip=[a.b.c.d];domain=name" as public headers show; the
//     format is undocumented.
//   - Regions (4.4.62), tenant moves, TrustedOrganizations and AssociatedAcceptedDomains are not
//     modelled: Microsoft does not say what AssociatedAcceptedDomains is compared with.
package classify
