package headers

import (
	"bytes"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
)

// Field is one header field as it appeared in the block.
type Field struct {
	// Index is the field's position in the header block, 0 for the top-most field.
	Index int `json:"index"`
	// Name is the field name as written (case kept, white space before the colon removed).
	Name string `json:"name"`
	// Value is the unfolded, trimmed value, not RFC 2047-decoded.
	Value string `json:"value"`
	// SpaceBeforeColon is set when white space stood between the name and the colon
	// ("X-MS-Exchange-CrossTenant-Id : …"), the obsolete syntax of RFC 5322 §4.5.8.
	SpaceBeforeColon bool `json:"spaceBeforeColon,omitempty"`
}

// Problem is one thing in the header block that could not be read as its grammar says
// (docs/headers.md#crosstenant-fields). A field with a problem still appears in Message with what could be
// read; callers that decide trust must treat it as unusable evidence.
type Problem struct {
	// Field is the field name as written, Index its position in the block.
	Field string `json:"field"`
	Index int    `json:"index"`
	// Reason has a stable dotted Code (ProblemCrossTenantIDInvalid) and a Detail.
	Reason tenantgate.Reason `json:"reason"`
}

// Message is every Exchange Online value of one header block, in block order, with every
// occurrence of every field kept. Parse fills it; the zero value is an empty block.
type Message struct {
	// Fields is the number of fields in the block.
	Fields int `json:"fields"`
	// CrossTenant holds the X-MS-Exchange-CrossTenant-* family, the transport stamps,
	// X-OriginatorOrg and X-EOPTenantAttributedMessage.
	CrossTenant CrossTenantFields `json:"crossTenant"`
	// Organization holds every X-MS-Exchange-Organization-* field and CrossPremises every
	// X-MS-Exchange-CrossPremises-* field (the header-firewall headers of
	// docs/exchange-online.md#header-firewall), in block order.
	Organization  []Field `json:"organization,omitempty"`
	CrossPremises []Field `json:"crossPremises,omitempty"`
	// Antispam holds every X-Forefront-Antispam-Report and X-Forefront-Antispam-Report-Untrusted
	// field; MicrosoftAntispam every X-Microsoft-Antispam field.
	Antispam          []AntispamReport    `json:"antispam,omitempty"`
	MicrosoftAntispam []MicrosoftAntispam `json:"microsoftAntispam,omitempty"`
	// AuthResults holds Authentication-Results, X-MS-Exchange-Authentication-Results,
	// ARC-Authentication-Results and Original-Authentication-Results, in block order.
	AuthResults []AuthResults `json:"authResults,omitempty"`
	// Received is the trace, top-most (newest) first; Hops the same hops oldest first with
	// delays (docs/headers.md#hop-delays).
	Received []Received `json:"received,omitempty"`
	Hops     Hops       `json:"hops"`
	// From holds every From field with its mailboxes.
	From []FromField `json:"from,omitempty"`
	// Problems lists what could not be read, in block order.
	Problems []Problem `json:"problems,omitempty"`
}

// Canonical keys (textproto.CanonicalMIMEHeaderKey) of the fields Parse dispatches on.
const (
	keyCrossTenantPrefix   = "X-Ms-Exchange-Crosstenant-"
	keyOrganizationPrefix  = "X-Ms-Exchange-Organization-"
	keyCrossPremisesPrefix = "X-Ms-Exchange-Crosspremises-"
	keyStamped             = "X-Ms-Exchange-Transport-Crosstenantheadersstamped"
	keyStripped            = "X-Ms-Exchange-Transport-Crosstenantheadersstripped"
	keyOriginatorOrg       = "X-Originatororg"
	keyEOPTenant           = "X-Eoptenantattributedmessage"
	keyFFAS                = "X-Forefront-Antispam-Report"
	keyFFASUntrusted       = "X-Forefront-Antispam-Report-Untrusted"
	keyMSAntispam          = "X-Microsoft-Antispam"
	keyAuthResults         = "Authentication-Results"
	keyMSAuthResults       = "X-Ms-Exchange-Authentication-Results"
	keyARCAuthResults      = "Arc-Authentication-Results"
	keyOrigAuthResults     = "Original-Authentication-Results"
	keyReceived            = "Received"
	keyFrom                = "From"
)

