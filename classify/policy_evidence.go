package classify

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
)

// Field names the policy reads, compared case-insensitively (docs/exchange-online.md#header-firewall: Exchange
// Online itself varies the case).
const (
	fieldCrossTenantID   = "X-MS-Exchange-CrossTenant-Id"
	fieldEOPAttributed   = "X-EOPTenantAttributedMessage"
	fieldFromEntity      = "X-MS-Exchange-CrossTenant-FromEntityHeader"
	fieldAuthAs          = "X-MS-Exchange-CrossTenant-AuthAs"
	fieldAntispamReport  = "X-Forefront-Antispam-Report"
	fieldFrom            = "From"
	fieldAuthResults     = "Authentication-Results"
	verdictMethod        = "x-tenantgate"
	verdictHopParam      = "policy.hop"
	maxEvidenceValueSize = 256
)

// trustPrefixes name the Microsoft trust headers that mean something only when Exchange Online
// wrote them. From a peer that is not verified Exchange Online they are forgeries and are listed
// for removal (docs/threat-model.md#threat-3; docs/exchange-online.md#header-firewall, the header firewall).
var trustPrefixes = [...]string{
	"X-MS-Exchange-CrossTenant-",
	"X-MS-Exchange-Organization-",
	"X-MS-Exchange-Forest-",
	"X-MS-Exchange-CrossPremises-",
}

var trustExact = [...]string{fieldEOPAttributed, "X-OriginatorOrg"}

// HeaderField names one field of the incoming header block.
type HeaderField struct {
	// Index is the field's position in the block, 0 for the top-most.
	Index int `json:"index"`
	// Name is the field name as spelled in the message.
	Name string `json:"name"`
	// Instance is the field's 1-based position among the fields of the same name (compared
	// case-insensitively), top down: the index milter's smfi_chgheader takes.
	Instance int `json:"instance"`
}

// evidence is what one pass over the header block found.
type evidence struct {
	// tenant fields (CrossTenant-Id, and X-EOPTenantAttributedMessage when enabled)
	tenantFields int
	tenant       tenantgate.TenantID // the first value that parsed
	haveTenant   bool
	tenantBad    []tenantgate.Reason // malformed, conflicting, too many
	duplicates   int
	obsolete     int

	fromEntity, authAs, dir string
	kindConflict            []string

	fromFields int
	fromValue  string

	ownHops    int // highest hop count in our own verdict headers
	ownCopies  int
	unreadable int // of ownCopies: fields whose authserv-id could not be read but names ours

	remove  []HeaderField
	trusted []HeaderField // Microsoft trust fields (removed only from untrusted peers)
}

// scan walks the header block once, top to bottom. Microsoft trust fields are collected only
// when the peer is not verified Exchange Online (they are removed only then).
func (p *Policy) scan(h *textproto.Header, trustedPeer bool) evidence {
	var e evidence
	idx := 0
	for f := h.Fields(); f.Next(); idx++ {
		key := f.Key()
		switch {
		case asciiFold(key, fieldCrossTenantID):
			p.tenantField(&e, f, idx, false)
		case asciiFold(key, fieldEOPAttributed):
			if p.o.eopEvidence {
				p.tenantField(&e, f, idx, true)
			}
		case asciiFold(key, fieldFromEntity):
			kindValue(&e.fromEntity, &e.kindConflict, key, f.Value())
		case asciiFold(key, fieldAuthAs):
			kindValue(&e.authAs, &e.kindConflict, key, f.Value())
		case asciiFold(key, fieldAntispamReport):
			if e.dir == "" { // the top-most report is Exchange Online's latest (docs/exchange-online.md#header-firewall)
				e.dir = antispamDIR(f.Value())
				if e.dir == "" {
					e.dir = "-"
				}
			}
		case asciiFold(key, fieldFrom):
			e.fromFields++
			if e.fromFields == 1 {
				e.fromValue = f.Value()
			}
		}
		if asciiFold(key, p.o.header) {
			v := f.Value()
			own, unreadable := true, false
			if asciiFold(key, fieldAuthResults) {
				own, unreadable = p.ownVerdictField(v)
			}
			if own {
				if unreadable {
					e.unreadable++
				}
				e.ownCopies++
				if n := hopCount(v); n > e.ownHops {
					e.ownHops = n
				}
				e.remove = append(e.remove, HeaderField{Index: idx, Name: rawName(f)})
			}
		}
		if !trustedPeer && isTrustField(key) {
			e.trusted = append(e.trusted, HeaderField{Index: idx, Name: rawName(f)})
		}
	}
	if e.ownCopies > e.ownHops {
		e.ownHops = min(e.ownCopies, maxHopValue)
	}
	if len(e.remove) > 0 || len(e.trusted) > 0 {
		fillInstances(h, e.remove)
		fillInstances(h, e.trusted)
	}
	return e
}

// fillInstances sets the Instance of each listed field (sorted by Index) with a second pass that
// counts fields by name; it runs only when something is listed.
func fillInstances(h *textproto.Header, list []HeaderField) {
	if len(list) == 0 {
		return
	}
	counts := make(map[string]int) // by canonical key: one key for every spelling of a name
	j, idx := 0, 0
	for f := h.Fields(); f.Next() && j < len(list); idx++ {
		k := f.Key()
		counts[k]++
		if list[j].Index == idx {
			list[j].Instance = counts[k]
			j++
		}
	}
}

