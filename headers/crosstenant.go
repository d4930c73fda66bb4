package headers

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate"
)

// CrossTenantFields holds every occurrence of the X-MS-Exchange-CrossTenant-* family and the
// fields EXO stamps with it (docs/headers.md#crosstenant-fields), each list in block order. EXO appends
// these fields at the bottom of the header block, so the last element of each list belongs to
// the latest pass through Exchange Online (docs/headers.md#passes).
type CrossTenantFields struct {
	ID                      []TenantIDField     `json:"id,omitempty"`
	NetworkMessageID        []Field             `json:"networkMessageId,omitempty"`
	OriginalArrivalTime     []TimeField         `json:"originalArrivalTime,omitempty"`
	ConnectingIP            []ConnectingIPField `json:"originalAttributedTenantConnectingIp,omitempty"`
	AuthSource              []Field             `json:"authSource,omitempty"`
	AuthAs                  []Field             `json:"authAs,omitempty"`
	FromEntityHeader        []Field             `json:"fromEntityHeader,omitempty"`
	MailboxType             []Field             `json:"mailboxType,omitempty"`
	UserPrincipalName       []Field             `json:"userPrincipalName,omitempty"`
	RMSPersistedConsumerOrg []TenantIDField     `json:"rmsPersistedConsumerOrg,omitempty"`
	// Other holds X-MS-Exchange-CrossTenant-* fields with any other name (-Id2, -Ids, …).
	Other []Field `json:"other,omitempty"`
	// Stamped and Stripped are X-MS-Exchange-Transport-CrossTenantHeadersStamped (one per EXO
	// pass) and …Stripped (an earlier pass's CrossTenant fields were removed).
	Stamped  []Field `json:"stamped,omitempty"`
	Stripped []Field `json:"stripped,omitempty"`
	// OriginatorOrg is X-OriginatorOrg; EOPTenant is X-EOPTenantAttributedMessage.
	OriginatorOrg []Field          `json:"originatorOrg,omitempty"`
	EOPTenant     []EOPTenantField `json:"eopTenantAttributed,omitempty"`
}

// TenantIDField is a field whose value is a tenant GUID. Tenant is set only when Valid: the
// unfolded value is a bare canonical 8-4-4-4-12 GUID (tenantgate.ParseTenantID); braces,
// encoded-words, comments and any extra character make it invalid, with a Problem.
type TenantIDField struct {
	Field
	Tenant tenantgate.TenantID `json:"tenant"`
	Valid  bool                `json:"valid"`
}

// TimeField is X-MS-Exchange-CrossTenant-OriginalArrivalTime; Time is zero when the value does
// not parse (with a Problem).
type TimeField struct {
	Field
	Time time.Time `json:"time,omitzero"`
}

// ConnectingIPField is X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp with its
// parsed value.
type ConnectingIPField struct {
	Field
	TenantConnectingIP
}

// EOPTenantField is X-EOPTenantAttributedMessage ("<tenant GUID>:<digit>", docs/headers.md#x-eoptenantattributedmessage).
// Valid says that the text before the first ':' is a tenant GUID, whatever follows; as tenant
// evidence (EvidenceOptions.EOPTenantAttributed) the value must also end there or in ":" and one
// to three digits.
type EOPTenantField struct {
	Field
	Tenant tenantgate.TenantID `json:"tenant"`
	Valid  bool                `json:"valid"`
	// Suffix is the text after the GUID's ':' (observed: "0").
	Suffix string `json:"suffix,omitempty"`
}

// TenantConnectingIP is the value of X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp:
// "TenantId=<guid>;Ip=[<ip>];Helo=[<host>]" (docs/headers.md#originalattributedtenantconnectingip). EXO stamps it when a message
// came in through an on-premises or third-party inbound connector of the tenant.
type TenantConnectingIP struct {
	TenantID tenantgate.TenantID `json:"tenantId"`
	IP       netip.Addr          `json:"ip,omitzero"`
	HELO     string              `json:"helo,omitempty"`
	// Unknown holds other key=value items in order.
	Unknown []Param `json:"unknown,omitempty"`
}

