package classify

// Reason codes of Policy (PeerVerdict, RecipientVerdict, RecipientAction and Verdict Reasons).
// Their string values are a public contract: scenario files (testdata/scenarios/README.md),
// golden files and scripts compare them, so they never change; the Detail next to them is prose
// that may. TestReasonCodesDeclared keeps this list and the code in step.

// The peer (Policy.Peer): ReasonPeerEXOVerified, or every factor that failed.
const (
	// ReasonPeerAddrInvalid: the session has no valid client address.
	ReasonPeerAddrInvalid = "peer.addr.invalid"
	// ReasonPeerEXONoNetworks: the configured Exchange Online network list is empty, so nobody is
	// Exchange Online.
	ReasonPeerEXONoNetworks = "peer.exo.no-networks"
	// ReasonPeerEXONotInNetworks: the client address is not in the Exchange Online networks.
	ReasonPeerEXONotInNetworks = "peer.exo.not-in-networks"
	// ReasonPeerTLSNone: the session is plaintext.
	ReasonPeerTLSNone = "peer.tls.none"
	// ReasonPeerTLSNoCertificate: the session is TLS but the client presented no certificate.
	ReasonPeerTLSNoCertificate = "peer.tls.no-certificate"
	// ReasonPeerTLSUnverified: the client certificate did not verify.
	ReasonPeerTLSUnverified = "peer.tls.unverified"
	// ReasonPeerEXOCertMismatch: the certificate verified but none of its names is a configured
	// Exchange Online certificate name.
	ReasonPeerEXOCertMismatch = "peer.exo.cert-mismatch"
	// ReasonPeerEXOVerified: both factors hold: the address is in the Exchange Online networks
	// and the verified certificate carries an Exchange Online name.
	ReasonPeerEXOVerified = "peer.exo.verified"
)

// The header block (Policy.Decide): what could not be read and what is removed.
const (
	// ReasonHeaderMalformed: reading the header block failed (Transaction.HeaderError); every
	// recipient is refused with ReasonRcptRejectHeader.
	ReasonHeaderMalformed = "header.malformed"
	// ReasonHeaderVerdictStripped: incoming copies of the verdict header with the policy's
	// authserv-id are removed.
	ReasonHeaderVerdictStripped = "header.verdict-stripped"
	// ReasonHeaderVerdictUnparsableStripped: incoming verdict header fields whose authserv-id
	// does not parse (RFC 8601 §2.2) but that name the policy's authserv-id are removed.
	ReasonHeaderVerdictUnparsableStripped = "header.verdict-unparsable-stripped"
	// ReasonHeaderTrustStripped: Microsoft trust header fields from a peer that is not verified
	// Exchange Online are removed.
	ReasonHeaderTrustStripped = "header.trust-stripped"
)

// The tenant evidence, read only from verified Exchange Online.
const (
	// ReasonTenantUntrustedPeer: the block carries tenant fields but the peer is not verified
	// Exchange Online; they are ignored.
	ReasonTenantUntrustedPeer = "tenant.untrusted-peer"
	// ReasonTenantCrossTenantTooMany: more tenant fields than the policy reads; the evidence
	// fails.
	ReasonTenantCrossTenantTooMany = "tenant.crosstenant.too-many"
	// ReasonTenantCrossTenantObsoleteSyntax: a tenant field has white space before the colon
	// (RFC 5322 §4.5). By default the evidence fails; with AcceptObsoleteFieldSyntax the field
	// counts and the code is reported once.
	ReasonTenantCrossTenantObsoleteSyntax = "tenant.crosstenant.obsolete-syntax"
	// ReasonTenantCrossTenantMalformed: a tenant field is not a bare canonical GUID; the evidence
	// fails.
	ReasonTenantCrossTenantMalformed = "tenant.crosstenant.malformed"
	// ReasonTenantCrossTenantConflict: two tenant fields name different tenants; the evidence
	// fails.
	ReasonTenantCrossTenantConflict = "tenant.crosstenant.conflict"
	// ReasonTenantCrossTenantDuplicate: several identical tenant fields (accepted by default).
	ReasonTenantCrossTenantDuplicate = "tenant.crosstenant.duplicate"
	// ReasonTenantCrossTenantDuplicateRefused: identical copies fail the evidence because
	// RejectDuplicateTenantID is set.
	ReasonTenantCrossTenantDuplicateRefused = "tenant.crosstenant.duplicate-refused"
	// ReasonTenantCrossTenantAbsent: the block has no X-MS-Exchange-CrossTenant-Id field.
	ReasonTenantCrossTenantAbsent = "tenant.crosstenant.absent"
	// ReasonTenantNotServed: the evidence names a tenant the gateway does not serve.
	ReasonTenantNotServed = "tenant.not-served"
	// ReasonTenantServed: the evidence agrees on a served tenant: the mail is own-tenant.
	ReasonTenantServed = "tenant.served"
)

