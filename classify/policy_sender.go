package classify

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// Sender binding (package documentation, "Sender binding"): own-tenant mail relays only when its
// sender domains are the tenant's own or one of its sendAs domains, and never another served
// tenant's.

const codeRelaySender = "rcpt.relay-denied.sender"

// fromResult is the From field as the policy reads it: the domain of its single mailbox, or the
// problem ("absent", "multiple", "unparsable") and a detail.
type fromResult struct {
	dom     tenantgate.Domain
	problem string
	detail  string
}

// fromDomain returns the domain of the single mailbox in the single From field, or why there is
// none (threat cases 21, 22).
func fromDomain(e *evidence) fromResult {
	switch {
	case e.fromFields == 0:
		return fromResult{problem: "absent", detail: "no From field"}
	case e.fromFields > 1:
		return fromResult{problem: "multiple", detail: fmt.Sprintf("%d From fields", e.fromFields)}
	}
	if strings.ContainsAny(e.fromValue, "\x00\r\n") {
		return fromResult{problem: "unparsable", detail: "control characters in From"}
	}
	list, err := mail.ParseAddressList(e.fromValue)
	if err != nil {
		return fromResult{problem: "unparsable", detail: clip(err.Error())}
	}
	if len(list) != 1 {
		return fromResult{problem: "multiple", detail: fmt.Sprintf("%d mailboxes in From", len(list))}
	}
	if groupSyntax(e.fromValue) {
		return fromResult{problem: "unparsable", detail: "group syntax in From (RFC 5322 §3.6.2 wants a mailbox-list)"}
	}
	dom, err := tenantgate.AddressDomain(list[0].Address)
	if err != nil {
		return fromResult{problem: "unparsable", detail: clip(err.Error())}
	}
	return fromResult{dom: dom}
}

// senderVerdict binds own-tenant mail to its tenant's domains: the MAIL FROM domain for every
// kind (the null sender passes), and the From domain for mailbox, on-premises and unknown mail —
// for relayed mail only when MAIL FROM is null, since then nothing else binds. It appends
// sender.* and from.* reasons to v and returns the reason a foreign recipient is refused with,
// or ok.
func (p *Policy) senderVerdict(v *Verdict, mailFrom string, from fromResult) (tenantgate.Reason, bool) {
	var denied tenantgate.Reason
	deny := func(r tenantgate.Reason) {
		v.Reasons = append(v.Reasons, r)
		if denied.Code == "" {
			denied = tenantgate.Reason{Code: codeRelaySender, Detail: r.String()}
		}
	}
	null := false
	switch mf := strings.TrimSpace(mailFrom); {
	case mf == "" || mf == "<>":
		null = true
		v.Reasons = append(v.Reasons, tenantgate.Reason{Code: "sender.null", Detail: "null reverse-path (a bounce or report): no envelope domain to bind"})
	default:
		dom, err := tenantgate.AddressDomain(mf)
		if err != nil {
			deny(tenantgate.Reason{Code: "sender.invalid", Detail: clip(err.Error())})
			break
		}
		if r, ok := p.senderDomain(v.Tenant, "sender", "MAIL FROM", dom); ok {
			v.Reasons = append(v.Reasons, r)
		} else {
			deny(r)
		}
	}
	switch {
	case v.Kind == Relayed && !null:
		v.Reasons = append(v.Reasons, tenantgate.Reason{Code: "from.not-bound", Detail: "relayed mail keeps the original author's From; MAIL FROM binds"})
	case from.problem != "":
		deny(tenantgate.Reason{Code: "from." + from.problem, Detail: from.detail})
	default:
		if r, ok := p.senderDomain(v.Tenant, "from", "From", from.dom); ok {
			v.Reasons = append(v.Reasons, r)
		} else {
			deny(r)
		}
	}
	return denied, denied.Code == ""
}

// senderDomain classifies one sender domain for tenant id; prefix is "sender" or "from".
func (p *Policy) senderDomain(id tenantgate.TenantID, prefix, what string, dom tenantgate.Domain) (tenantgate.Reason, bool) {
	m := p.d.SenderDomain(id, dom)
	code := prefix + "." + string(m.Class)
	d := what + " domain " + clip(string(dom))
	switch m.Class {
	case tenantgate.SenderTenantDomain:
		return tenantgate.Reason{Code: code, Detail: d + " is covered by accepted domain " + string(m.Accepted.Name) + " of the tenant"}, true
	case tenantgate.SenderSendAs:
		return tenantgate.Reason{Code: code, Detail: d + " matches sendAs " + string(m.Pattern)}, true
	case tenantgate.SenderOtherServedTenant:
		return tenantgate.Reason{Code: code, Detail: d + " is at or below " + string(m.Accepted.Name) + ", an accepted domain of served tenant " + m.Tenant.Name}, false
	}
	if !m.Tenant.ID.IsZero() {
		d += " is an accepted domain of " + m.Tenant.Name + ", not of the tenant, and no sendAs matches"
	} else {
		d += " is neither an accepted domain of the tenant nor matched by its sendAs"
	}
	return tenantgate.Reason{Code: prefix + "." + string(tenantgate.SenderNotTenantDomain), Detail: d}, false
}
