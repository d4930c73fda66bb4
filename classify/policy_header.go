package classify

import (
	"strconv"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
)

// verdictField formats the verdict header as go-msgauth's authres.Format does (RFC 8601):
//
//	Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=1 policy.kind=mailbox
//	 policy.origin=own-tenant policy.tenant=11111111-1111-1111-1111-111111111111
//
// The result is pass for own-tenant, fail for other-tenant and none for internet mail.
func (p *Policy) verdictField(v *Verdict) Field {
	val := authres.ResultValue("none")
	switch v.Origin {
	case OwnTenant:
		val = authres.ResultPass
	case OtherTenant:
		val = authres.ResultFail
	}
	var tenant string
	if !v.Tenant.IsZero() {
		tenant = v.Tenant.String()
	}
	hop := strconv.Itoa(v.Hop)
	if s, ok := formatVerdict(p.o.authServID, val, hop, string(v.Kind), string(v.Origin), tenant); ok {
		return Field{Name: p.o.header, Value: s}
	}
	params := map[string]string{
		"policy.origin": string(v.Origin),
		verdictHopParam: hop,
	}
	if tenant != "" {
		params["policy.tenant"] = tenant
	}
	if v.Kind != "" {
		params["policy.kind"] = string(v.Kind)
	}
	return Field{
		Name:  p.o.header,
		Value: authres.Format(p.o.authServID, []authres.Result{&authres.GenericResult{Method: verdictMethod, Value: val, Params: params}}),
	}
}

// formatVerdict is authres.Format of the verdict result in one allocation, for the values the
// policy writes: every parameter value made of ASCII letters, digits and hyphens, which
// authres.Format writes as they are, in the order of their names (policy.hop, policy.kind,
// policy.origin, policy.tenant), an empty one left out. ok is false for any other value.
func formatVerdict(servID string, val authres.ResultValue, hop, kind, origin, tenant string) (string, bool) {
	params := [...]struct{ name, value string }{{verdictHopParam, hop}, {"policy.kind", kind}, {"policy.origin", origin}, {"policy.tenant", tenant}}
	n := len(servID) + len("; ") + len(verdictMethod) + len("=") + len(val) + len(" ")
	for _, p := range params {
		if !plainParam(p.value) {
			return "", false
		}
		if p.value != "" {
			n += len(p.name) + len("=") + len(p.value) + len(" ")
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(servID)
	b.WriteString("; ")
	b.WriteString(verdictMethod)
	b.WriteByte('=')
	b.WriteString(string(val))
	b.WriteByte(' ')
	first := true
	for _, p := range params {
		if p.value == "" {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String(), true
}

// plainParam reports whether s is made of ASCII letters, digits and hyphens only.
func plainParam(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Apply edits h, the header block the verdict was made on: it deletes the fields listed in Remove
// and adds Header at the top. An MTA that edits headers itself (a milter) uses Remove's Instance
// and Header instead.
func (v *Verdict) Apply(h *textproto.Header) {
	if len(v.Remove) > 0 {
		j, idx := 0, 0
		for f := h.Fields(); f.Next() && j < len(v.Remove); idx++ {
			if v.Remove[j].Index == idx {
				f.Del()
				j++
			}
		}
	}
	if v.Header.Name != "" {
		h.Add(v.Header.Name, v.Header.Value)
	}
}
