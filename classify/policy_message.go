package classify

import (
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
)

// DKIMResult is one DKIM verification result the caller obtained (the library does no DNS): the
// signing domain d= and the RFC 8601 result ("pass", "fail", "temperror", …). Only "pass" counts.
type DKIMResult struct {
	Domain string `json:"domain"`
	Result string `json:"result"`
}

// Transaction is everything Decide looks at. The zero value is a plaintext transaction from an
// unknown client with no recipients and an empty header.
type Transaction struct {
	Session Session
	// MailFrom is the reverse-path, "" or "<>" for the null sender. It never decides origin
	// (threats 2, 23, 25 of docs/threat-model.md).
	MailFrom string
	RcptTo   []string
	// Header is the top-level header block (docs/threat-model.md#threat-13: never MIME part
	// headers).
	Header textproto.Header
	// HeaderBlock is the same block as bytes, for a caller that has it in memory: the fields
	// of a block headers.CheckBytes accepted, cut to the length it returned (CRLF line ends,
	// no blank line). When it is not nil Decide reads it instead of Header, and decides
	// exactly as on the header headers.ReadBytes reads from it, without that header's copy of
	// every field (docs/classify.md#the-header-as-bytes).
	HeaderBlock []byte
	// HeaderError is the error reading Header returned, if any (a bare CR or LF, a malformed
	// line, a block over the size limit: threats 14, 29, 30 of docs/threat-model.md). Every
	// recipient is then refused with 554 5.6.0 and nothing is ours.
	HeaderError error
	// DKIM holds the DKIM results the caller verified, for PolicyConfig.DKIMFallback and
	// DKIMRequired. Results found in the header (Authentication-Results of other hosts) are never
	// read (docs/threat-model.md#threat-18).
	DKIM []DKIMResult
}

// RecipientAction is the final decision for one recipient.
type RecipientAction struct {
	Rcpt   string `json:"rcpt"`
	Action Action `json:"action"`
	// Tenant is the served tenant an Inbound recipient is delivered to.
	Tenant tenantgate.TenantID `json:"tenant,omitzero"`
	// Reply is the SMTP reply for Reject.
	Reply   tenantgate.Reply    `json:"reply,omitzero"`
	Reasons []tenantgate.Reason `json:"reasons"`
}

// Field is a header field to add: Name and unfolded Value.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Verdict is the gateway's decision on a whole transaction (docs/threat-model.md#trust-rules).
type Verdict struct {
	// Origin is OwnTenant only when the peer is verified Exchange Online and all tenant evidence
	// agrees on a served tenant; OtherTenant for any other verified-EXO mail; Internet otherwise.
	Origin Origin `json:"origin"`
	// Tenant is the tenant the evidence names: the served tenant for OwnTenant, the foreign one
	// for OtherTenant when the evidence agreed on one; zero otherwise (and always for Internet).
	Tenant tenantgate.TenantID `json:"tenant,omitzero"`
	// Kind is the sort of tenant mail, for verified Exchange Online peers; "" when unknown.
	Kind Kind `json:"kind,omitempty"`
	// Peer is the peer verdict the decision used.
	Peer PeerVerdict `json:"peer"`
	// Recipients holds one action per RcptTo entry, in order.
	Recipients []RecipientAction `json:"recipients"`
	// DKIMDomain is the domain the gateway may DKIM-sign for, "" = do not sign: set only for
	// own-tenant mail with a relayed recipient whose single From mailbox is in an accepted domain
	// of that tenant (threats 22–25 of docs/threat-model.md).
	DKIMDomain tenantgate.Domain `json:"dkimDomain"`
	// Remove lists the incoming fields to delete before Header is added, in block order: every
	// copy of the verdict header with the policy's authserv-id (threats 18, 19 of
	// docs/threat-model.md) and, when the peer is not verified Exchange Online, every Microsoft
	// trust header (docs/threat-model.md#threat-3).
	Remove []HeaderField `json:"remove,omitempty"`
	// Header is the verdict header to add at the top: an RFC 8601 Authentication-Results field
	// (or the configured name) with method x-tenantgate, the origin, tenant, kind and hop count.
	Header Field `json:"header"`
	// Hop is this pass's hop count: one more than the highest count found in incoming copies of
	// the verdict header.
	Hop int `json:"hop"`
	// Reasons explain the verdict in the order the decisions were made; recipient reasons are
	// included too.
	Reasons []tenantgate.Reason `json:"reasons"`
}

