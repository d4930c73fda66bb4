package classify

// AttributeOptions are Attribute's switches, each for a rule that Microsoft does not document
// (spec/exchange-online.md marks it [INF] or lists it among the ambiguities). The zero value is
// the default behaviour described on each field (the spec's suggested defaults); each field turns
// on the other behaviour. JSON names are used by scenario files ("exchangeOptions").
type AttributeOptions struct {
	// RecipientStepIncoming resolves the conflict inside spec/exchange-online.md about a connection
	// that matched an OnPremises connector whose only tie to the tenant is the recipient (neither the
	// certificate domain nor the MAIL FROM domain is accepted, scenario 9 of (a)).
	//
	// Default (false): Originating without relay rights. MC1226222 — Microsoft's newest and most
	// specific statement — lists the RcptTo domain as the third attribution key "for mail received
	// through an OnPremises inbound connector", so the mail is attributed through that connector
	// (HybridOnPrem) and only the 2023 relay rule withholds Internet relay; scenario 9 expects
	// exactly this. It also keeps DESIGN §1(c)'s pitfall visible: Internet mail delivered over an
	// OnPremises connector is treated as the tenant's own.
	//
	// true: the §2.4 pseudo-code — the OnPremises match is dropped and the recipient is attributed
	// as Incoming (Partner connectors, RejectDirectSend and Enhanced Filtering then apply as for any
	// anonymous mail).
	RecipientStepIncoming bool `json:"recipientStepIncoming,omitempty"`

	// IgnoreCertificateWildcards: a wildcard name in the presented certificate ("*.gw.example")
	// matches nothing. Default (false): the spec's suggested rule (§1.1 [INF]) — "*.X" matches a
	// connector value one label under X, or the value "*.X" itself.
	IgnoreCertificateWildcards bool `json:"ignoreCertificateWildcards,omitempty"`

	// NullSenderOutOfScope: the null reverse-path is outside every Partner connector's
	// SenderDomains, even "*", so no Partner restriction applies to bounces. Default (false): "*"
	// covers the null sender too and the restrictions apply (fail closed: a lockdown connector
	// cannot be bypassed with MAIL FROM:<>); a named domain never covers it.
	NullSenderOutOfScope bool `json:"nullSenderOutOfScope,omitempty"`

	// OnPremisesSenderDomains: an OnPremises connector is a candidate only when its SenderDomains
	// cover the MAIL FROM domain. Default (false): SenderDomains scopes Partner connectors only, as
	// the parameter help says (ambiguity 4).
	OnPremisesSenderDomains bool `json:"onPremisesSenderDomains,omitempty"`

	// TieBreakConfigOrder: when two tenants qualify at the same MC1226222 step (a certificate with
	// SANs accepted by different tenants whose connectors all match), the first tenant in
	// configuration order wins. Default (false): the step is ambiguous and decides nothing; the next
	// step (MAIL FROM, then RCPT TO) decides, and the relay rule still requires an accepted
	// certificate or MAIL FROM domain (ambiguity 2: Microsoft documents no tie-break).
	TieBreakConfigOrder bool `json:"tieBreakConfigOrder,omitempty"`

	// DirectSendPartnerOnly: only Partner connectors matched by IP or certificate exempt mail from
	// RejectDirectSend. Default (false): any enabled inbound connector of the tenant matched by IP
	// or certificate exempts it, OnPremises included (ambiguity 15; Set-OrganizationConfig speaks
	// of "connectors configured to match the sender IP or certificate").
	DirectSendPartnerOnly bool `json:"directSendPartnerOnly,omitempty"`
}
