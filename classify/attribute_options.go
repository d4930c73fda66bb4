package classify

// AttributeOptions are Attribute's switches, each for a rule that Microsoft does not document
// (docs/exchange-online.md#ambiguities). The zero value is the default behaviour described on each
// field; each field turns on the other behaviour. JSON names are used by scenario files
// ("exchangeOptions").
type AttributeOptions struct {
	// RecipientStepIncoming resolves an open question of Exchange Online's attribution: a
	// connection that matched an OnPremises connector whose only tie to the tenant is the recipient
	// (neither the certificate domain nor the MAIL FROM domain is accepted,
	// docs/exchange-online.md#scenario-9).
	//
	// Default (false): Originating without relay rights. MC1226222 — Microsoft's newest and most
	// specific statement — lists the RcptTo domain as the third attribution key "for mail received
	// through an OnPremises inbound connector", so the mail is attributed through that connector
	// (HybridOnPrem) and only the 2023 relay rule withholds Internet relay;
	// docs/exchange-online.md#scenario-9 expects exactly this. It also keeps a pitfall (docs/exchange-online.md#pitfalls) visible: Internet
	// mail delivered over an OnPremises connector is treated as the tenant's own.
	//
	// true: the fall-through of docs/exchange-online.md#attribution-algorithm — the OnPremises
	// match is dropped and the recipient is attributed as Incoming (Partner connectors,
	// RejectDirectSend and Enhanced Filtering then apply as for any anonymous mail).
	RecipientStepIncoming bool `json:"recipientStepIncoming,omitempty"`

	// IgnoreCertificateWildcards: a wildcard name in the presented certificate ("*.gw.example")
	// matches nothing. Default (false): the rule of docs/exchange-online.md#certificate-names —
	// "*.X" matches a connector value one label under X, or the value "*.X" itself.
	IgnoreCertificateWildcards bool `json:"ignoreCertificateWildcards,omitempty"`

	// NullSenderOutOfScope: the null reverse-path is outside every Partner connector's
	// SenderDomains, even "*", so no Partner restriction applies to bounces. Default (false): "*"
	// covers the null sender too and the restrictions apply (fail closed: a lockdown connector
	// cannot be bypassed with MAIL FROM:<>); a named domain never covers it.
	NullSenderOutOfScope bool `json:"nullSenderOutOfScope,omitempty"`

	// OnPremisesSenderDomains: an OnPremises connector is a candidate only when its SenderDomains
	// cover the MAIL FROM domain. Default (false): SenderDomains scopes Partner connectors only, as
	// the parameter help says (docs/exchange-online.md#ambiguities, 4).
	OnPremisesSenderDomains bool `json:"onPremisesSenderDomains,omitempty"`

	// TieBreakConfigOrder: when two tenants qualify at the same MC1226222 step (a certificate with
	// SANs accepted by different tenants whose connectors all match), the first tenant in
	// configuration order wins. Default (false): the step is ambiguous and decides nothing; the next
	// step (MAIL FROM, then RCPT TO) decides, and the relay rule still requires an accepted
	// certificate or MAIL FROM domain (docs/exchange-online.md#ambiguities, 2: Microsoft documents
	// no tie-break).
	TieBreakConfigOrder bool `json:"tieBreakConfigOrder,omitempty"`

	// DirectSendPartnerOnly: only Partner connectors matched by IP or certificate exempt mail from
	// RejectDirectSend. Default (false): any enabled inbound connector of the tenant matched by IP
	// or certificate exempts it, OnPremises included (docs/exchange-online.md#ambiguities, 15;
	// Set-OrganizationConfig speaks of "connectors configured to match the sender IP or
	// certificate").
	DirectSendPartnerOnly bool `json:"directSendPartnerOnly,omitempty"`
}
