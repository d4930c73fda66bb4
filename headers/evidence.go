package headers

import (
	"bytes"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
)

// The gateway's verdict header (classify.Policy writes it with go-msgauth's authres.Format,
// RFC 8601): an Authentication-Results field, or a field of another configured name, whose
// result for VerdictMethod carries the hop counter VerdictHopProperty:
//
//	Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=1 …
const (
	// VerdictMethod is the RFC 8601 method of the verdict header's result.
	VerdictMethod = "x-tenantgate"
	// VerdictHopProperty is the property of that result that counts the passes through the
	// gateway.
	VerdictHopProperty = "policy.hop"
	// MaxVerdictHop caps the hop counts ScanEvidence reads.
	MaxVerdictHop = 999
	// DefaultMaxTenantFields is EvidenceOptions.MaxTenantFields (and classify's
	// PolicyConfig.MaxTenantFields) when it is 0: how many X-MS-Exchange-CrossTenant-Id (and, if
	// used, X-EOPTenantAttributedMessage) fields one message may carry; more is treated as
	// malformed evidence (docs/threat-model.md#threat-29).
	DefaultMaxTenantFields = 16
)

// EvidenceOptions says what ScanEvidence treats as evidence where a policy has a choice. The
// zero value reads X-MS-Exchange-CrossTenant-Id only, refuses the obsolete syntax, bounds the
// tenant fields at DefaultMaxTenantFields and finds no verdict header of the gateway's own.
type EvidenceOptions struct {
	// AuthServID is the gateway's own authserv-id, compared as AuthServID compares them: an
	// Authentication-Results field carrying it is a copy of the gateway's verdict header. ""
	// (or a value that is no authserv-id) makes no Authentication-Results field the gateway's.
	AuthServID string
	// VerdictHeader is the name of the gateway's verdict header, "" for Authentication-Results.
	// With another name every field of that name is a copy, whatever its authserv-id.
	VerdictHeader string
	// EOPTenantAttributed makes X-EOPTenantAttributedMessage tenant evidence next to
	// X-MS-Exchange-CrossTenant-Id: its value must be the tenant GUID, optionally followed by
	// Exchange Online's ":<1–3 digits>" suffix, and agree with the other tenant fields.
	EOPTenantAttributed bool
	// AcceptObsoleteSyntax lets a tenant field written with white space before its colon
	// (RFC 5322 §4.5) count; it is still counted in Evidence.Obsolete. Off, such a field is a
	// TenantObsolete problem.
	AcceptObsoleteSyntax bool
	// MaxTenantFields bounds the tenant fields read (0: DefaultMaxTenantFields); the fields past
	// it are only counted.
	MaxTenantFields int
	// TrustFields makes ScanEvidence list the Microsoft trust fields in Evidence.TrustFields. A
	// policy needs them only to remove them from a peer that is not Exchange Online.
	TrustFields bool
}