// DKIM as tenant evidence (DKIMFallback, DKIMRequired), from the results the caller verified.
const (
	// ReasonTenantDKIMBadDomain: a passing result's domain does not parse; it is dropped.
	ReasonTenantDKIMBadDomain = "tenant.dkim.bad-domain"
	// ReasonTenantDKIMForeign: a pass for a domain no served tenant signs with; it is dropped.
	ReasonTenantDKIMForeign = "tenant.dkim.foreign"
	// ReasonTenantDKIMNone: no tenant field and no DKIM pass for a served tenant's signing domain.
	ReasonTenantDKIMNone = "tenant.dkim.none"
	// ReasonTenantDKIMFallback: no tenant field, and the DKIM passes name exactly one served
	// tenant, which the mail is attributed to.
	ReasonTenantDKIMFallback = "tenant.dkim.fallback"
	// ReasonTenantDKIMAmbiguous: no tenant field, and the DKIM passes name several served tenants.
	ReasonTenantDKIMAmbiguous = "tenant.dkim.ambiguous"
	// ReasonTenantDKIMMissing: DKIMRequired and no DKIM pass for a signing domain of the tenant
	// the header names; the mail is not own-tenant.
	ReasonTenantDKIMMissing = "tenant.dkim.missing"
	// ReasonTenantDKIMConfirmed: DKIMRequired and a DKIM pass confirms the tenant.
	ReasonTenantDKIMConfirmed = "tenant.dkim.confirmed"
)

// The kind of tenant mail, from the CrossTenant FromEntityHeader and AuthAs and the antispam DIR.
const (
	// ReasonKindConflict: a kind header occurs with different values; the kind is unknown.
	ReasonKindConflict = "kind.conflict"
	// ReasonKindUnknown: FromEntityHeader and AuthAs name no known kind.
	ReasonKindUnknown = "kind.unknown"
	// ReasonKindDirInbound: X-Forefront-Antispam-Report says DIR:INB, so Exchange Online received
	// the mail as inbound: the kind is Relayed.
	ReasonKindDirInbound = "kind.dir-inbound"
	// ReasonKindMailbox: the kind is Mailbox.
	ReasonKindMailbox = "kind.mailbox"
	// ReasonKindOnPremises: the kind is OnPremises.
	ReasonKindOnPremises = "kind.on-premises"
	// ReasonKindRelayed: the kind is Relayed.
	ReasonKindRelayed = "kind.relayed"
	// ReasonKindRelayDenied: own-tenant mail of a kind (or an unknown kind) that the policy's
	// RelayKinds do not let relay.
	ReasonKindRelayDenied = "kind.relay-denied"
)

// The loop guard and the envelope.
const (
	// ReasonLoopHopsExceeded: this pass's hop count exceeds MaxHops; every recipient is refused
	// with ReasonRcptRejectLoop.
	ReasonLoopHopsExceeded = "loop.hops-exceeded"
	// ReasonEnvelopeNullSender: the reverse-path is null.
	ReasonEnvelopeNullSender = "envelope.null-sender"
)

// Sender binding of own-tenant mail: MAIL FROM (sender.*) and From (from.*). See the package
// documentation, "Sender binding". The allowed codes are reported; the refusing ones become the
// Detail of ReasonRcptRelayDeniedSender.
const (
	// ReasonSenderTenantDomain: the MAIL FROM domain is an accepted domain of the tenant.
	ReasonSenderTenantDomain = "sender.tenant-domain"
	// ReasonSenderSendAs: the MAIL FROM domain matches one of the tenant's sendAs patterns.
	ReasonSenderSendAs = "sender.send-as"
	// ReasonSenderNull: the reverse-path is null (a bounce or report): nothing to bind, allowed.
	ReasonSenderNull = "sender.null"
	// ReasonSenderOtherServedTenant: the MAIL FROM domain is at or below an accepted domain of
	// another served tenant: refused.
	ReasonSenderOtherServedTenant = "sender.other-served-tenant"
	// ReasonSenderNotTenantDomain: the MAIL FROM domain is neither the tenant's nor matched by its
	// sendAs: refused.
	ReasonSenderNotTenantDomain = "sender.not-tenant-domain"
	// ReasonSenderInvalid: the MAIL FROM address does not parse: refused.
	ReasonSenderInvalid = "sender.invalid"

	// ReasonFromTenantDomain: the From domain is an accepted domain of the tenant.
	ReasonFromTenantDomain = "from.tenant-domain"
	// ReasonFromSendAs: the From domain matches one of the tenant's sendAs patterns.
	ReasonFromSendAs = "from.send-as"
	// ReasonFromNotBound: relayed mail with a non-null MAIL FROM keeps the original author's
	// From; only MAIL FROM binds.
	ReasonFromNotBound = "from.not-bound"
	// ReasonFromOtherServedTenant: the From domain is at or below an accepted domain of another
	// served tenant: refused.
	ReasonFromOtherServedTenant = "from.other-served-tenant"
	// ReasonFromNotTenantDomain: the From domain is neither the tenant's nor matched by its
	// sendAs: refused.
	ReasonFromNotTenantDomain = "from.not-tenant-domain"
	// ReasonFromAbsent: the block has no From field: refused.
	ReasonFromAbsent = "from.absent"
	// ReasonFromMultiple: several From fields, or several mailboxes in one: refused.
	ReasonFromMultiple = "from.multiple"
	// ReasonFromUnparsable: the From field does not parse as a single mailbox: refused.
	ReasonFromUnparsable = "from.unparsable"
)