// Decide makes the final verdict on one transaction, after its header block (docs/threat-model.md#trust-rules): the
// one entry point for the decision, whatever evidence the caller has (a header that failed to
// read, DKIM results). It reads nothing but t and keeps nothing:
// a second transaction on the same connection is decided afresh (docs/threat-model.md#threat-16).
//
// Order: the peer (rule 1); the header evidence, read only from a verified peer (rule 2): every
// X-MS-Exchange-CrossTenant-Id must parse and agree, and name a served tenant; DKIM as fallback or
// second factor when enabled; the kind (rule 3); the loop guard; sender binding for own-tenant
// mail (docs/classify.md#sender-binding); then each recipient — Inbound for a served
// tenant's accepted domain, Relay for own-tenant mail of a kind that may relay whose sender
// domains are the tenant's, Reject otherwise — and the signing decision.
func (p *Policy) Decide(t Transaction) Verdict {
	v := Verdict{Peer: p.Peer(t.Session)}
	// Room for the reasons a message usually gets (peer, tenant, kind, sender, From, signing),
	// so that they are not copied as they grow.
	v.Reasons = append(make([]tenantgate.Reason, 0, len(v.Peer.Reasons)+8), v.Peer.Reasons...)
	v.Origin = Internet
	if v.Peer.EXO {
		v.Origin = OtherTenant
	}
	if t.HeaderError != nil {
		v.Reasons = append(v.Reasons, reason(ReasonHeaderMalformed, clip(t.HeaderError.Error())))
		v.Hop = 1
		for _, r := range t.RcptTo {
			v.addRecipient(RecipientAction{Rcpt: r, Action: Reject, Reply: ReplyHeaderInvalid,
				Reasons: []tenantgate.Reason{reason(ReasonRcptRejectHeader, "the header block could not be read")}})
		}
		v.Header = p.verdictField(&v)
		return v
	}
	e := p.scan(&t, v.Peer.EXO)

	// Fields to remove.
	v.Remove = e.Verdicts
	if n := len(e.Verdicts) - e.UnreadableVerdicts; n > 0 {
		v.Reasons = append(v.Reasons, reason(ReasonHeaderVerdictStripped, fmt.Sprintf("%d incoming %s field(s) with authserv-id %s", n, p.o.header, p.o.authServID)))
	}
	if e.UnreadableVerdicts > 0 {
		v.Reasons = append(v.Reasons, reason(ReasonHeaderVerdictUnparsableStripped, fmt.Sprintf("%d incoming %s field(s) whose authserv-id does not parse (RFC 8601 §2.2) but that name %s", e.UnreadableVerdicts, p.o.header, p.o.authServID)))
	}
	if !v.Peer.EXO && len(e.TrustFields) > 0 {
		v.Remove = mergeFields(v.Remove, e.TrustFields)
		v.Reasons = append(v.Reasons, reason(ReasonHeaderTrustStripped, fmt.Sprintf("%d Microsoft trust field(s) from a peer that is not verified Exchange Online", len(e.TrustFields))))
	}

	// Tenant evidence (rule 2) and kind (rule 3), only from verified Exchange Online.
	if !v.Peer.EXO {
		if e.TenantFields > 0 {
			v.Reasons = append(v.Reasons, reason(ReasonTenantUntrustedPeer, "tenant headers ignored: the peer is not verified Exchange Online"))
		}
	} else {
		p.tenantVerdict(&v, &e, t.DKIM)
		p.kindVerdict(&v, &e)
	}

	// Loop guard (docs/threat-model.md#threat-32).
	v.Hop = min(e.VerdictHop+1, maxHopValue+1)
	loop := v.Hop > p.o.maxHops
	if loop {
		v.Reasons = append(v.Reasons, reason(ReasonLoopHopsExceeded, fmt.Sprintf("hop %d exceeds the limit of %d", v.Hop, p.o.maxHops)))
	}

	if v.Origin == OwnTenant && !p.relays(v.Tenant, v.Kind) {
		k := string(v.Kind)
		if k == "" {
			k = "unknown"
		}
		v.Reasons = append(v.Reasons, reason(ReasonKindRelayDenied, "the policy does not let "+k+" mail relay"))
	}
	if mf := strings.TrimSpace(t.MailFrom); mf == "" || mf == "<>" {
		v.Reasons = append(v.Reasons, reason(ReasonEnvelopeNullSender, "null reverse-path"))
	}
	// Sender binding: own-tenant mail relays only as its own tenant (or a sendAs domain).
	var from fromResult
	senderOK, senderDenied := false, tenantgate.Reason{}
	if v.Origin == OwnTenant {
		from = fromDomain(&e)
		senderDenied, senderOK = p.senderVerdict(&v, t.MailFrom, from)
	}
	canRelay := v.Origin == OwnTenant && p.relays(v.Tenant, v.Kind) && senderOK && !loop

	relayed := false
	for _, r := range t.RcptTo {
		a := RecipientAction{Rcpt: r}
		tid, why, inbound := p.inboundTenant(r)
		a.Reasons = append(make([]tenantgate.Reason, 0, 3), why)
		switch {
		case why.Code == ReasonRcptSyntax:
			a.Action, a.Reply = Reject, ReplyBadRecipient
		case loop:
			a.Action, a.Reply = Reject, ReplyLoop
			a.Reasons = append(a.Reasons, reason(ReasonRcptRejectLoop, "routing loop"))
		case inbound:
			a.Action, a.Tenant = Inbound, tid
		case canRelay:
			a.Action = Relay
			relayed = true
			a.Reasons = append(a.Reasons, reason(ReasonRcptRelay, "own-tenant "+string(v.Kind)+" mail to a foreign recipient"))
		case v.Origin == OwnTenant && p.relays(v.Tenant, v.Kind):
			a.Action, a.Reply = Reject, ReplyRelayDenied
			a.Reasons = append(a.Reasons, senderDenied)
		default:
			a.Action, a.Reply = Reject, ReplyRelayDenied
			a.Reasons = append(a.Reasons, p.relayDenied(&v))
		}
		v.addRecipient(a)
	}

	// DKIM signing decision.
	switch {
	case v.Origin != OwnTenant:
		v.Reasons = append(v.Reasons, reason(ReasonDKIMNoSignNotOwn, "only own-tenant mail is signed"))
	case !relayed:
		v.Reasons = append(v.Reasons, reason(ReasonDKIMNoSignNoRelay, "no recipient is relayed"))
	default:
		dom := from.dom
		switch {
		case dom == "":
			v.Reasons = append(v.Reasons, reason(from.noSignCode(), from.detail))
		case p.d.Accepts(v.Tenant, dom):
			v.DKIMDomain = dom
			v.Reasons = append(v.Reasons, reason(ReasonDKIMSign, "From domain "+string(dom)+" is an accepted domain of the tenant"))
		default:
			v.Reasons = append(v.Reasons, reason(ReasonDKIMNoSignFromForeign, "From domain "+clip(string(dom))+" is not an accepted domain of the tenant"))
		}
	}
	v.Header = p.verdictField(&v)
	return v
}

