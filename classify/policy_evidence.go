package classify

import (
	"fmt"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
)

// The verdict header the policy writes (policy_header.go) and headers.ScanEvidence reads back.
const (
	verdictMethod   = headers.VerdictMethod
	verdictHopParam = headers.VerdictHopProperty
)

// HeaderField names one field of the incoming header block: its Index in the block, its Name as
// spelled and its Instance among the fields of that name (the index milter's smfi_chgheader
// takes).
type HeaderField = headers.FieldRef

// scan reads the evidence of the header block in one pass (headers.ScanEvidence, or
// headers.ScanEvidenceBlock for Transaction.HeaderBlock) with the policy's options. Microsoft
// trust fields are listed only when the peer is not verified Exchange Online: they are removed
// only then.
func (p *Policy) scan(t *Transaction, trustedPeer bool) headers.Evidence {
	o := headers.EvidenceOptions{
		AuthServID:           p.servID,
		VerdictHeader:        p.o.header,
		EOPTenantAttributed:  p.o.eopEvidence,
		AcceptObsoleteSyntax: p.o.acceptObsolete,
		MaxTenantFields:      p.o.maxTenantFields,
		TrustFields:          !trustedPeer,
	}
	if t.HeaderBlock != nil {
		return headers.ScanEvidenceBlock(t.HeaderBlock, o)
	}
	return headers.ScanEvidence(t.Header, o)
}

// tenantProblems explains, in block order, why tenant fields are not evidence (docs/threat-model.md threats
// 10, 11, 29): malformed, obsolete syntax, conflicting, and more than MaxTenantFields.
func (p *Policy) tenantProblems(e *headers.Evidence) []tenantgate.Reason {
	var out []tenantgate.Reason
	for _, f := range e.TenantProblems {
		where := fmt.Sprintf("field %d (%s)", f.Index, clip(f.Name))
		switch f.Problem {
		case headers.TenantObsolete:
			out = append(out, reason(ReasonTenantCrossTenantObsoleteSyntax, where+": white space before the colon (RFC 5322 §4.5), never written by Exchange Online"))
		case headers.TenantMalformed:
			out = append(out, reason(ReasonTenantCrossTenantMalformed, where+": "+clip(f.Err.Error())))
		default:
			out = append(out, reason(ReasonTenantCrossTenantConflict, where+": "+f.Tenant.String()+" differs from "+e.Tenant.String()))
		}
	}
	if e.TenantFields > p.o.maxTenantFields {
		out = append(out, reason(ReasonTenantCrossTenantTooMany, fmt.Sprintf("more than %d tenant fields", p.o.maxTenantFields)))
	}
	return out
}

// groupSyntax reports whether v has a ':' outside quoted strings, comments and angle brackets: the
// start of an RFC 5322 group, which a From field may not hold.
func groupSyntax(v string) bool {
	depth, angle, quoted := 0, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && (quoted || depth > 0):
			i++
		case quoted:
			quoted = c != '"'
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == '"':
			quoted = true
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case c == ':' && !angle:
			return true
		}
	}
	return false
}