// Evidence is what one pass over a header block found of the evidence a tenant-aware policy
// decides on: the tenant fields, the kind fields, the From field, the copies of the gateway's
// own verdict header with their hop count, and the Microsoft trust fields. It reports what the
// header says, as Parse does; whether the peer may be believed is the policy's decision.
//
// No value depends on which copy of a field is the latest pass through Exchange Online
// (docs/headers.md#passes): every tenant field must agree, and so must every copy of a kind field.
type Evidence struct {
	// TenantFields counts the tenant fields (X-MS-Exchange-CrossTenant-Id, and
	// X-EOPTenantAttributedMessage with EvidenceOptions.EOPTenantAttributed), also those past
	// MaxTenantFields, which are not read.
	TenantFields int
	// Tenant is the tenant of the first tenant field that counts; HaveTenant says there is one.
	// The tenant fields agree on it only when TenantProblems is empty and TenantFields is at
	// most MaxTenantFields.
	Tenant     tenantgate.TenantID
	HaveTenant bool
	// Duplicates counts the tenant fields after the first that name Tenant again.
	Duplicates int
	// Obsolete counts the tenant fields read that had white space before the colon, accepted or
	// not.
	Obsolete int
	// TenantProblems lists, in block order, the tenant fields that are not evidence and why.
	TenantProblems []TenantField

	// FromEntityHeader, AuthAs and DIR are the values of X-MS-Exchange-CrossTenant-
	// FromEntityHeader, X-MS-Exchange-CrossTenant-AuthAs and the DIR item of
	// X-Forefront-Antispam-Report (upper case): "" when there is no such field, "-" when the
	// field (or the DIR item) is empty. With several copies, these are the first one's.
	FromEntityHeader, AuthAs, DIR string
	// KindConflicts names (canonical form) each of those fields whose copies disagree, in the
	// order the conflicts were found.
	KindConflicts []string

	// From is the first From field, FromCount the number of From fields.
	From      Field
	FromCount int

	// Verdicts lists the copies of the gateway's verdict header in block order (see
	// EvidenceOptions.AuthServID and VerdictHeader). UnreadableVerdicts counts those among them
	// whose authserv-id does not parse (RFC 8601 §2.2) but that name the gateway's id anywhere,
	// ignoring case and backslashes: a lenient reader could take them for the gateway's.
	Verdicts           []FieldRef
	UnreadableVerdicts int
	// VerdictHop is the highest VerdictHopProperty among Verdicts, at least the number of
	// copies, at most MaxVerdictHop: the number of earlier passes through the gateway.
	VerdictHop int

	// TrustFields lists the Microsoft trust fields in block order (only with
	// EvidenceOptions.TrustFields): the X-MS-Exchange-CrossTenant-, -Organization-, -Forest- and
	// -CrossPremises- families, X-EOPTenantAttributedMessage and X-OriginatorOrg (IsTrustField).
	TrustFields []FieldRef
}

// FieldRef names one field of a header block.
type FieldRef struct {
	// Index is the field's position in the block, 0 for the top-most.
	Index int `json:"index"`
	// Name is the field name as spelled in the message.
	Name string `json:"name"`
	// Instance is the field's 1-based position among the fields of the same name (compared
	// case-insensitively), top down: the index milter's smfi_chgheader takes.
	Instance int `json:"instance"`
}

// TenantField is a tenant field that is not evidence.
type TenantField struct {
	// Index and Name (as written) locate the field.
	Index int
	Name  string
	// EOP is set for X-EOPTenantAttributedMessage.
	EOP bool
	// Tenant is the tenant the value names, when Err is nil.
	Tenant tenantgate.TenantID
	// Err says why the value is no tenant GUID (tenantgate.ParseTenantID); nil when it is one.
	// It is not set for a TenantObsolete field, which is not read further.
	Err error
	// Problem says why the field is not evidence.
	Problem TenantProblem
}

// TenantProblem says why a tenant field is not evidence.
type TenantProblem string

// Tenant problems, checked in this order.
const (
	// TenantObsolete: white space before the colon (RFC 5322 §4.5), which Exchange Online never
	// writes, and EvidenceOptions.AcceptObsoleteSyntax is off.
	TenantObsolete TenantProblem = "obsolete-syntax"
	// TenantMalformed: the value is not a bare canonical GUID (Err says why).
	TenantMalformed TenantProblem = "malformed"
	// TenantConflict: the value names a tenant other than Evidence.Tenant.
	TenantConflict TenantProblem = "conflict"
)

// Canonical keys (textproto.CanonicalMIMEHeaderKey) of the evidence fields.
const (
	keyCrossTenantID = "X-Ms-Exchange-Crosstenant-Id"
	keyFromEntity    = "X-Ms-Exchange-Crosstenant-Fromentityheader"
	keyAuthAs        = "X-Ms-Exchange-Crosstenant-Authas"
)

// trustPrefixes and trustNames are the Microsoft trust fields: they mean something only when
// Exchange Online wrote them (the header firewall,
// https://learn.microsoft.com/exchange/header-firewall-exchange-2013-help).
var (
	trustPrefixes = [...]string{
		"X-MS-Exchange-CrossTenant-",
		"X-MS-Exchange-Organization-",
		"X-MS-Exchange-Forest-",
		"X-MS-Exchange-CrossPremises-",
	}
	trustNames = [...]string{"X-EOPTenantAttributedMessage", "X-OriginatorOrg"}
)