// Param is one key/value item kept as written.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ParseTenantConnectingIP parses an OriginalAttributedTenantConnectingIp value. Items are split
// at ';' (with or without a following space; empty items are skipped), keys are compared
// case-insensitively, brackets around values are optional and order is not relied on. TenantId
// is required; an error names the first item that is wrong, and what parsed is still returned.
func ParseTenantConnectingIP(v string) (TenantConnectingIP, error) {
	var c TenantConnectingIP
	var errs []error
	haveTenant := false
	for item := range strings.SplitSeq(unfold(v), ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, val, ok := strings.Cut(item, "=")
		if !ok {
			errs = append(errs, fmt.Errorf("item %q has no '='", clip(item, 40)))
			continue
		}
		k = strings.TrimSpace(k)
		val = unbracket(strings.TrimSpace(val))
		switch strings.ToLower(k) {
		case "tenantid":
			if haveTenant {
				errs = append(errs, errors.New("TenantId given twice"))
				continue
			}
			id, err := tenantgate.ParseTenantID(val)
			if err != nil {
				errs = append(errs, fmt.Errorf("TenantId: %w", err))
				continue
			}
			c.TenantID, haveTenant = id, true
		case "ip":
			a, err := netip.ParseAddr(val)
			if err != nil || a.Zone() != "" {
				errs = append(errs, fmt.Errorf("ip %q is not an IP address", clip(val, 40)))
				continue
			}
			c.IP = a.Unmap()
		case "helo":
			c.HELO = val
		default:
			c.Unknown = append(c.Unknown, Param{Key: k, Value: val})
		}
	}
	if !haveTenant && len(errs) == 0 {
		errs = append(errs, errors.New("no TenantId"))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("headers: OriginalAttributedTenantConnectingIp: %w", errors.Join(errs...))
	}
	return c, nil
}

func unbracket(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}

// ParseArrivalTime parses X-MS-Exchange-CrossTenant-OriginalArrivalTime,
// "DD Mon YYYY HH:MM:SS.ffff (UTC)" (docs/headers.md#originalarrivaltime): folded or not, a one- or
// two-digit day, 0–7 fractional digits, "(UTC)" optional. The result is in UTC.
func ParseArrivalTime(v string) (time.Time, error) {
	var buf [6]string
	f := buf[:0]
	for w := range wordsSeq(v, false) {
		if len(f) == len(buf) {
			break
		}
		f = append(f, w)
	}
	bad := func(want string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("headers: OriginalArrivalTime %q: want %s", clip(v, 60), want)
	}
	if len(f) == 5 {
		if !strings.EqualFold(f[4], "(UTC)") {
			return bad("\"(UTC)\" after the time")
		}
		f = f[:4]
	}
	if len(f) != 4 {
		return bad("\"DD Mon YYYY HH:MM:SS.ffff (UTC)\"")
	}
	day, ok1 := atoiN(f[0], 1, 2)
	year, ok2 := atoiN(f[2], 4, 4)
	mon := monthOf(f[1])
	if !ok1 || !ok2 || mon == 0 || day < 1 || day > daysIn(mon, year) {
		return bad("a 1–2 digit day, an English month abbreviation and a 4 digit year")
	}
	hms := f[3]
	if len(hms) < 8 || hms[2] != ':' || hms[5] != ':' {
		return bad("HH:MM:SS")
	}
	hh, ok1 := atoiN(hms[0:2], 2, 2)
	mm, ok2 := atoiN(hms[3:5], 2, 2)
	ss, ok3 := atoiN(hms[6:8], 2, 2)
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return bad("HH:MM:SS")
	}
	nsec := 0
	if frac := hms[8:]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 8 || !isDigits(frac[1:]) {
			return bad("1–7 fractional digits")
		}
		for i := 1; i < 10; i++ {
			nsec *= 10
			if i < len(frac) {
				nsec += int(frac[i] - '0')
			}
		}
	}
	return time.Date(year, mon, day, hh, mm, ss, nsec, time.UTC), nil
}

// FormatArrivalTime writes t as EXO does: "02 Jan 2006 15:04:05.0000 (UTC)", in UTC with four
// fractional digits (truncated).
func FormatArrivalTime(t time.Time) string {
	return t.UTC().Format("02 Jan 2006 15:04:05.0000") + " (UTC)"
}

