package classify

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/internal/rfc5322"
)

// Sender binding (docs/classify.md#sender-binding): own-tenant mail relays only when its
// sender domains are the tenant's own or one of its sendAs domains, and never another served
// tenant's.

// fromResult is the From field as the policy reads it: the domain of its single mailbox, or the
// problem (ReasonFromAbsent, ReasonFromMultiple, ReasonFromUnparsable) and a detail.
type fromResult struct {
	dom     tenantgate.Domain
	problem string
	detail  string
}

// noSignCode is the dkim.no-sign.* code of the From problem.
func (f fromResult) noSignCode() string {
	switch f.problem {
	case ReasonFromAbsent:
		return ReasonDKIMNoSignFromAbsent
	case ReasonFromMultiple:
		return ReasonDKIMNoSignFromMultiple
	}
	return ReasonDKIMNoSignFromUnparsable
}

// fromDomain returns the domain of the single mailbox in the single From field, or why there is
// none (threats 21, 22 of docs/threat-model.md).
func fromDomain(e *headers.Evidence) fromResult {
	switch {
	case e.FromCount == 0:
		return fromResult{problem: ReasonFromAbsent, detail: "no From field"}
	case e.FromCount > 1:
		return fromResult{problem: ReasonFromMultiple, detail: fmt.Sprintf("%d From fields", e.FromCount)}
	}
	if strings.ContainsAny(e.From.Value, "\x00\r\n") {
		return fromResult{problem: ReasonFromUnparsable, detail: "control characters in From"}
	}
	addr, ok := plainMailbox(e.From.Value)
	if !ok {
		list, err := mail.ParseAddressList(e.From.Value)
		if err != nil {
			return fromResult{problem: ReasonFromUnparsable, detail: clip(err.Error())}
		}
		if len(list) != 1 {
			return fromResult{problem: ReasonFromMultiple, detail: fmt.Sprintf("%d mailboxes in From", len(list))}
		}
		if groupSyntax(e.From.Value) {
			return fromResult{problem: ReasonFromUnparsable, detail: "group syntax in From (RFC 5322 §3.6.2 wants a mailbox-list)"}
		}
		addr = list[0].Address
	}
	dom, err := tenantgate.AddressDomain(addr)
	if err != nil {
		return fromResult{problem: ReasonFromUnparsable, detail: clip(err.Error())}
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
			denied = reason(ReasonRcptRelayDeniedSender, r.String())
		}
	}
	null := false
	switch mf := strings.TrimSpace(mailFrom); {
	case mf == "" || mf == "<>":
		null = true
		v.Reasons = append(v.Reasons, reason(ReasonSenderNull, "null reverse-path (a bounce or report): no envelope domain to bind"))
	default:
		dom, err := tenantgate.AddressDomain(mf)
		if err != nil {
			deny(reason(ReasonSenderInvalid, clip(err.Error())))
			break
		}
		if r, ok := p.senderDomain(v.Tenant, mailFromBinding(), dom); ok {
			v.Reasons = append(v.Reasons, r)
		} else {
			deny(r)
		}
	}
	switch {
	case v.Kind == Relayed && !null:
		v.Reasons = append(v.Reasons, reason(ReasonFromNotBound, "relayed mail keeps the original author's From; MAIL FROM binds"))
	case from.problem != "":
		deny(reason(from.problem, from.detail))
	default:
		if r, ok := p.senderDomain(v.Tenant, fromBinding(), from.dom); ok {
			v.Reasons = append(v.Reasons, r)
		} else {
			deny(r)
		}
	}
	return denied, denied.Code == ""
}

// binding is one field the sender binding checks (MAIL FROM or From): its name for details and
// its reason code for each tenantgate.SenderClass.
type binding struct {
	what                                               string
	tenantDomain, sendAs, otherServedTenant, notTenant string
}

func mailFromBinding() binding {
	return binding{"MAIL FROM", ReasonSenderTenantDomain, ReasonSenderSendAs, ReasonSenderOtherServedTenant, ReasonSenderNotTenantDomain}
}

func fromBinding() binding {
	return binding{"From", ReasonFromTenantDomain, ReasonFromSendAs, ReasonFromOtherServedTenant, ReasonFromNotTenantDomain}
}

// senderDomain classifies one sender domain, read from field b, for tenant id.
func (p *Policy) senderDomain(id tenantgate.TenantID, b binding, dom tenantgate.Domain) (tenantgate.Reason, bool) {
	m := p.d.SenderDomain(id, dom)
	// Each detail is one concatenation: they are built for every message.
	switch m.Class {
	case tenantgate.SenderTenantDomain:
		return reason(b.tenantDomain, b.what+" domain "+clip(string(dom))+" is covered by accepted domain "+string(m.Accepted.Name)+" of the tenant"), true
	case tenantgate.SenderSendAs:
		return reason(b.sendAs, b.what+" domain "+clip(string(dom))+" matches sendAs "+string(m.Pattern)), true
	case tenantgate.SenderOtherServedTenant:
		return reason(b.otherServedTenant, b.what+" domain "+clip(string(dom))+" is at or below "+string(m.Accepted.Name)+", an accepted domain of served tenant "+m.Tenant.Name), false
	}
	d := b.what + " domain " + clip(string(dom))
	if !m.Tenant.ID.IsZero() {
		d += " is an accepted domain of " + m.Tenant.Name + ", not of the tenant, and no sendAs matches"
	} else {
		d += " is neither an accepted domain of the tenant nor matched by its sendAs"
	}
	return reason(b.notTenant, d), false
}

// plainMailbox reads the From values most mail has without net/mail: one mailbox, either a bare
// addr-spec or a display name of plain words before an angle-addr, every byte printable ASCII, the
// local part and the domain dot-atoms (RFC 5322 §3.4), and no comments, quoted strings,
// encoded-words or domain literals. It returns the address net/mail.ParseAddressList returns for
// such a value; ok is false for anything else, which net/mail reads.
func plainMailbox(v string) (addr string, ok bool) {
	v = strings.Trim(v, " \t")
	lt := strings.IndexByte(v, '<')
	if lt < 0 {
		return v, dotAtomAddress(v)
	}
	if !strings.HasSuffix(v, ">") || strings.Contains(v, "=?") {
		return "", false
	}
	for i := 0; i < lt; i++ {
		if c := v[i]; c != ' ' && c != '\t' && !rfc5322.IsAtext(c) {
			return "", false
		}
	}
	addr = v[lt+1 : len(v)-1]
	return addr, dotAtomAddress(addr)
}

// dotAtomAddress reports whether a is local@domain with both sides dot-atoms of ASCII atext.
func dotAtomAddress(a string) bool {
	local, domain, ok := strings.Cut(a, "@")
	return ok && dotAtom(local) && dotAtom(domain)
}

// dotAtom reports whether s is 1*atext *("." 1*atext), ASCII only.
func dotAtom(s string) bool {
	if s == "" {
		return false
	}
	for atom := range strings.SplitSeq(s, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !rfc5322.IsAtext(atom[i]) {
				return false
			}
		}
	}
	return true
}