// Parse reads every Exchange Online value from a header block (see Read). It never fails:
// what it cannot read is in Message.Problems, and the field still appears with its raw value.
// Names are compared case-insensitively and exactly: X-MS-Exchange-CrossTenant-Id2 is not
// X-MS-Exchange-CrossTenant-Id.
func Parse(h textproto.Header) *Message {
	m := &Message{}
	// Count first, so that each list is allocated once at its size.
	var nRecv, nAuth, nOrg int
	for f := h.Fields(); f.Next(); {
		switch key := f.Key(); {
		case key == keyReceived:
			nRecv++
		case key == keyAuthResults, key == keyMSAuthResults, key == keyARCAuthResults, key == keyOrigAuthResults:
			nAuth++
		case strings.HasPrefix(key, keyOrganizationPrefix):
			nOrg++
		}
	}
	if nRecv > 0 {
		m.Received = make([]Received, 0, nRecv)
	}
	if nAuth > 0 {
		m.AuthResults = make([]AuthResults, 0, nAuth)
	}
	if nOrg > 0 {
		m.Organization = make([]Field, 0, nOrg)
	}
	// Token buffers for the Received and Authentication-Results lexers, reused field after
	// field; on the stack unless a value needs more.
	var rbuf [48]rtoken
	var abuf [48]artoken
	rtoks, atoks := rbuf[:0], abuf[:0]
	idx := 0
	for f := h.Fields(); f.Next(); idx++ {
		key := f.Key()
		if !interesting(key) {
			continue
		}
		fd := fieldOf(f, idx)
		if fd.SpaceBeforeColon {
			m.problem(fd, ProblemNameSpaceBeforeColon, "white space between the field name and ':' (obsolete syntax, RFC 5322 §4.5)")
		}
		switch {
		case strings.HasPrefix(key, keyCrossTenantPrefix):
			m.parseCrossTenant(fd, key[len(keyCrossTenantPrefix):])
		case strings.HasPrefix(key, keyOrganizationPrefix):
			m.Organization = append(m.Organization, fd)
		case strings.HasPrefix(key, keyCrossPremisesPrefix):
			m.CrossPremises = append(m.CrossPremises, fd)
		case key == keyStamped:
			m.CrossTenant.Stamped = append(m.CrossTenant.Stamped, fd)
		case key == keyStripped:
			m.CrossTenant.Stripped = append(m.CrossTenant.Stripped, fd)
		case key == keyOriginatorOrg:
			m.CrossTenant.OriginatorOrg = append(m.CrossTenant.OriginatorOrg, fd)
		case key == keyEOPTenant:
			m.parseEOPTenant(fd)
		case key == keyFFAS, key == keyFFASUntrusted:
			r, err := ParseAntispamReport(fd.Value)
			r.Field = fd
			r.Untrusted = key == keyFFASUntrusted
			if err != nil {
				m.problem(fd, ProblemAntispamReportInvalid, err.Error())
			}
			m.Antispam = append(m.Antispam, r)
		case key == keyMSAntispam:
			r, err := ParseMicrosoftAntispam(fd.Value)
			r.Field = fd
			if err != nil {
				m.problem(fd, ProblemMicrosoftAntispamInvalid, err.Error())
			}
			m.MicrosoftAntispam = append(m.MicrosoftAntispam, r)
		case key == keyAuthResults, key == keyMSAuthResults, key == keyARCAuthResults, key == keyOrigAuthResults:
			// Parsed in place, as Received is.
			m.AuthResults = append(m.AuthResults, AuthResults{})
			r := &m.AuthResults[len(m.AuthResults)-1]
			toks, err := parseAuthResultsInto(r, fd.Value, atoks)
			atoks = toks
			r.Field = fd
			if err != nil {
				m.problem(fd, ProblemAuthResultsInvalid, err.Error())
			}
		case key == keyReceived:
			// Parsed in place, in the list's room (counted above).
			m.Received = append(m.Received, Received{})
			r := &m.Received[len(m.Received)-1]
			toks, err := parseReceivedInto(r, fd.Value, rtoks)
			rtoks = toks
			r.Index = idx
			if err != nil {
				m.problem(fd, ProblemReceivedInvalid, err.Error())
			} else if r.Date.IsZero() {
				m.problem(fd, ProblemReceivedNoDate, "no parsable date in "+quoteWhole(r.DateText))
			}
		case key == keyFrom:
			m.parseFrom(fd)
		}
	}
	m.Fields = idx
	m.Hops = ComputeHops(m.Received)
	return m
}