// tenantField records one tenant evidence field. It must be a bare canonical GUID after
// unfolding (docs/threat-model.md#threat-11: no braces, comments, encoded-words or extra characters); eop fields
// may carry Exchange Online's ":<n>" suffix.
func (p *Policy) tenantField(e *evidence, f textproto.HeaderFields, idx int, eop bool) {
	e.tenantFields++
	name := rawName(f)
	where := fmt.Sprintf("field %d (%s)", idx, clip(name))
	if e.tenantFields > p.o.maxTenantFields {
		if e.tenantFields == p.o.maxTenantFields+1 {
			e.tenantBad = append(e.tenantBad, reason(ReasonTenantCrossTenantTooMany, fmt.Sprintf("more than %d tenant fields", p.o.maxTenantFields)))
		}
		return
	}
	if raw, err := f.Raw(); err == nil {
		if i := bytes.IndexByte(raw, ':'); i > 0 && (raw[i-1] == ' ' || raw[i-1] == '\t') {
			e.obsolete++
			if !p.o.acceptObsolete {
				e.tenantBad = append(e.tenantBad, reason(ReasonTenantCrossTenantObsoleteSyntax, where+": white space before the colon (RFC 5322 §4.5), never written by Exchange Online"))
				return
			}
		}
	}
	v := f.Value()
	if eop {
		if i := strings.LastIndexByte(v, ':'); i == 36 && isDigits(v[i+1:]) {
			v = v[:i]
		}
	}
	if len(v) > maxEvidenceValueSize {
		v = v[:maxEvidenceValueSize]
	}
	id, err := tenantgate.ParseTenantID(v)
	if err != nil {
		e.tenantBad = append(e.tenantBad, reason(ReasonTenantCrossTenantMalformed, where+": "+clip(err.Error())))
		return
	}
	switch {
	case !e.haveTenant:
		e.tenant, e.haveTenant = id, true
	case id == e.tenant:
		e.duplicates++
	default:
		e.tenantBad = append(e.tenantBad, reason(ReasonTenantCrossTenantConflict, where+": "+id.String()+" differs from "+e.tenant.String()))
	}
}

// kindValue records a single-valued kind header; a second, different value is a conflict.
func kindValue(dst *string, conflicts *[]string, key, v string) {
	v = strings.TrimSpace(v)
	switch {
	case *dst == "":
		*dst = v
		if v == "" {
			*dst = "-"
		}
	case !asciiFold(*dst, v):
		for _, k := range *conflicts {
			if asciiFold(k, key) {
				return
			}
		}
		*conflicts = append(*conflicts, key)
	}
}

// antispamDIR returns the DIR value of an X-Forefront-Antispam-Report ("…;DIR:OUT;…"), upper case,
// or "" if absent.
func antispamDIR(v string) string {
	for part := range strings.SplitSeq(v, ";") {
		k, val, ok := strings.Cut(part, ":")
		if ok && asciiFold(strings.TrimSpace(k), "DIR") {
			return strings.ToUpper(strings.TrimSpace(val))
		}
	}
	return ""
}

// ownVerdictField reports whether an Authentication-Results value carries the policy's
// authserv-id, compared as RFC 8601 §2.2 defines it (headers.AuthServID: quoted or not, any case,
// trailing dot, comments, folding, version). A value whose authserv-id cannot be read is ours when
// it names our id anywhere, ignoring case and backslashes (fail closed: a lenient reader
// downstream could take it for our verdict); unreadable then reports that case.
func (p *Policy) ownVerdictField(v string) (own, unreadable bool) {
	id, err := headers.AuthServID(v)
	if err == nil {
		return id == p.servID, false
	}
	return containsFoldNoEscapes(v, p.servID), true
}

// containsFoldNoEscapes reports whether sub (lower case) occurs in s with ASCII case ignored and
// backslashes in s skipped.
func containsFoldNoEscapes(s, sub string) bool {
	if sub == "" {
		return false
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return strings.Contains(string(b), sub)
}

// hopCount returns the policy.hop value of a verdict header written by a Policy, 0 if none; values
// are capped at maxHopValue.
func hopCount(v string) int {
	i := strings.Index(v, verdictMethod+"=")
	if i < 0 {
		return 0
	}
	rest := v[i:]
	if j := strings.IndexByte(rest, ';'); j >= 0 {
		rest = rest[:j]
	}
	j := strings.Index(rest, " "+verdictHopParam+"=")
	if j < 0 {
		return 0
	}
	rest = rest[j+len(verdictHopParam)+2:]
	k := 0
	for k < len(rest) && k < 4 && '0' <= rest[k] && rest[k] <= '9' {
		k++
	}
	n, err := strconv.Atoi(rest[:k])
	if err != nil {
		return 0
	}
	return min(n, maxHopValue)
}

func isTrustField(key string) bool {
	for _, p := range trustPrefixes {
		if len(key) > len(p) && asciiFold(key[:len(p)], p) {
			return true
		}
	}
	for _, n := range trustExact {
		if asciiFold(key, n) {
			return true
		}
	}
	return false
}

// asciiFold reports whether a and b are equal ignoring ASCII case. Field names are ASCII (RFC 5322
// §2.2); unlike strings.EqualFold it never lets a non-ASCII letter such as 'ſ' or the Kelvin sign
// stand for an ASCII one.
func asciiFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// rawName returns the field name as spelled in the message (white space before the colon
// removed), or the canonical key when the raw bytes are not available.
func rawName(f textproto.HeaderFields) string {
	raw, err := f.Raw()
	if err != nil {
		return f.Key()
	}
	i := bytes.IndexByte(raw, ':')
	if i < 0 {
		return f.Key()
	}
	return string(bytes.TrimRight(raw[:i], " \t"))
}

func isDigits(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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
