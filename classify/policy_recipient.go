package classify

import (
	"github.com/tenantgate/tenantgate"
)

// RecipientVerdict is the answer at RCPT, before the header is known.
type RecipientVerdict struct {
	Rcpt string `json:"rcpt"`
	// Action is Inbound (a served tenant's accepted domain), Defer (a foreign recipient from
	// verified Exchange Online: only the header can tell whether the mail is our tenant's) or
	// Reject.
	Action Action `json:"action"`
	// Tenant is the served tenant an Inbound recipient belongs to.
	Tenant tenantgate.TenantID `json:"tenant,omitzero"`
	// Reply is the SMTP reply for Reject, zero otherwise.
	Reply tenantgate.Reply `json:"reply,omitzero"`
	// Peer is the verdict on the client the decision used.
	Peer    PeerVerdict         `json:"peer"`
	Reasons []tenantgate.Reason `json:"reasons"`
}

// Recipient decides one RCPT TO. Mail to an accepted domain of a served tenant is Inbound whatever
// its origin (docs/threat-model.md#trust-rules); a foreign recipient is deferred to Decide when
// the peer is verified Exchange Online and refused now otherwise (550 5.7.1, threats 3–7 of
// docs/threat-model.md). It takes no envelope sender: a sender never proves origin (threats 2, 25
// of docs/threat-model.md), and the sender binding needs the tenant, which only the header names,
// so Decide applies it. Decide makes the same decision for every recipient Recipient did not
// reject.
func (p *Policy) Recipient(s Session, rcpt string) RecipientVerdict {
	peer := p.Peer(s)
	v := RecipientVerdict{Rcpt: rcpt, Peer: peer}
	t, why, ok := p.inboundTenant(rcpt)
	v.Reasons = append(v.Reasons, why)
	switch {
	case why.Code == ReasonRcptSyntax:
		v.Action, v.Reply = Reject, ReplyBadRecipient
	case ok:
		v.Action, v.Tenant = Inbound, t
	case peer.EXO:
		v.Action = Defer
		v.Reasons = append(v.Reasons, reason(ReasonRcptDefer, "foreign recipient from verified Exchange Online: the header decides"))
	default:
		v.Action, v.Reply = Reject, ReplyRelayDenied
		v.Reasons = append(v.Reasons, reason(ReasonRcptRelayDeniedPeer, "foreign recipient from a peer that is not verified Exchange Online"))
	}
	return v
}

// inboundTenant reports whether rcpt's domain is an accepted domain of a served tenant, with the
// reason that says so (rcpt.inbound), says it is foreign (rcpt.foreign, including accepted
// domains of tenants the gateway does not serve), or that rcpt does not parse (rcpt.syntax).
func (p *Policy) inboundTenant(rcpt string) (tenantgate.TenantID, tenantgate.Reason, bool) {
	dom, err := tenantgate.AddressDomain(rcpt)
	if err != nil {
		return tenantgate.TenantID{}, reason(ReasonRcptSyntax, clip(err.Error())), false
	}
	if t, ok := p.d.OwnerInfo(dom); ok && p.d.Serves(t.ID) {
		return t.ID, reason(ReasonRcptInbound, clip(rcpt)+": accepted domain of served tenant "+t.Name), true
	}
	return tenantgate.TenantID{}, reason(ReasonRcptForeign, clip(rcpt)+": not an accepted domain of a served tenant"), false
}