// interesting reports whether Parse reads a field with this canonical key; it is the fast
// path that keeps Parse near the cost of reading the block.
func interesting(key string) bool {
	if len(key) < 4 {
		return false
	}
	switch key[0] {
	case 'X':
		return strings.HasPrefix(key, "X-Ms-Exchange-") || key == keyOriginatorOrg || key == keyEOPTenant ||
			key == keyFFAS || key == keyFFASUntrusted || key == keyMSAntispam
	case 'A':
		return key == keyAuthResults || key == keyARCAuthResults
	case 'O':
		return key == keyOrigAuthResults
	case 'R':
		return key == keyReceived
	case 'F':
		return key == keyFrom
	}
	return false
}

// fieldOf builds a Field from the current field of the iterator, recovering the name as written
// from the raw bytes.
func fieldOf(f textproto.HeaderFields, idx int) Field {
	fd := Field{Index: idx, Name: f.Key(), Value: f.Value()}
	raw, err := f.Raw()
	if err != nil {
		return fd
	}
	// The common case: the name is as long as the key and the colon follows it at once. The
	// first colon ends the name and the key is the trimmed name with its case changed, so a
	// colon right after the key's length is that colon, with no white space around the name.
	if k := len(fd.Name); k < len(raw) && raw[k] == ':' {
		if string(raw[:k]) != fd.Name { // no allocation when the spelling is canonical
			fd.Name = spelling(raw[:k])
		}
		return fd
	}
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		return fd
	}
	name := raw[:colon]
	trimmed := bytes.TrimRight(name, " \t")
	fd.SpaceBeforeColon = len(trimmed) != len(name)
	if string(trimmed) != fd.Name { // no allocation when the spelling is canonical
		fd.Name = spelling(trimmed)
	}
	return fd
}

func (m *Message) problem(f Field, code, detail string) {
	m.Problems = append(m.Problems, Problem{Field: f.Name, Index: f.Index, Reason: tenantgate.Reason{Code: code, Detail: detail}})
}

// Named returns every field of the Organization and CrossPremises lists, and of
// CrossTenant.Other, whose name equals name case-insensitively, in block order. It is for the
// headers Message does not give a typed place, such as X-MS-Exchange-Organization-AuthAs.
func (m *Message) Named(name string) []Field {
	var out []Field
	for _, list := range [][]Field{m.Organization, m.CrossPremises, m.CrossTenant.Other} {
		for _, f := range list {
			if strings.EqualFold(f.Name, name) {
				out = append(out, f)
			}
		}
	}
	return out
}

// LastValue returns the value of the bottom-most field among those Named returns, and whether
// there was one.
func (m *Message) LastValue(name string) (string, bool) {
	fs := m.Named(name)
	if len(fs) == 0 {
		return "", false
	}
	return fs[len(fs)-1].Value, true
}

func quoteClip(s string) string {
	return "\"" + clip(s, 60) + "\""
}