// IsTrustField reports whether a field name (any case) is a Microsoft trust field: a member of
// the X-MS-Exchange-CrossTenant-, -Organization-, -Forest- or -CrossPremises- families,
// X-EOPTenantAttributedMessage or X-OriginatorOrg.
func IsTrustField(name string) bool {
	for _, p := range trustPrefixes {
		if len(name) > len(p) && EqualFold(name[:len(p)], p) {
			return true
		}
	}
	for _, n := range trustNames {
		if EqualFold(name, n) {
			return true
		}
	}
	return false
}

// ScanEvidence reads the evidence of a header block in one pass, top to bottom, at about the
// cost of iterating the fields: values are read only for the few fields it looks at. Field
// names are compared case-insensitively and exactly. The tenant fields are read as
// Message.CrossTenantID reads X-MS-Exchange-CrossTenant-Id (see there); with the zero options
// the tenant fields are evidence exactly when CrossTenantID succeeds, for the same tenant,
// unless there are more than DefaultMaxTenantFields of them.
func ScanEvidence(h textproto.Header, opts EvidenceOptions) Evidence {
	e := scanEvidence(h.Fields(), opts)
	if len(e.Verdicts) > 0 {
		fillInstances(h.Fields(), e.Verdicts)
	}
	if len(e.TrustFields) > 0 {
		fillInstances(h.Fields(), e.TrustFields)
	}
	return e
}

// scanEvidence is ScanEvidence's pass over the fields, but for the instances.
func scanEvidence(fields textproto.HeaderFields, opts EvidenceOptions) Evidence {
	s := evidenceScan{max: opts.MaxTenantFields, header: opts.VerdictHeader}
	s.judge.acceptObsolete = opts.AcceptObsoleteSyntax
	if s.max <= 0 {
		s.max = DefaultMaxTenantFields
	}
	if s.header == "" {
		s.header = keyAuthResults
	}
	if id, err := AuthServID(opts.AuthServID); err == nil {
		s.servID = id
	}
	// A block's fields need not be named when scanEvidence cannot act on them: unless it lists
	// the trust fields or a verdict header of another name, only the scanKey fields matter.
	block, _ := fields.(*blockFields)
	if opts.TrustFields || scanKey([]byte(s.header)) == "" {
		block = nil
	}
	var e Evidence
	idx := 0
	for f := fields; f.Next(); idx++ {
		var key string
		if block != nil {
			key = block.scanKey()
		} else {
			key = f.Key()
		}
		switch key {
		case keyCrossTenantID:
			s.tenant(&e, f, idx, false)
		case keyEOPTenant:
			if opts.EOPTenantAttributed {
				s.tenant(&e, f, idx, true)
			}
		case keyFromEntity:
			kindValue(&e.FromEntityHeader, &e.KindConflicts, key, strings.TrimSpace(f.Value()))
		case keyAuthAs:
			kindValue(&e.AuthAs, &e.KindConflicts, key, strings.TrimSpace(f.Value()))
		case keyFFAS:
			kindValue(&e.DIR, &e.KindConflicts, key, fieldDIR(f))
		case keyFrom:
			e.FromCount++
			if e.FromCount == 1 {
				e.From = fieldOf(f, idx)
			}
		}
		if EqualFold(key, s.header) {
			s.verdict(&e, f, idx)
		}
		if opts.TrustFields && IsTrustField(key) {
			e.TrustFields = append(e.TrustFields, FieldRef{Index: idx, Name: fieldOf(f, idx).Name})
		}
	}
	e.Tenant, e.HaveTenant = s.judge.first, s.judge.have
	e.Duplicates, e.Obsolete = s.judge.duplicates, s.judge.obsolete
	if len(e.Verdicts) > e.VerdictHop {
		e.VerdictHop = min(len(e.Verdicts), MaxVerdictHop)
	}
	return e
}

