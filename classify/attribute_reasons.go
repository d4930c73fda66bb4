package classify

// Reason codes of Attribute (Attribution.Reasons). Their string values are a public contract:
// scenario files (testdata/scenarios/README.md) and scripts compare them, so they never change;
// the Detail next to them is prose that may. TestReasonCodesDeclared keeps this list and the code
// in step.

// The MAIL FROM, read once per connection.
const (
	// ReasonAttrMailFromNull: the reverse-path is null ("<>" or empty), so there is no MAIL FROM
	// domain (a null sender is never an accepted domain of anybody).
	ReasonAttrMailFromNull = "attr.mailfrom.null"
	// ReasonAttrMailFromInvalid: the reverse-path does not parse; it is treated as no domain.
	ReasonAttrMailFromInvalid = "attr.mailfrom.invalid"
)

// The TLS evidence and the certificate names Exchange Online would consider.
const (
	// ReasonAttrTLSInconsistent: the evidence says verified on a plaintext session; it is ignored.
	ReasonAttrTLSInconsistent = "attr.tls.inconsistent"
	// ReasonAttrTLSUnverified: the client presented a certificate that did not verify; its names
	// identify nothing.
	ReasonAttrTLSUnverified = "attr.tls.unverified"
	// ReasonAttrCertTooManyNames: the certificate carries more names than Attribute looks at; only
	// the first are considered.
	ReasonAttrCertTooManyNames = "attr.cert.too-many-names"
	// ReasonAttrCertNameInvalid: a certificate name is neither a host name nor a whole-label
	// wildcard; it is skipped.
	ReasonAttrCertNameInvalid = "attr.cert.name-invalid"
	// ReasonAttrCertWildcardIgnored: a wildcard certificate name is skipped because
	// AttributeOptions.IgnoreCertificateWildcards is set.
	ReasonAttrCertWildcardIgnored = "attr.cert.wildcard-ignored"
)

// The OnPremises connector that identifies the connection, its tenant and the November 2023
// relay rule (Attribute's steps 1–3).
const (
	// ReasonAttrOnPremCertMatch: one or more enabled OnPremises connectors match a verified
	// certificate name.
	ReasonAttrOnPremCertMatch = "attr.onprem.cert-match"
	// ReasonAttrOnPremIPv6: no connector matched the certificate and the client is IPv6, which
	// SenderIPAddresses (IPv4 only) never match.
	ReasonAttrOnPremIPv6 = "attr.onprem.ipv6"
	// ReasonAttrOnPremIPMatch: no connector matched the certificate; one or more list the
	// connecting IPv4 address in SenderIPAddresses.
	ReasonAttrOnPremIPMatch = "attr.onprem.ip-match"
	// ReasonAttrOnPremNone: no enabled OnPremises connector matches the certificate or the IP.
	ReasonAttrOnPremNone = "attr.onprem.none"
	// ReasonAttrOnPremTieConfigOrder: several tenants accept a matched certificate name and
	// AttributeOptions.TieBreakConfigOrder picks the first in configuration order.
	ReasonAttrOnPremTieConfigOrder = "attr.onprem.tie-config-order"
	// ReasonAttrOnPremTenantByCertificate: the tenant is the one that accepts the matched
	// certificate domain.
	ReasonAttrOnPremTenantByCertificate = "attr.onprem.tenant-by-certificate"
	// ReasonAttrOnPremAmbiguous: several tenants accept a matched certificate name; the
	// certificate step decides nothing.
	ReasonAttrOnPremAmbiguous = "attr.onprem.ambiguous"
	// ReasonAttrOnPremTenantByMailFrom: the tenant is the candidate one that accepts the MAIL
	// FROM domain.
	ReasonAttrOnPremTenantByMailFrom = "attr.onprem.tenant-by-mail-from"
	// ReasonAttrOnPremRelayAllowed: the certificate or MAIL FROM domain is an accepted domain of
	// the tenant, so the mail is Originating with relay rights for every recipient.
	ReasonAttrOnPremRelayAllowed = "attr.onprem.relay-allowed"
	// ReasonAttrOnPremRelayDenied: a connector matched but neither domain is accepted by its
	// tenant; recipients are attributed one by one.
	ReasonAttrOnPremRelayDenied = "attr.onprem.relay-denied"
	// ReasonAttrOnPremTenantByRecipient: only the recipient's domain ties a matched connector to
	// its tenant, and AttributeOptions.RecipientStepOriginating makes that recipient Originating
	// without relay rights.
	ReasonAttrOnPremTenantByRecipient = "attr.onprem.tenant-by-recipient"
	// ReasonAttrOnPremRecipientIncoming: only the recipient's domain ties a matched connector to
	// its tenant; the match is dropped and the recipient is attributed as Incoming (the default).
	ReasonAttrOnPremRecipientIncoming = "attr.onprem.recipient-incoming"
	// ReasonAttrOnPremCertNameNotAccepted: a certificate-matched connector's non-wildcard
	// TlsSenderCertificateName is not covered by an accepted domain of its tenant; under the
	// default AttributeOptions (CertificateNameMailFromFallback off) the connector is dropped, and
	// when it was the only match every recipient gets 550 5.7.51.
	ReasonAttrOnPremCertNameNotAccepted = "attr.onprem.cert-name-not-accepted"
)

