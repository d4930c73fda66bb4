package classify

import (
	"bytes"
	"encoding/json"
	"errors"
)

// AttributeOptions are Attribute's switches, each for a rule that Microsoft does not document or
// where Microsoft's documents disagree (docs/exchange-online.md#ambiguities). The zero value is
// the default behaviour described on each field; each field turns on the other behaviour. JSON
// names are used by scenario files ("exchangeOptions").
type AttributeOptions struct {
	// RecipientStepOriginating resolves an open question of Exchange Online's attribution: a
	// connection that matched an OnPremises connector whose only tie to the tenant is the recipient
	// (neither the certificate domain nor the MAIL FROM domain is accepted,
	// docs/exchange-online.md#scenario-9).
	//
	// Default (false): Incoming. The OnPremises match is dropped and the recipient is attributed
	// as anonymous mail from outside (Partner connectors, RejectDirectSend and Enhanced Filtering
	// then apply). This is what the reports and Microsoft's own posts describe: the 2019 "Office
	// 365 Message Attribution" post
	// (https://techcommunity.microsoft.com/t5/exchange-team-blog/office-365-message-attribution/ba-p/749143)
	// and the June 2025 "TLS Certificates in Exchange Hybrid" post
	// (https://techcommunity.microsoft.com/blog/exchange/tls-certificates-in-exchange-hybrid---common-issues--how-to-fix-them/4420592)
	// treat such mail as Incoming, and administrators report it arriving "as incoming, over the
	// Partner connector".
	//
	// true: Originating without relay rights, the reading of MC1226222, which lists the RcptTo
	// domain as the third attribution key "for mail received through an OnPremises inbound
	// connector" (docs/exchange-online.md#attribution, rule 4): the recipient is attributed
	// through that connector (HybridOnPrem) and only the 2023 relay rule withholds Internet relay.
	//
	// The JSON key of earlier versions, "recipientStepIncoming", is still read: true is the
	// default, false sets this field (it meant the then-default Originating reading).
	RecipientStepOriginating bool `json:"recipientStepOriginating,omitempty"`

	// CertificateNameMailFromFallback selects the older of two readings of a certificate-matched
	// OnPremises connector whose TlsSenderCertificateName is not a wildcard and whose certificate
	// domain (the name or its parent, docs/exchange-online.md#certificate-domain) no accepted
	// domain of the tenant covers.
	//
	// Default (false), "the certificate name must be accepted": the Exchange Team's June 2025 post
	// (https://techcommunity.microsoft.com/blog/exchange/tls-certificates-in-exchange-hybrid---common-issues--how-to-fix-them/4420592)
	// says such a connection fails with 550 5.7.51; the fix is to add the accepted domain or to
	// use a wildcard connector value. Every recipient gets ReplyCertificateNotAccepted.
	//
	// true: KB 4019940 (https://learn.microsoft.com/troubleshoot/exchange/hybrid-configuration-wizard-errors/relay-access-denied-attr36-ndr)
	// and the 2017 relay notice
	// (https://learn.microsoft.com/troubleshoot/exchange/email-delivery/office-365-notice) let an
	// accepted MAIL FROM domain carry the connection ("either of the step 3 conditions"); the
	// connector stays a candidate and MC1226222's MAIL FROM and RcptTo steps decide.
	//
	// topology.Lint reports such connectors under either reading.
	CertificateNameMailFromFallback bool `json:"certificateNameMailFromFallback,omitempty"`

	// RecipientBindingPerDomain: the ATTR46 binding of an anonymous transaction
	// (ReplyAddressDomainDifferent) compares recipient domains instead of tenants. Default
	// (false): per tenant — a recipient that another tenant accepts than the first accepted
	// recipient's gets 451 4.4.5 ATTR46, while the tenant's other accepted domains (an alias
	// domain, the onmicrosoft.com domain) share the transaction. The reply's text speaks of "the
	// same domain"; the reports that name the situation are of gateways fanning one message out
	// to several tenants, and one tenant's own domains are delivered together routinely (inferred).
	// true: the literal reading of the text, one domain per transaction.
	RecipientBindingPerDomain bool `json:"recipientBindingPerDomain,omitempty"`

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

// UnmarshalJSON reads the options strictly (an unknown key is an error, as everywhere in the
// scenario format) and accepts the key of earlier versions, "recipientStepIncoming" (see
// RecipientStepOriginating); it must not contradict "recipientStepOriginating".
func (o *AttributeOptions) UnmarshalJSON(data []byte) error {
	type plain AttributeOptions
	var aux struct {
		plain
		RecipientStepIncoming *bool `json:"recipientStepIncoming"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	if aux.RecipientStepIncoming != nil {
		if _, both := rawKeys(data)["recipientStepOriginating"]; both && *aux.RecipientStepIncoming == aux.RecipientStepOriginating {
			return errors.New("exchangeOptions: recipientStepIncoming and recipientStepOriginating contradict each other; give recipientStepOriginating only")
		}
		aux.RecipientStepOriginating = !*aux.RecipientStepIncoming
	}
	*o = AttributeOptions(aux.plain)
	return nil
}

// rawKeys returns the keys of a JSON object (nil when data is not one).
func rawKeys(data []byte) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}