// evidenceScan is the state of one ScanEvidence pass.
type evidenceScan struct {
	max    int
	header string
	servID string
	judge  tenantJudge
}

// tenant reads one tenant field.
func (s *evidenceScan) tenant(e *Evidence, f textproto.HeaderFields, idx int, eop bool) {
	e.TenantFields++
	if e.TenantFields > s.max {
		return
	}
	fd := fieldOf(f, idx)
	var id tenantgate.TenantID
	var err error
	if !fd.SpaceBeforeColon || s.judge.acceptObsolete {
		id, err = tenantValue(fd.Value, eop)
	}
	if p := s.judge.judge(fd.SpaceBeforeColon, id, err == nil); p != "" {
		e.TenantProblems = append(e.TenantProblems, TenantField{Index: idx, Name: fd.Name, EOP: eop, Tenant: id, Err: err, Problem: p})
	}
}

// tenantJudge applies the tenant rule field by field, for ScanEvidence and
// Message.CrossTenantID alike: a field with white space before its colon is a problem unless
// accepted; a value that is no tenant GUID is one; the first field that counts sets the tenant;
// a later one naming the same tenant is a duplicate, another tenant a conflict.
type tenantJudge struct {
	acceptObsolete bool
	first          tenantgate.TenantID
	have           bool
	duplicates     int
	obsolete       int
}

// judge judges one field: "" when it counts (the first or a duplicate), else the problem.
func (j *tenantJudge) judge(spaceBeforeColon bool, id tenantgate.TenantID, valid bool) TenantProblem {
	if spaceBeforeColon {
		j.obsolete++
		if !j.acceptObsolete {
			return TenantObsolete
		}
	}
	switch {
	case !valid:
		return TenantMalformed
	case !j.have:
		j.first, j.have = id, true
	case id == j.first:
		j.duplicates++
	default:
		return TenantConflict
	}
	return ""
}

// tenantValue reads the value of a tenant field: a bare canonical GUID
// (tenantgate.ParseTenantID: no braces, comments, encoded-words or extra characters) after
// unfolding. X-EOPTenantAttributedMessage (eop) may add Exchange Online's ":<1–3 digits>".
func tenantValue(v string, eop bool) (tenantgate.TenantID, error) {
	if eop {
		if i := strings.LastIndexByte(v, ':'); i == 36 && eopSuffix(v[i+1:]) {
			v = v[:i]
		}
	}
	return tenantgate.ParseTenantID(v)
}

func eopSuffix(s string) bool {
	return len(s) >= 1 && len(s) <= 3 && isDigits(s)
}

// kindValue records a kind field's value (empty: "-"); a copy with a different value (ignoring
// ASCII case) is a conflict, listed once per field name.
func kindValue(dst *string, conflicts *[]string, key, v string) {
	switch {
	case *dst == "":
		*dst = v
		if v == "" {
			*dst = "-"
		}
	case !EqualFold(*dst, v):
		for _, k := range *conflicts {
			if k == key {
				return
			}
		}
		*conflicts = append(*conflicts, key)
	}
}

// antispamDIR returns the first DIR item of an X-Forefront-Antispam-Report value, read with the
// item grammar of ParseAntispamReport (splitItems), in upper case; "" if there is none.
func antispamDIR(v string) string {
	var buf [2048]byte // the value is read where it lies, not copied to the heap (most fit)
	return antispamDIRBytes(append(buf[:0], unfold(v)...))
}

// fieldDIR is antispamDIR(f.Value()). The value of a field of a block in memory is unfolded on
// the stack and read in place: X-Forefront-Antispam-Report runs to about 800 bytes, and only its
// DIR item is wanted.
func fieldDIR(f textproto.HeaderFields) string {
	b, ok := f.(*blockFields)
	if !ok {
		return antispamDIR(f.Value())
	}
	var buf [2048]byte
	return antispamDIRBytes(b.appendValue(buf[:0]))
}