// spelling returns name as a string, without allocating for the spellings Exchange Online uses
// (docs/headers.md#crosstenant-fields: both the documented and the lower-case suffixes).
func spelling(name []byte) string {
	switch string(name) {
	case "X-MS-Exchange-CrossTenant-Id":
		return "X-MS-Exchange-CrossTenant-Id"
	case "X-MS-Exchange-CrossTenant-id":
		return "X-MS-Exchange-CrossTenant-id"
	case "X-MS-Exchange-CrossTenant-Network-Message-Id":
		return "X-MS-Exchange-CrossTenant-Network-Message-Id"
	case "X-MS-Exchange-CrossTenant-OriginalArrivalTime":
		return "X-MS-Exchange-CrossTenant-OriginalArrivalTime"
	case "X-MS-Exchange-CrossTenant-originalarrivaltime":
		return "X-MS-Exchange-CrossTenant-originalarrivaltime"
	case "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp":
		return "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"
	case "X-MS-Exchange-CrossTenant-AuthSource":
		return "X-MS-Exchange-CrossTenant-AuthSource"
	case "X-MS-Exchange-CrossTenant-AuthAs":
		return "X-MS-Exchange-CrossTenant-AuthAs"
	case "X-MS-Exchange-CrossTenant-FromEntityHeader":
		return "X-MS-Exchange-CrossTenant-FromEntityHeader"
	case "X-MS-Exchange-CrossTenant-fromentityheader":
		return "X-MS-Exchange-CrossTenant-fromentityheader"
	case "X-MS-Exchange-CrossTenant-MailboxType":
		return "X-MS-Exchange-CrossTenant-MailboxType"
	case "X-MS-Exchange-CrossTenant-mailboxtype":
		return "X-MS-Exchange-CrossTenant-mailboxtype"
	case "X-MS-Exchange-CrossTenant-UserPrincipalName":
		return "X-MS-Exchange-CrossTenant-UserPrincipalName"
	case "X-MS-Exchange-CrossTenant-userprincipalname":
		return "X-MS-Exchange-CrossTenant-userprincipalname"
	case "X-MS-Exchange-CrossTenant-RMS-PersistedConsumerOrg":
		return "X-MS-Exchange-CrossTenant-RMS-PersistedConsumerOrg"
	case "X-MS-Exchange-CrossTenant-rms-persistedconsumerorg":
		return "X-MS-Exchange-CrossTenant-rms-persistedconsumerorg"
	case "X-MS-Exchange-Transport-CrossTenantHeadersStamped":
		return "X-MS-Exchange-Transport-CrossTenantHeadersStamped"
	case "X-MS-Exchange-Transport-CrossTenantHeadersStripped":
		return "X-MS-Exchange-Transport-CrossTenantHeadersStripped"
	case "X-MS-Exchange-Authentication-Results":
		return "X-MS-Exchange-Authentication-Results"
	case "X-OriginatorOrg":
		return "X-OriginatorOrg"
	case "X-EOPTenantAttributedMessage":
		return "X-EOPTenantAttributedMessage"
	case "ARC-Authentication-Results":
		return "ARC-Authentication-Results"
	case "X-MS-Exchange-Organization-AuthAs":
		return "X-MS-Exchange-Organization-AuthAs"
	case "X-MS-Exchange-Organization-AuthSource":
		return "X-MS-Exchange-Organization-AuthSource"
	case "X-MS-Exchange-Organization-MessageDirectionality":
		return "X-MS-Exchange-Organization-MessageDirectionality"
	case "X-MS-Exchange-Organization-SCL":
		return "X-MS-Exchange-Organization-SCL"
	case "X-MS-Exchange-Organization-Network-Message-Id":
		return "X-MS-Exchange-Organization-Network-Message-Id"
	// Exchange Online fields Parse files nowhere but checks for the obsolete syntax.
	case "X-MS-Exchange-SenderADCheck":
		return "X-MS-Exchange-SenderADCheck"
	case "X-MS-Exchange-AntiSpam-Relay":
		return "X-MS-Exchange-AntiSpam-Relay"
	case "X-MS-Exchange-AntiSpam-MessageData-ChunkCount":
		return "X-MS-Exchange-AntiSpam-MessageData-ChunkCount"
	case "X-MS-Exchange-AntiSpam-MessageData-0":
		return "X-MS-Exchange-AntiSpam-MessageData-0"
	case "X-MS-Exchange-AntiSpam-ExternalHop-MessageData-ChunkCount":
		return "X-MS-Exchange-AntiSpam-ExternalHop-MessageData-ChunkCount"
	case "X-MS-Exchange-AntiSpam-ExternalHop-MessageData-0":
		return "X-MS-Exchange-AntiSpam-ExternalHop-MessageData-0"
	}
	return string(name)
}