func (v *Verdict) addRecipient(a RecipientAction) {
	v.Recipients = append(v.Recipients, a)
	v.Reasons = append(v.Reasons, a.Reasons...)
}

// relayDenied says which trust rule kept a foreign recipient from relaying.
func (p *Policy) relayDenied(v *Verdict) tenantgate.Reason {
	switch v.Origin {
	case Internet:
		return reason(ReasonRcptRelayDeniedPeer, "the peer is not verified Exchange Online")
	case OtherTenant:
		return reason(ReasonRcptRelayDeniedTenant, "the tenant evidence does not name a served tenant")
	}
	return reason(ReasonRcptRelayDeniedKind, "the policy does not let this kind of mail relay")
}

// tenantVerdict applies rule 2 for a verified peer: sets Origin and Tenant.
func (p *Policy) tenantVerdict(v *Verdict, e *headers.Evidence, dkim []DKIMResult) {
	bad := p.tenantProblems(e)
	v.Reasons = append(v.Reasons, bad...)
	ok := e.HaveTenant && len(bad) == 0
	if e.Duplicates > 0 {
		v.Reasons = append(v.Reasons, reason(ReasonTenantCrossTenantDuplicate, fmt.Sprintf("%d identical copies", e.Duplicates+1)))
		if p.o.rejectDuplicate {
			ok = false
			v.Reasons = append(v.Reasons, reason(ReasonTenantCrossTenantDuplicateRefused, "the policy refuses duplicate tenant fields"))
		}
	}
	if e.Obsolete > 0 && p.o.acceptObsolete {
		v.Reasons = append(v.Reasons, reason(ReasonTenantCrossTenantObsoleteSyntax, "white space before the colon, accepted by policy"))
	}
	passes := p.dkimPasses(v, dkim)
	switch {
	case e.TenantFields == 0:
		v.Reasons = append(v.Reasons, reason(ReasonTenantCrossTenantAbsent, "no X-MS-Exchange-CrossTenant-Id field"))
		if !p.o.dkimFallback {
			return
		}
		var cand []tenantgate.TenantID
		for _, d := range passes {
			for _, id := range p.dkimTenants[d] {
				if !containsID(cand, id) {
					cand = append(cand, id)
				}
			}
		}
		switch len(cand) {
		case 0:
			v.Reasons = append(v.Reasons, reason(ReasonTenantDKIMNone, "no DKIM pass for a served tenant's signing domain"))
		case 1:
			v.Origin, v.Tenant = OwnTenant, cand[0]
			v.Reasons = append(v.Reasons, reason(ReasonTenantDKIMFallback, "DKIM pass for a signing domain of served tenant "+cand[0].String()))
		default:
			v.Reasons = append(v.Reasons, reason(ReasonTenantDKIMAmbiguous, "DKIM passes for signing domains of several served tenants"))
		}
		return
	case !ok:
		return
	}
	v.Tenant = e.Tenant
	if !p.d.Serves(e.Tenant) {
		v.Reasons = append(v.Reasons, reason(ReasonTenantNotServed, e.Tenant.String()+" is not a tenant the gateway serves"))
		return
	}
	if p.dkimRequired(e.Tenant) {
		found := false
		for _, d := range passes {
			if containsID(p.dkimTenants[d], e.Tenant) {
				found = true
				break
			}
		}
		if !found {
			v.Reasons = append(v.Reasons, reason(ReasonTenantDKIMMissing, "DKIMRequired: no DKIM pass for a signing domain of "+e.Tenant.String()))
			return
		}
		v.Reasons = append(v.Reasons, reason(ReasonTenantDKIMConfirmed, "DKIM pass for a signing domain of the tenant"))
	}
	v.Origin = OwnTenant
	v.Reasons = append(v.Reasons, reason(ReasonTenantServed, e.Tenant.String()))
}