// antispamDIRBytes is antispamDIR for a value already unfolded (unfold changes nothing in it),
// in bytes, read in place: only the DIR value becomes a string. splitItems removes "(null)" from
// the whole value once, before it splits: "(null)" holds no ';' or ':', so that is removing it
// once from each item, and from the value alone when the key before it holds no '(' (and so no
// "(null)"); when it does, the item is cleaned whole and its value must not be cleaned again
// ("(nu(null)ll)" becomes "(null)" and stays).
func antispamDIRBytes(v []byte) string {
	null := []byte("(null)")
	for {
		item, rest, more := bytes.Cut(v, []byte{';'})
		k, val, ok := bytes.Cut(item, []byte{':'})
		cleaned := false
		if bytes.IndexByte(k, '(') >= 0 {
			k, val, ok = bytes.Cut(bytes.ReplaceAll(item, null, nil), []byte{':'})
			cleaned = true
		}
		if ok && equalFold(bytes.TrimSpace(k), "DIR") {
			if !cleaned && bytes.Contains(val, null) {
				val = bytes.ReplaceAll(val, null, nil)
			}
			d := bytes.TrimSpace(val)
			switch string(d) { // the values Exchange Online writes, without a copy
			case "":
				return ""
			case "OUT":
				return "OUT"
			case "INB":
				return "INB"
			case "INT":
				return "INT"
			}
			return string(bytes.ToUpper(d))
		}
		if !more {
			return ""
		}
		v = rest
	}
}

// verdict records a field with the verdict header's name when it is a copy of the gateway's
// verdict header.
func (s *evidenceScan) verdict(e *Evidence, f textproto.HeaderFields, idx int) {
	v := f.Value()
	if f.Key() == keyAuthResults {
		id, err := AuthServID(v)
		switch {
		case s.servID == "":
			return
		case err != nil:
			if !containsFoldNoEscapes(v, s.servID) {
				return
			}
			e.UnreadableVerdicts++
		case id != s.servID:
			return
		}
	}
	e.Verdicts = append(e.Verdicts, FieldRef{Index: idx, Name: fieldOf(f, idx).Name})
	e.VerdictHop = max(e.VerdictHop, verdictHop(v))
}

// verdictHop reads the hop count of a verdict header value with the RFC 8601 grammar it was
// written in (ParseAuthResults): the highest VerdictHopProperty of a VerdictMethod result, read
// as its leading digits (at most four) and capped at MaxVerdictHop; 0 if there is none.
func verdictHop(v string) int {
	a, _, _ := parseAuthResults(v, nil)
	ptype, name, _ := strings.Cut(VerdictHopProperty, ".")
	n := 0
	for _, r := range a.Results {
		if r.Method != VerdictMethod {
			continue
		}
		for _, p := range r.Props {
			if p.Type == ptype && p.Name == name {
				n = max(n, leadingNumber(p.Value))
			}
		}
	}
	return min(n, MaxVerdictHop)
}

// leadingNumber reads up to four leading decimal digits of s; 0 if there are none.
func leadingNumber(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 4 && isDigit(s[i]); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
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

// fillInstances sets the Instance of each listed field (sorted by Index) with a second pass that
// counts fields by name; it runs only when something is listed.
func fillInstances(fields textproto.HeaderFields, list []FieldRef) {
	if len(list) == 0 {
		return
	}
	counts := make(map[string]int) // by canonical key: one key for every spelling of a name
	j, idx := 0, 0
	for f := fields; f.Next() && j < len(list); idx++ {
		k := f.Key()
		counts[k]++
		if list[j].Index == idx {
			list[j].Instance = counts[k]
			j++
		}
	}
}

// EqualFold reports whether a and b are equal ignoring ASCII case: how field names (RFC 5322
// §2.2, ASCII) and Exchange Online's keyword values (Hosted, Anonymous, …) are compared. Unlike
// strings.EqualFold it never lets a non-ASCII letter such as 'ſ' or the Kelvin sign stand for an
// ASCII one.
func EqualFold(a, b string) bool { return equalFold(a, b) }

// equalFold is EqualFold for a name in bytes too (scanKey), without converting it to a string:
// the conversion copies a name longer than 32 bytes.
func equalFold[T string | []byte](a T, b string) bool {
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
