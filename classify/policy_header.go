package classify

import (
	"strconv"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
)

// verdictField formats the verdict header with go-msgauth's authres.Format (RFC 8601):
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
	params := map[string]string{
		"policy.origin": string(v.Origin),
		verdictHopParam: strconv.Itoa(v.Hop),
	}
	if !v.Tenant.IsZero() {
		params["policy.tenant"] = v.Tenant.String()
	}
	if v.Kind != "" {
		params["policy.kind"] = string(v.Kind)
	}
	return Field{
		Name:  p.o.header,
		Value: authres.Format(p.o.authServID, []authres.Result{&authres.GenericResult{Method: verdictMethod, Value: val, Params: params}}),
	}
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