// parseCrossTenant files one X-MS-Exchange-CrossTenant-* field; suffix is the canonical key
// after the prefix ("Id", "Originalarrivaltime", …).
func (m *Message) parseCrossTenant(fd Field, suffix string) {
	ct := &m.CrossTenant
	switch suffix {
	case "Id":
		ct.ID = append(ct.ID, m.tenantIDField(fd, ProblemCrossTenantIDInvalid))
	case "Rms-Persistedconsumerorg":
		ct.RMSPersistedConsumerOrg = append(ct.RMSPersistedConsumerOrg, m.tenantIDField(fd, ProblemRMSPersistedConsumerOrgInvalid))
	case "Network-Message-Id":
		if _, err := tenantgate.ParseTenantID(fd.Value); err != nil {
			m.problem(fd, ProblemNetworkMessageIDInvalid, "not a GUID: "+quoteClip(fd.Value))
		}
		ct.NetworkMessageID = append(ct.NetworkMessageID, fd)
	case "Originalarrivaltime":
		t, err := ParseArrivalTime(fd.Value)
		if err != nil {
			m.problem(fd, ProblemOriginalArrivalTimeInvalid, err.Error())
		}
		ct.OriginalArrivalTime = append(ct.OriginalArrivalTime, TimeField{Field: fd, Time: t})
	case "Originalattributedtenantconnectingip":
		c, err := ParseTenantConnectingIP(fd.Value)
		if err != nil {
			m.problem(fd, ProblemConnectingIPInvalid, err.Error())
		}
		ct.ConnectingIP = append(ct.ConnectingIP, ConnectingIPField{Field: fd, TenantConnectingIP: c})
	case "Authsource":
		ct.AuthSource = append(ct.AuthSource, fd)
	case "Authas":
		ct.AuthAs = append(ct.AuthAs, fd)
	case "Fromentityheader":
		ct.FromEntityHeader = append(ct.FromEntityHeader, fd)
	case "Mailboxtype":
		ct.MailboxType = append(ct.MailboxType, fd)
	case "Userprincipalname":
		ct.UserPrincipalName = append(ct.UserPrincipalName, fd)
	default:
		ct.Other = append(ct.Other, fd)
	}
}

func (m *Message) tenantIDField(fd Field, code string) TenantIDField {
	id, err := tenantValue(fd.Value, false)
	if err != nil {
		m.problem(fd, code, err.Error())
		return TenantIDField{Field: fd}
	}
	return TenantIDField{Field: fd, Tenant: id, Valid: true}
}

func (m *Message) parseEOPTenant(fd Field) {
	e := EOPTenantField{Field: fd}
	g, suffix, _ := strings.Cut(fd.Value, ":")
	id, err := tenantgate.ParseTenantID(g)
	if err != nil {
		m.problem(fd, ProblemEOPTenantAttributedInvalid, err.Error())
	} else {
		e.Tenant, e.Valid = id, true
	}
	e.Suffix = suffix
	m.CrossTenant.EOPTenant = append(m.CrossTenant.EOPTenant, e)
}

// Errors CrossTenantID returns; callers branch on them with errors.Is.
var (
	ErrNoTenantID       = errors.New("headers: no X-MS-Exchange-CrossTenant-Id field")
	ErrInvalidTenantID  = errors.New("headers: an X-MS-Exchange-CrossTenant-Id field is not a tenant GUID")
	ErrConflictTenantID = errors.New("headers: X-MS-Exchange-CrossTenant-Id fields disagree")
)

