package classify

import (
	"net/netip"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// Connection is one SMTP transaction as it arrives at a tenant's *.mail.protection.outlook.com
// endpoint: what Exchange Online knows when it attributes the message.
type Connection struct {
	// RemoteAddr is the connecting IP. IPv4-mapped IPv6 addresses are unmapped; an IPv6 address
	// never matches a connector's SenderIPAddresses (Exchange Online takes IPv4 only there).
	RemoteAddr netip.Addr
	// HELO is the name the client gave in HELO/EHLO.
	HELO string
	// TLS is the session's certificate evidence. The zero value is a plaintext session. Names
	// count only when TLS and Verified are both true (Microsoft accepts CA-signed certificates
	// only, docs/exchange-online.md#certificate-names).
	TLS tlsid.Evidence
	// MailFrom is the envelope sender (P1 MAIL FROM), "" or "<>" for the null reverse-path.
	MailFrom string
	// RcptTo are the envelope recipients in RCPT order.
	RcptTo []string
	// Received is the message's Received chain, top-most (newest) first, as it arrives at
	// Exchange Online. Enhanced Filtering walks it; nil means no trace fields.
	Received []headers.Received
	// CrossPremises reports that the message carries intact X-MS-Exchange-CrossPremises-* headers
	// (mail from an Exchange server whose send connector has CloudServicesMailEnabled). Only an
	// OnPremises connector with CloudServicesMailEnabled promotes them and makes the mail Internal
	// (docs/exchange-online.md#originating-incoming-internal). The zero value: no such headers.
	CrossPremises bool
}

// Method says how Exchange Online tied a recipient to its tenant and connector. The values are the
// scenario-file spellings (testdata/scenarios/README.md).
type Method string

// Attribution methods.
const (
	// MethodCertificate: a connector's TLSSenderCertificateName matched a verified certificate name.
	MethodCertificate Method = "certificate"
	// MethodSenderIP: the connecting IP lies in a connector's SenderIPAddresses.
	MethodSenderIP Method = "sender-ip"
	// MethodRecipient: no connector identified the connection; the recipient's accepted domain
	// decided the tenant (also the MC1226222 third step for OnPremises connectors).
	MethodRecipient Method = "recipient"
)

// Direction is X-MS-Exchange-Organization-MessageDirectionality.
type Direction string

// Directions.
const (
	// Originating: the tenant's own mail (an OnPremises connector matched); it may be relayed to the
	// Internet when the relay rule holds.
	Originating Direction = "Originating"
	// Incoming: anonymous mail from outside, fully filtered.
	Incoming Direction = "Incoming"
)

// AuthAs is X-MS-Exchange-Organization-AuthAs (and X-MS-Exchange-CrossTenant-AuthAs).
type AuthAs string

// AuthAs values.
const (
	// AuthAsInternal: internal mail; it bypasses anti-spam.
	AuthAsInternal AuthAs = "Internal"
	// AuthAsAnonymous: everything else, including Originating mail from on-premises that is not
	// promoted (HybridOnPrem with AuthAs Anonymous is what real headers show).
	AuthAsAnonymous AuthAs = "Anonymous"
)

// Phase is the point of the SMTP transaction at which Exchange Online gives a recipient's reply.
type Phase string

// Phases.
const (
	// PhaseRCPT: the reply is the answer to RCPT TO. Accepted recipients, 5.7.51 (Partner
	// restrictions, the certificate name rule), 5.7.68 (Reject Direct Send), 4.4.5 ATTR46 and
	// syntax errors: a gateway's call-ahead (recipient verification by RCPT) sees them.
	PhaseRCPT Phase = "rcpt"
	// PhaseDATA: RCPT TO is answered 250 and the refusal comes after the end of DATA. Unauthorised
	// relay — 5.7.64 TenantAttribution and 5.7.1 Unable to relay — is refused there, per
	// Microsoft's support note "Exchange Online incorrectly flagged as possible open relay"
	// (Office AlchemyInsights; docs/exchange-online.md#when-a-refusal-is-sent): a call-ahead
	// that stops before DATA sees 250 and learns nothing.
	PhaseDATA Phase = "data"
)

// RecipientAttribution is Exchange Online's decision for one RCPT TO.
type RecipientAttribution struct {
	// Rcpt is the address as given.
	Rcpt string `json:"rcpt"`
	// Accepted reports whether Exchange Online accepts the recipient (Reply then starts with 250).
	Accepted bool `json:"accepted"`
	// Tenant is the tenant the recipient's copy is attributed to; zero when none was found.
	Tenant tenantgate.TenantID `json:"tenant"`
	// Connector is the name of the inbound connector that applied; "" when none did.
	Connector string `json:"connector,omitempty"`
	// Method is how the tenant and connector were found; "" when no tenant was.
	Method Method `json:"method,omitempty"`
	// Direction is Originating or Incoming; "" when rejected before attribution.
	Direction Direction `json:"direction,omitempty"`
	// AuthAs is Internal or Anonymous; "" when rejected before attribution.
	AuthAs AuthAs `json:"authAs,omitempty"`
	// Reply is Exchange Online's reply for the recipient: ReplyRecipientOK or one of the
	// rejections, given in Phase.
	Reply tenantgate.Reply `json:"reply"`
	// Phase is when Reply is given: PhaseRCPT, or PhaseDATA for a refusal that RCPT TO answered
	// with 250.
	Phase Phase `json:"phase,omitempty"`
}

// EnhancedFiltering is what Enhanced Filtering for Connectors (skip listing) found for one
// connector (docs/exchange-online.md#enhanced-filtering).
type EnhancedFiltering struct {
	// Enabled reports that the connector has Enhanced Filtering (EFSkipLastIP, or EFSkipIPs).
	Enabled bool `json:"enabled,omitempty"`
	// SkipListed reports that walking the Received chain found a source: SourceIP is valid.
	SkipListed bool `json:"skipListed,omitempty"`
	// SourceIP is the first address not skipped, and SourceName the name its hop recorded
	// (reverse DNS name, else HELO).
	SourceIP   netip.Addr `json:"sourceIP,omitzero"`
	SourceName string     `json:"sourceName,omitempty"`
	// Applied reports that filtering uses SourceIP: SkipListed and every recipient in EFUsers
	// (or EFUsers empty).
	Applied bool `json:"applied,omitempty"`
}

// Stamp is what Exchange Online writes on the copy of the message it delivers for one tenant: the
// CrossTenant set, the organisation headers and the anti-spam report fields that follow from the
// attribution, as plain data (the headers package writes them). One Stamp covers the accepted
// recipients that share a tenant, connector, direction and DIR.
type Stamp struct {
	// Tenant is X-MS-Exchange-CrossTenant-Id and X-EOPTenantAttributedMessage.
	Tenant tenantgate.TenantID `json:"tenant"`
	// Recipients are the RCPT TO addresses of this copy.
	Recipients []string `json:"recipients"`
	// Connector is the inbound connector that applied, "" for none.
	Connector string `json:"connector,omitempty"`
	// Direction is X-MS-Exchange-Organization-MessageDirectionality.
	Direction Direction `json:"direction"`
	// AuthAs is X-MS-Exchange-Organization-AuthAs and X-MS-Exchange-CrossTenant-AuthAs.
	AuthAs AuthAs `json:"authAs"`
	// FromEntityHeader is X-MS-Exchange-CrossTenant-FromEntityHeader: "HybridOnPrem" for mail
	// through an OnPremises connector, "Internet" for Incoming mail.
	FromEntityHeader string `json:"fromEntityHeader"`
	// DIR is the X-Forefront-Antispam-Report DIR field: "INB" for Incoming; for Originating mail
	// "INT" when the recipient is the tenant's own, else "OUT".
	DIR string `json:"dir"`
	// CIP is the X-Forefront-Antispam-Report CIP field: the IP filtering used (the Enhanced
	// Filtering source when applied, else the connecting IP). H is the HELO.
	CIP netip.Addr `json:"cip"`
	H   string     `json:"h,omitempty"`
	// ConnectingIP and ConnectingHELO make up
	// X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp (TenantId=…; Ip=[…]; Helo=[…]),
	// stamped for HybridOnPrem mail only; zero otherwise.
	ConnectingIP   netip.Addr `json:"connectingIP,omitzero"`
	ConnectingHELO string     `json:"connectingHELO,omitempty"`
	// EnhancedFiltering is what skip listing found on Connector.
	EnhancedFiltering EnhancedFiltering `json:"enhancedFiltering"`
	// ExternalOriginalInternetSender is the value of X-MS-Exchange-ExternalOriginalInternetSender
	// ("ip=[a.b.c.d];domain=name"), "" when not stamped (stamped when Enhanced Filtering applied).
	ExternalOriginalInternetSender string `json:"externalOriginalInternetSender,omitempty"`
	// SkipListedInternetSender is the value of X-MS-Exchange-SkipListedInternetSender, "" when not
	// stamped (stamped whenever skip listing found a source, even if EFUsers did not match).
	SkipListedInternetSender string `json:"skipListedInternetSender,omitempty"`
}

// Attribution is Exchange Online's view of one connection: per recipient, the tenant, connector,
// direction and AuthAs, or the reply that rejects it; the stamps for each delivered copy; and why.
type Attribution struct {
	// Recipients are in RCPT order, one per Connection.RcptTo entry.
	Recipients []RecipientAttribution `json:"recipients"`
	// OriginalClientIP is the address Exchange Online filters the first accepted recipient's copy
	// against (its Stamp's CIP); the connecting IP when nothing was accepted.
	OriginalClientIP netip.Addr `json:"originalClientIP,omitzero"`
	// Stamps are the delivered copies in the order their first recipient appears.
	Stamps []Stamp `json:"stamps,omitempty"`
	// Reasons explain the decision in the order it was taken.
	Reasons []tenantgate.Reason `json:"reasons,omitempty"`
}

// Accepted reports whether any recipient was accepted.
func (a Attribution) Accepted() bool {
	for _, r := range a.Recipients {
		if r.Accepted {
			return true
		}
	}
	return false
}