// dkimPasses returns the normalised domains of the passing results; passes for domains no served
// tenant signs with are reported (docs/threat-model.md#threat-17) and dropped.
func (p *Policy) dkimPasses(v *Verdict, dkim []DKIMResult) []tenantgate.Domain {
	if !p.o.dkimFallback && !p.anyDKIMRequired() {
		return nil
	}
	var out []tenantgate.Domain
	for _, r := range dkim {
		if !strings.EqualFold(strings.TrimSpace(r.Result), "pass") {
			continue
		}
		d, err := tenantgate.ParseDomain(r.Domain)
		if err != nil {
			v.Reasons = append(v.Reasons, reason(ReasonTenantDKIMBadDomain, clip(err.Error())))
			continue
		}
		if len(p.dkimTenants[d]) == 0 {
			v.Reasons = append(v.Reasons, reason(ReasonTenantDKIMForeign, "DKIM pass for "+string(d)+", not a served tenant's signing domain"))
			continue
		}
		out = append(out, d)
	}
	return out
}

// kindVerdict applies docs/exchange-online.md#classifying-mail-from-exchange-online to the
// CrossTenant kind headers and DIR.
func (p *Policy) kindVerdict(v *Verdict, e *headers.Evidence) {
	if len(e.KindConflicts) > 0 {
		v.Reasons = append(v.Reasons, reason(ReasonKindConflict, "conflicting "+strings.Join(e.KindConflicts, ", ")))
		return
	}
	anonymous := headers.EqualFold(e.AuthAs, "Anonymous")
	var k Kind
	switch {
	case headers.EqualFold(e.FromEntityHeader, "HybridOnPrem"):
		k = OnPremises
	case headers.EqualFold(e.FromEntityHeader, "Hosted") && anonymous:
		k = Relayed
	case headers.EqualFold(e.FromEntityHeader, "Hosted") && (e.AuthAs == "" || headers.EqualFold(e.AuthAs, "Internal")):
		k = Mailbox
	case headers.EqualFold(e.FromEntityHeader, "Internet"):
		k = Relayed
	default:
		d := "no FromEntityHeader"
		if e.FromEntityHeader != "" {
			d = "FromEntityHeader " + clip(e.FromEntityHeader) + ", AuthAs " + clip(e.AuthAs)
		}
		v.Reasons = append(v.Reasons, reason(ReasonKindUnknown, d))
		return
	}
	if e.DIR == "INB" && k != Relayed {
		k = Relayed
		v.Reasons = append(v.Reasons, reason(ReasonKindDirInbound, "X-Forefront-Antispam-Report DIR:INB: Exchange Online received it as inbound mail"))
	}
	v.Kind = k
	v.Reasons = append(v.Reasons, reason(kindReason(k), "FromEntityHeader "+clip(e.FromEntityHeader)+", AuthAs "+clip(e.AuthAs)+", DIR "+clip(e.DIR)))
}

func containsID(ids []tenantgate.TenantID, id tenantgate.TenantID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// mergeFields merges two lists sorted by Index, dropping duplicates.
func mergeFields(a, b []HeaderField) []HeaderField {
	out := make([]HeaderField, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].Index < b[j].Index):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].Index < a[i].Index:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}