// CrossTenantID returns the tenant named by X-MS-Exchange-CrossTenant-Id, failing closed: it
// is an error when there is no such field, when any occurrence is not a bare GUID or was written
// with white space before its colon (docs/threat-model.md#threat-10), or when the occurrences
// name different tenants (docs/threat-model.md#rule-2). Upper-case hexadecimal is accepted, as
// ParseTenantID does; it names the same tenant as the lower-case form, so it cannot make
// occurrences disagree. It says what the header claims, not whether the claim can be trusted.
// The rule is ScanEvidence's with the zero EvidenceOptions, without its bound on the number of
// fields.
func (m *Message) CrossTenantID() (tenantgate.TenantID, error) {
	ids := m.CrossTenant.ID
	if len(ids) == 0 {
		return tenantgate.TenantID{}, ErrNoTenantID
	}
	var j tenantJudge
	for _, f := range ids {
		switch j.judge(f.SpaceBeforeColon, f.Tenant, f.Valid) {
		case TenantMalformed:
			return tenantgate.TenantID{}, fmt.Errorf("%w: field %d %q", ErrInvalidTenantID, f.Index, clip(f.Value, 60))
		case TenantObsolete:
			if !f.Valid {
				return tenantgate.TenantID{}, fmt.Errorf("%w: field %d %q", ErrInvalidTenantID, f.Index, clip(f.Value, 60))
			}
			return tenantgate.TenantID{}, fmt.Errorf("%w: field %d has white space before its colon (obsolete syntax)", ErrInvalidTenantID, f.Index)
		case TenantConflict:
			return tenantgate.TenantID{}, fmt.Errorf("%w: %s (field %d) and %s (field %d)", ErrConflictTenantID, ids[0].Tenant, ids[0].Index, f.Tenant, f.Index)
		}
	}
	return j.first, nil
}

// CrossTenant is the CrossTenant set of one pass through Exchange Online, as EXO stamps it
// (docs/headers.md#crosstenant-fields). Message.LatestPass returns it for the latest pass, and Stamp writes it.
// An empty string, a zero time, a zero TenantID or a nil pointer means the field is absent.
type CrossTenant struct {
	OriginatorOrg           string               `json:"originatorOrg,omitempty"`
	OriginalArrivalTime     time.Time            `json:"originalArrivalTime,omitzero"`
	NetworkMessageID        string               `json:"networkMessageId,omitempty"`
	ID                      tenantgate.TenantID  `json:"id"`
	ConnectingIP            *TenantConnectingIP  `json:"originalAttributedTenantConnectingIp,omitempty"`
	AuthSource              string               `json:"authSource,omitempty"`
	AuthAs                  string               `json:"authAs,omitempty"`
	FromEntityHeader        string               `json:"fromEntityHeader,omitempty"`
	MailboxType             string               `json:"mailboxType,omitempty"`
	UserPrincipalName       string               `json:"userPrincipalName,omitempty"`
	RMSPersistedConsumerOrg *tenantgate.TenantID `json:"rmsPersistedConsumerOrg,omitempty"`
	// Stamped is the X-MS-Exchange-Transport-CrossTenantHeadersStamped server name.
	Stamped string `json:"stamped,omitempty"`
}

// LatestPass returns the bottom-most occurrence of each CrossTenant field: the values of the
// latest pass through Exchange Online (docs/headers.md#passes). Fields that did not parse are left
// out (ID zero, times zero, ConnectingIP nil). It does not check that the occurrences agree; use
// CrossTenantID for the tenant.
func (m *Message) LatestPass() CrossTenant {
	ct := m.CrossTenant
	var p CrossTenant
	p.OriginatorOrg = lastValue(ct.OriginatorOrg)
	if n := len(ct.OriginalArrivalTime); n > 0 {
		p.OriginalArrivalTime = ct.OriginalArrivalTime[n-1].Time
	}
	p.NetworkMessageID = lastValue(ct.NetworkMessageID)
	if n := len(ct.ID); n > 0 && ct.ID[n-1].Valid {
		p.ID = ct.ID[n-1].Tenant
	}
	if n := len(ct.ConnectingIP); n > 0 {
		c := ct.ConnectingIP[n-1]
		if _, err := ParseTenantConnectingIP(c.Value); err == nil {
			v := c.TenantConnectingIP
			p.ConnectingIP = &v
		}
	}
	p.AuthSource = lastValue(ct.AuthSource)
	p.AuthAs = lastValue(ct.AuthAs)
	p.FromEntityHeader = lastValue(ct.FromEntityHeader)
	p.MailboxType = lastValue(ct.MailboxType)
	p.UserPrincipalName = lastValue(ct.UserPrincipalName)
	if n := len(ct.RMSPersistedConsumerOrg); n > 0 && ct.RMSPersistedConsumerOrg[n-1].Valid {
		id := ct.RMSPersistedConsumerOrg[n-1].Tenant
		p.RMSPersistedConsumerOrg = &id
	}
	p.Stamped = lastValue(ct.Stamped)
	return p
}

func lastValue(fs []Field) string {
	if len(fs) == 0 {
		return ""
	}
	return fs[len(fs)-1].Value
}