// Each recipient.
const (
	// ReasonAttrRcptInvalid: the RCPT TO address does not parse.
	ReasonAttrRcptInvalid = "attr.rcpt.invalid"
	// ReasonAttrRcptRelayDenied: no tenant accepts the recipient's domain and the relay rule
	// failed, or the MAIL FROM domain is a tenant's own but no OnPremises connector identifies
	// the connection (550 5.7.64).
	ReasonAttrRcptRelayDenied = "attr.rcpt.relay-denied"
	// ReasonAttrRcptUnknown: no tenant accepts the recipient's domain (550 5.7.1).
	ReasonAttrRcptUnknown = "attr.rcpt.unknown"
	// ReasonAttrRcptDomainDifferent: the transaction has no relay rights and its first accepted
	// recipient belongs to another tenant (or, with AttributeOptions.RecipientBindingPerDomain,
	// another domain): 451 4.4.5 ATTR46.
	ReasonAttrRcptDomainDifferent = "attr.rcpt.domain-different"
	// ReasonAttrPartnerRequireTLS: the Partner connector that applies has RequireTLS and the
	// session is plaintext.
	ReasonAttrPartnerRequireTLS = "attr.partner.require-tls"
	// ReasonAttrPartnerRestrictIP: the Partner connector that applies has
	// RestrictDomainsToIPAddresses and the connecting IP is not in its SenderIPAddresses.
	ReasonAttrPartnerRestrictIP = "attr.partner.restrict-ip"
	// ReasonAttrPartnerRestrictCert: the Partner connector that applies has
	// RestrictDomainsToCertificate and no verified certificate name matches it.
	ReasonAttrPartnerRestrictCert = "attr.partner.restrict-cert"
	// ReasonAttrPartnerMatch: a Partner connector of the recipient's tenant applies.
	ReasonAttrPartnerMatch = "attr.partner.match"
	// ReasonAttrDirectSendRejected: the tenant has RejectDirectSend, the MAIL FROM domain is its
	// own and no connector matched by IP or certificate (550 5.7.68).
	ReasonAttrDirectSendRejected = "attr.direct-send.rejected"
	// ReasonAttrIncoming: the recipient is Incoming (Anonymous) mail to its tenant.
	ReasonAttrIncoming = "attr.incoming"
)

// Enhanced Filtering for Connectors on the connector that applied.
const (
	// ReasonAttrEFNotSkipped: the connecting IP is not in EFSkipIPs (and EFSkipLastIP is off), so
	// nothing is skip listed.
	ReasonAttrEFNotSkipped = "attr.ef.not-skipped"
	// ReasonAttrEFNoSource: the Received walk found a hop without a sending address, or no hop
	// outside the skipped addresses; skip listing failed.
	ReasonAttrEFNoSource = "attr.ef.no-source"
	// ReasonAttrEFSkipListed: the original source is the first Received hop outside the skipped
	// addresses.
	ReasonAttrEFSkipListed = "attr.ef.skip-listed"
	// ReasonAttrEFUsersMismatch: EFUsers is set and a recipient is not in it, so filtering is
	// normal for every recipient.
	ReasonAttrEFUsersMismatch = "attr.ef.users-mismatch"
	// ReasonAttrEFApplied: Enhanced Filtering applies: filtering uses the original source.
	ReasonAttrEFApplied = "attr.ef.applied"
)
