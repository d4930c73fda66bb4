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
//     Access Denied" — and so is one sent from a tenant's own MAIL FROM domain when no OnPremises
//     connector matched at all (a changed certificate or IP, a disabled connector, an IPv6
//     client: relay-access-denied-smtp).
//   - Partner connectors never make mail Originating (msxfaq, connector-type docs); they scope by
//     SenderDomains against the MAIL FROM domain and enforce RequireTls,
//     RestrictDomainsToIPAddresses and RestrictDomainsToCertificate with "550 5.7.51
//     TenantInboundAttribution" (a code third parties report; Microsoft documents none).
//   - Recipients: the accepted-domain owner, exact or through a parent with MatchSubDomains;
//     "550 5.7.1 Unable to relay" for a domain nobody accepts when the sender is not a hosted
//     domain either (NDR table).
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
//
// # Policy
//
// Policy is the gateway's verdict on a transaction it receives on port 25 from Exchange Online or
// the Internet: deliver into a served tenant (inbound), relay to the Internet and DKIM-sign because
// the mail really comes from a served tenant (relay), or refuse. It follows DESIGN §4.2,
// spec/threats-and-peers.md §5 and (b), and spec/exchange-online.md §6.2 and §8, in three stages
// an MTA can call as the SMTP dialogue goes:
//
//   - Peer (connect, after STARTTLS): verified Exchange Online needs both factors — the address,
//     IPv4-mapped addresses unmapped and zones dropped, in Gateway.ExchangeOnline.Networks
//     (Microsoft's endpoint-list ID 10 ranges by default; an explicitly empty list matches
//     nothing), and TLS evidence that verified for one of Gateway.ExchangeOnline.CertNames. HELO
//     and reverse DNS are never evidence (threat cases 4–7, 27, 28).
//   - Recipient (RCPT): an accepted domain of a served tenant is inbound whoever sends; a foreign
//     recipient from verified Exchange Online is deferred to Decide; from anyone else it is
//     refused "550 5.7.1 Unable to relay" at once.
//   - Decide (after the header block, with the caller's DKIM results if any): every
//     X-MS-Exchange-CrossTenant-Id field, whatever its case or position, must be a bare canonical
//     GUID and all must agree on a served tenant (rule 2); only then, and only from a verified
//     peer, is the mail own-tenant. The kind comes from FromEntityHeader, AuthAs and the DIR of
//     X-Forefront-Antispam-Report, every copy of each agreeing (else kind.conflict; §8.3): Hosted with AuthAs Internal or absent is mailbox,
//     HybridOnPrem is on-premises, Internet — or Hosted with AuthAs Anonymous, or any DIR:INB — is
//     relayed; anything else is unknown and never relays. Relay needs own-tenant and a kind the
//     policy lets relay (RelayKinds, default mailbox and on-premises: Direct Send into the tenant
//     shows as our tenant + Anonymous and does not relay, threat case 31). Everything else that
//     wants a foreign recipient is refused 550 5.7.1 with a reason naming the rule that failed
//     (rcpt.relay-denied.peer, .tenant, .kind, .sender). The verdict agrees with Recipient: what
//     RCPT refused stays refused, what it took inbound stays inbound unless the message loops.
//   - Sender binding (below): own-tenant mail relays only as its own tenant — its MAIL FROM and,
//     for mailbox and on-premises mail, its From must be the tenant's domains or sendAs domains,
//     never another served tenant's.
//   - DKIM signing: only for own-tenant mail with a relayed recipient whose single From field holds
//     a single mailbox in an accepted domain of that tenant (threat cases 20–25); DKIMDomain is
//     that From domain.
//   - The verdict header: an RFC 8601 Authentication-Results field formatted with go-msgauth's
//     authres.Format under the gateway's authserv-id, method x-tenantgate, result pass
//     (own-tenant), fail (other-tenant) or none (internet), with policy.origin, policy.tenant,
//     policy.kind and policy.hop. Remove lists every incoming copy carrying our authserv-id (RFC
//     8601 §5; threat cases 18, 19), compared as RFC 8601 §2.2 defines it by headers.AuthServID
//     (quoted or not, any case, trailing dot, comments, folding, version), and every copy whose
//     authserv-id does not parse but that names ours (header.verdict-unparsable-stripped: fail
//     closed); and, from a peer that is not verified Exchange Online, every
//     Microsoft trust field (X-MS-Exchange-CrossTenant-*, -Organization-*, -Forest-*,
//     -CrossPremises-*, X-EOPTenantAttributedMessage, X-OriginatorOrg; threat case 3). Apply does
//     both on a textproto.Header.
//   - Loop guard: the new hop is one more than the highest policy.hop, or the number of copies of
//     our header, whichever is larger — a forged low count cannot hide a higher one; past MaxHops
//     (default 5) every recipient is refused "554 5.4.6 Routing loop detected" (threat case 32).
//   - Nothing is kept between calls: a second transaction on one connection is decided afresh
//     from the Session and its own header (threat case 16).
//
// Decisions where the sources leave a choice, each with its option:
//
//   - Identical duplicate CrossTenant-Id fields (threat case 9, "accept only if the policy allows
//     it; log it") are accepted by default — DESIGN §4.2 asks only that all be equal — and
//     reported as tenant.crosstenant.duplicate; RejectDuplicateTenantID refuses them.
//   - White space before the colon (RFC 5322 §4.5 obsolete syntax, threat case 10) makes a tenant
//     field malformed, so the message is not ours: Exchange Online never writes it.
//     AcceptObsoleteFieldSyntax lets it count (still reported).
//   - X-EOPTenantAttributedMessage ("<GUID>:<n>") is not evidence by default: it records inbound
//     attribution (§6.2). EOPTenantAttributedEvidence makes each copy evidence that must agree.
//   - DKIM: the library does no DNS; the MTA passes its own results. DKIMFallback accepts a pass
//     for a served tenant's DKIMSigningDomains when the header is absent — never when it is
//     malformed or conflicting, and never when passes point at two served tenants; DKIMRequired
//     makes such a pass a second factor. Authentication-Results found in the message are never
//     read as evidence (threat case 18).
//   - A header block the reader refused (Transaction.HeaderError: bare CR, NUL, over a limit) makes
//     every recipient fail "554 5.6.0", inbound ones included: two parsers must never disagree on
//     what the header says (threat case 14).
//   - A From field the RFC 5322 parser refuses (net/mail), group syntax, or a trailing dot in the
//     domain is never signed.
//   - More than MaxTenantFields (16) tenant fields is malformed evidence (threat case 29).
//   - The certificate name compares exactly, ignoring case: stricter than tlsid.MatchPeerName, so
//     a "*.protection.outlook.com" certificate is not Exchange Online's.
//   - The verdict header name and authserv-id are VerdictHeader and AuthServID (default
//     Authentication-Results and gateway.authServID, else gateway.name). With another name every
//     incoming field of that name is removed.
//
// # Sender binding
//
// On a gateway that serves several tenants, every served tenant's SPF record includes the
// gateway, so a tenant that could relay with another served tenant's domain in MAIL FROM or From
// would pass SPF and DMARC as that tenant at the recipient. The tenant evidence says whose mail
// it is; the sender domains must then be that tenant's. For own-tenant mail with a foreign
// recipient, Decide classifies each sender domain with tenantgate.Directory.SenderDomain:
//
//   - sender.tenant-domain / from.tenant-domain: an accepted domain of the tenant with Owner's
//     semantics — exact, or below one with MatchSubDomains; the tenant's own
//     <name>.onmicrosoft.com is always one (Compile implies it).
//   - sender.send-as / from.send-as: a match of the tenant's sendAs patterns (tenants[].sendAs,
//     third-party domains the tenant sends for; "*.x" is x and every subdomain). Relayed, but
//     never DKIM-signed: the gateway signs only the tenant's accepted domains.
//   - sender.other-served-tenant / from.other-served-tenant: at or below an accepted domain of
//     another served tenant (whatever its MatchSubDomains; its onmicrosoft.com included). Refused,
//     and no sendAs overrides it: Compile refuses such an entry, and a wildcard that covers the
//     domain never matches it.
//   - sender.not-tenant-domain / from.not-tenant-domain: anything else — a stranger's domain,
//     another tenant's onmicrosoft.com, a domain of a tenant the gateway does not serve, a
//     subdomain the accepted domains do not cover (list "*.contoso.com" in sendAs to allow
//     them). Refused.
//
// What binds, by kind:
//
//   - MAIL FROM binds every kind (SPF authenticates it, RFC 7208). The null reverse-path — a
//     bounce, NDR or report — has no domain: it is allowed and reported as sender.null. An
//     envelope address whose domain does not parse (an address literal) is sender.invalid.
//   - The From binds mailbox and on-premises mail (and mail of unknown kind, which never relays
//     anyway): DMARC aligns on it (RFC 7489 §3.1), and it is what the recipient sees. It must be
//     a single field with a single mailbox; a missing, repeated, multi-mailbox, group or
//     unparsable From is from.absent, from.multiple or from.unparsable and is refused (fail
//     closed). Exchange Online's own NDRs carry From: postmaster@ or MicrosoftExchange…@ a
//     domain of the tenant, so they pass with a null MAIL FROM.
//   - Relayed mail (forwards and redirects, when RelayKinds lets it relay): only MAIL FROM binds,
//     and from.not-bound is reported. Exchange Online rewrites the envelope sender of forwarded
//     and redirected mail with SRS into the forwarding tenant's domain and keeps the author's
//     From (https://learn.microsoft.com/en-us/exchange/reference/sender-rewriting-scheme), so a
//     forward of fabrikam's mail from contoso legitimately carries From: …@fabrikam.com; binding
//     the From would refuse every forward. The foreign From is not DKIM-signed, so the forward
//     cannot pass DMARC as the author's domain through the gateway's keys. With a null MAIL FROM
//     nothing else binds, so the From does.
//
// A refused sender turns each foreign recipient into "550 5.7.1 Unable to relay" with
// rcpt.relay-denied.sender, whose detail names the first failing code (a kind the policy does not
// let relay is reported first, as rcpt.relay-denied.kind; the sender reasons are still given). Recipients in a served
// tenant's accepted domain stay inbound whatever the sender; mail that is not own-tenant is not
// sender-checked (it does not relay anyway).
//
// The policy reads the header block through headers.ScanEvidence, one pass over the fields that
// reads the values of only the few it needs (the same rules as headers.Message.CrossTenantID),
// so the whole Decide stays within twice the cost of textproto.ReadHeader.
//
// # Reason codes
//
// Every result explains itself with tenantgate.Reasons whose Code is one of the Reason*
// constants: ReasonAttr… for Attribute, the others for Policy, each documented with when it is
// emitted. Their values are stable (scenario files compare them, testdata/scenarios/README.md
// lists them); the Detail beside them is prose that may change.
package classify
