package classify

import "github.com/tenantgate/tenantgate"

// The SMTP replies of classify. They are values, not constants, because a tenantgate.Reply is a
// struct: treat them as constants and never assign to them. Every Reject carries one of them;
// Attribute's are Exchange Online's (its NDR table,
// https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online),
// Policy's are the gateway's own.
var (
	// ReplyRelayDenied refuses a recipient the sender may not relay to: in Policy, a foreign
	// recipient from a client that is not verified Exchange Online or a message that is not the
	// served tenant's; in Attribute, anonymous mail to a domain no tenant accepts (Exchange
	// Online's NDR 5.7.1).
	ReplyRelayDenied = tenantgate.Reply{Code: 550, Enhanced: tenantgate.EnhancedCode{5, 7, 1}, Text: "Unable to relay"}
	// ReplyBadRecipient refuses a RCPT TO address that does not parse (RFC 5321 §4.1.2), in
	// Policy and in Attribute.
	ReplyBadRecipient = tenantgate.Reply{Code: 501, Enhanced: tenantgate.EnhancedCode{5, 1, 3}, Text: "Bad recipient address syntax"}
	// ReplyLoop refuses a message that has passed the gateway more than PolicyConfig.MaxHops
	// times: the gateway's own hop limit (RFC 3463 5.4.6 routing loop detected).
	ReplyLoop = tenantgate.Reply{Code: 554, Enhanced: tenantgate.EnhancedCode{5, 4, 6}, Text: "Routing loop detected"}
	// ReplyHeaderInvalid refuses a message whose header block is malformed or over the
	// headers.Limits (RFC 3463 5.6.0 other or undefined media error).
	ReplyHeaderInvalid = tenantgate.Reply{Code: 554, Enhanced: tenantgate.EnhancedCode{5, 6, 0}, Text: "Malformed message header"}

	// ReplyRecipientOK is Attribute's reply to an accepted recipient.
	ReplyRecipientOK = tenantgate.Reply{Code: 250, Enhanced: tenantgate.EnhancedCode{2, 1, 5}, Text: "Recipient OK"}
	// ReplyTenantAttribution rejects a relay attempt through an OnPremises connector that fails
	// the accepted-domain rule, or a relay attempt with no OnPremises connector matched (Exchange
	// Online's NDR 5.7.64).
	ReplyTenantAttribution = tenantgate.Reply{Code: 550, Enhanced: tenantgate.EnhancedCode{5, 7, 64}, Text: "TenantAttribution; Relay Access Denied"}
	// ReplyDirectSend rejects Direct Send when the tenant has RejectDirectSend
	// (https://learn.microsoft.com/en-us/powershell/module/exchange/set-organizationconfig).
	ReplyDirectSend = tenantgate.Reply{Code: 550, Enhanced: tenantgate.EnhancedCode{5, 7, 68}, Text: "TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources"}
	// ReplyPartnerRestricted rejects in-scope mail that fails RestrictDomainsToIPAddresses or
	// RestrictDomainsToCertificate. Not in Microsoft's NDR table: the text is the one third
	// parties report.
	ReplyPartnerRestricted = tenantgate.Reply{Code: 550, Enhanced: tenantgate.EnhancedCode{5, 7, 51}, Text: "TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set"}
	// ReplyPartnerRequireTLS rejects in-scope mail without TLS on a RequireTLS Partner
	// connector. Microsoft documents the rejection but no code; this is the 5.7.51 of the other
	// Partner restrictions.
	ReplyPartnerRequireTLS = tenantgate.Reply{Code: 550, Enhanced: tenantgate.EnhancedCode{5, 7, 51}, Text: "TenantInboundAttribution; The partner connector that matched requires TLS"}
	// ReplyCertificateNotAccepted rejects a connection whose certificate matched only OnPremises
	// connectors with a non-wildcard TlsSenderCertificateName that is not an accepted domain of
	// their tenant (AttributeOptions.CertificateNameMailFromFallback). The code is the one the
	// Exchange Team's June 2025 post gives
	// (https://techcommunity.microsoft.com/blog/exchange/tls-certificates-in-exchange-hybrid---common-issues--how-to-fix-them/4420592);
	// the text is ours.
	ReplyCertificateNotAccepted = tenantgate.Reply{Code: 550, Enhanced: tenantgate.EnhancedCode{5, 7, 51}, Text: "TenantInboundAttribution; The certificate name of the matching OnPremises connector is not an accepted domain"}
	// ReplyAddressDomainDifferent defers a recipient of an anonymous transaction (nothing granted
	// through an OnPremises connector) that belongs elsewhere than the first accepted recipient:
	// Exchange Online's ATTR46, as its NDRs and gateway vendors report it. The sender retries the
	// recipient in a transaction of its own.
	ReplyAddressDomainDifferent = tenantgate.Reply{Code: 451, Enhanced: tenantgate.EnhancedCode{4, 4, 5}, Text: "Address domain different from previous accepted address. All recipients must be on the same domain ATTR46"}
)