// Each recipient (Policy.Recipient and Policy.Decide).
const (
	// ReasonRcptSyntax: the RCPT TO address does not parse (501 5.1.3).
	ReasonRcptSyntax = "rcpt.syntax"
	// ReasonRcptInbound: the recipient is in an accepted domain of a served tenant: Inbound.
	ReasonRcptInbound = "rcpt.inbound"
	// ReasonRcptForeign: the recipient is not in an accepted domain of a served tenant.
	ReasonRcptForeign = "rcpt.foreign"
	// ReasonRcptDefer: Policy.Recipient only: a foreign recipient from verified Exchange Online;
	// the header decides.
	ReasonRcptDefer = "rcpt.defer"
	// ReasonRcptRelay: own-tenant mail to a foreign recipient, relayed.
	ReasonRcptRelay = "rcpt.relay"
	// ReasonRcptRelayDeniedPeer: a foreign recipient refused because the peer is not verified
	// Exchange Online.
	ReasonRcptRelayDeniedPeer = "rcpt.relay-denied.peer"
	// ReasonRcptRelayDeniedTenant: a foreign recipient refused because the tenant evidence does
	// not name a served tenant.
	ReasonRcptRelayDeniedTenant = "rcpt.relay-denied.tenant"
	// ReasonRcptRelayDeniedKind: a foreign recipient refused because the policy does not let this
	// kind of mail relay.
	ReasonRcptRelayDeniedKind = "rcpt.relay-denied.kind"
	// ReasonRcptRelayDeniedSender: a foreign recipient refused by the sender binding; the Detail
	// names the failing sender.* or from.* reason.
	ReasonRcptRelayDeniedSender = "rcpt.relay-denied.sender"
	// ReasonRcptRejectLoop: the recipient is refused because of ReasonLoopHopsExceeded.
	ReasonRcptRejectLoop = "rcpt.reject.loop"
	// ReasonRcptRejectHeader: the recipient is refused because of ReasonHeaderMalformed.
	ReasonRcptRejectHeader = "rcpt.reject.header"
)

// The signing decision (Verdict.DKIMDomain).
const (
	// ReasonDKIMSign: own-tenant mail with a relayed recipient whose single From mailbox is in an
	// accepted domain of the tenant: sign for it.
	ReasonDKIMSign = "dkim.sign"
	// ReasonDKIMNoSignNotOwn: not own-tenant mail: not signed.
	ReasonDKIMNoSignNotOwn = "dkim.no-sign.not-own"
	// ReasonDKIMNoSignNoRelay: no recipient is relayed: not signed.
	ReasonDKIMNoSignNoRelay = "dkim.no-sign.no-relay"
	// ReasonDKIMNoSignFromAbsent: no From field: not signed.
	ReasonDKIMNoSignFromAbsent = "dkim.no-sign.from-absent"
	// ReasonDKIMNoSignFromMultiple: several From fields or mailboxes: not signed.
	ReasonDKIMNoSignFromMultiple = "dkim.no-sign.from-multiple"
	// ReasonDKIMNoSignFromUnparsable: the From field does not parse: not signed.
	ReasonDKIMNoSignFromUnparsable = "dkim.no-sign.from-unparsable"
	// ReasonDKIMNoSignFromForeign: the From domain is not an accepted domain of the tenant: not
	// signed.
	ReasonDKIMNoSignFromForeign = "dkim.no-sign.from-foreign"
)
