package headers

import (
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
)

// Analysis is everything a person reading a header block wants answered (docs/headers.md#analysis): the
// Message Parse returns, the mailbox delivery fields, the envelope fields Microsoft's Message
// Header Analyzer (MHA) summarizes (Subject, Date, Message-ID, Reply-To, To, Cc) and the verdict
// drawn from every verdict source. Its JSON is what `mailflow headers --format json` prints.
type Analysis struct {
	*Message
	// MailboxDelivery holds every X-Microsoft-Antispam-Mailbox-Delivery field, in block order.
	MailboxDelivery []MailboxDelivery `json:"mailboxDelivery,omitempty"`
	// MicrosoftAntispamUntrusted holds every X-Microsoft-Antispam-Untrusted field (an earlier
	// pass's X-Microsoft-Antispam that a later pass demoted, docs/headers.md#passes).
	MicrosoftAntispamUntrusted []MicrosoftAntispam `json:"microsoftAntispamUntrusted,omitempty"`
	// Others holds every field neither Parse nor Analyze reads (DKIM-Signature, List-Id,
	// X-MS-Exchange-Transport-EndToEndLatency…), in block order, as MHA's "Other headers".
	Others   []Field  `json:"others,omitempty"`
	Envelope Envelope `json:"envelope"`
	Verdict  Verdict  `json:"verdict"`
}

// Envelope holds the author and recipient fields of RFC 5322 §3.6 as the summary shows them.
// Names and Subject are RFC 2047-decoded; a word that could not be decoded stays as written and
// Message.Problems says so.
type Envelope struct {
	Subject string `json:"subject,omitempty"`
	// SubjectRaw is the Subject as written, set only when decoding changed it.
	SubjectRaw string `json:"subjectRaw,omitempty"`
	// Date is the Date field (zero when absent or unparsable; DateText holds what was written).
	Date     time.Time `json:"date,omitzero"`
	DateText string    `json:"dateText,omitempty"`
	// Delivered is the date of the newest dated Received field; DeliveryTime is Delivered minus
	// Date, as MHA's "Delivered after" (negative means the clocks disagree), valid when
	// HasDeliveryTime.
	Delivered       time.Time     `json:"delivered,omitzero"`
	DeliveryTime    time.Duration `json:"deliveryTime,omitempty"`
	HasDeliveryTime bool          `json:"hasDeliveryTime,omitempty"`
	// MessageID is the Message-ID value as written (trimmed); MessageIDValid says it is one
	// RFC 5322 §3.6.4 msg-id.
	MessageID      string `json:"messageId,omitempty"`
	MessageIDValid bool   `json:"messageIdValid,omitempty"`
	// ReplyTo, To and Cc are the mailboxes of every such field; the *Fields counts say how many
	// fields there were, so that "no To" and "a To that did not parse" differ.
	ReplyTo       []Mailbox `json:"replyTo,omitempty"`
	To            []Mailbox `json:"to,omitempty"`
	Cc            []Mailbox `json:"cc,omitempty"`
	ReplyToFields int       `json:"replyToFields,omitempty"`
	ToFields      int       `json:"toFields,omitempty"`
	CcFields      int       `json:"ccFields,omitempty"`
	// ArchivedAt is the Archived-At field (RFC 5064), a URL of the archived message.
	ArchivedAt string `json:"archivedAt,omitempty"`
	// ReplyToDiffers is set when a Reply-To mailbox is not the From mailbox (case-insensitive),
	// the classic sign of a reply-redirecting phish.
	ReplyToDiffers bool `json:"replyToDiffers,omitempty"`
}

// Analyze parses a header block with Parse and adds what the summary of `mailflow headers`
// needs: the mailbox delivery fields, the envelope fields and the verdict. Its problems (an
// address field, Message-ID or Date that does not parse, an undecodable encoded-word, conflicting
// tenant IDs) are appended to Message.Problems. Like Parse it never fails.
func Analyze(h textproto.Header) *Analysis {
	a := &Analysis{Message: Parse(h)}
	m := a.Message
	e := &a.Envelope
	idx := 0
	for f := h.Fields(); f.Next(); idx++ {
		key := f.Key()
		switch key {
		case "X-Microsoft-Antispam-Mailbox-Delivery", "X-Microsoft-Antispam-Untrusted", "Subject", "Date",
			"Message-Id", "Reply-To", "To", "Cc", "Archived-At":
		default:
			if !parsedKey(key) {
				a.Others = append(a.Others, fieldOf(f, idx))
			}
			continue
		}
		fd := fieldOf(f, idx)
		switch key {
		case "X-Microsoft-Antispam-Mailbox-Delivery":
			r, err := ParseMailboxDelivery(fd.Value)
			r.Field = fd
			if err != nil {
				m.problem(fd, ProblemMailboxDeliveryInvalid, err.Error())
			}
			a.MailboxDelivery = append(a.MailboxDelivery, r)
		case "X-Microsoft-Antispam-Untrusted":
			r, err := ParseMicrosoftAntispam(fd.Value)
			r.Field = fd
			if err != nil {
				m.problem(fd, ProblemMicrosoftAntispamInvalid, err.Error())
			}
			a.MicrosoftAntispamUntrusted = append(a.MicrosoftAntispamUntrusted, r)
		case "Subject":
			text, bad := DecodeText(fd.Value)
			e.Subject = text
			if text != fd.Value {
				e.SubjectRaw = fd.Value
			}
			m.undecodable(fd, bad)
		case "Date":
			e.DateText = fd.Value
			if d, ok := parseDate(fd.Value); ok {
				e.Date = d
			} else {
				m.problem(fd, ProblemDateInvalid, "not an RFC 5322 date-time: "+quoteWhole(fd.Value))
			}
		case "Message-Id":
			e.MessageID = fd.Value
			if validMsgID(fd.Value) {
				e.MessageIDValid = true
			} else {
				m.problem(fd, ProblemMessageIDInvalid, "not one <left@right> msg-id (RFC 5322 §3.6.4): "+quoteWhole(fd.Value))
			}
		case "Archived-At":
			e.ArchivedAt = fd.Value
		case "Reply-To":
			e.ReplyToFields++
			e.ReplyTo = append(e.ReplyTo, m.addressField(fd, ProblemReplyToInvalid)...)
		case "To":
			e.ToFields++
			e.To = append(e.To, m.addressField(fd, ProblemToInvalid)...)
		case "Cc":
			e.CcFields++
			e.Cc = append(e.Cc, m.addressField(fd, ProblemCcInvalid)...)
		}
	}
	if from, ok := m.FromMailbox(); ok {
		for _, r := range e.ReplyTo {
			if !strings.EqualFold(r.Address, from.Address) {
				e.ReplyToDiffers = true
			}
		}
	}
	for i := len(m.Hops.List) - 1; i >= 0; i-- {
		if d := m.Hops.List[i].Date; !d.IsZero() {
			e.Delivered = d
			break
		}
	}
	if !e.Date.IsZero() && !e.Delivered.IsZero() {
		e.DeliveryTime, e.HasDeliveryTime = e.Delivered.Sub(e.Date), true
	}
	if _, err := m.CrossTenantID(); errors.Is(err, ErrConflictTenantID) {
		ids := m.CrossTenant.ID
		m.problem(ids[len(ids)-1].Field, ProblemCrossTenantIDConflict, strings.TrimPrefix(err.Error(), "headers: "))
	}
	a.recoverFolding()
	a.Verdict = a.judge()
	return a
}

// addressField parses one address-list field, filing code when it does not parse and a problem
// for every undecodable word.
func (m *Message) addressField(fd Field, code string) []Mailbox {
	if strings.TrimSpace(fd.Value) == "" {
		m.problem(fd, code, "empty address list")
		return nil
	}
	list, bad, err := parseAddressList(fd.Value)
	if err != nil {
		m.problem(fd, code, "address list: "+err.Error()+" in "+quoteWhole(fd.Value))
	}
	m.undecodable(fd, bad)
	return list
}

// validMsgID reports whether v is one msg-id of RFC 5322 §3.6.4, "<" id-left "@" id-right ">",
// with no white space, one '@' and both sides non-empty. Comments or white space around the
// brackets are allowed (CFWS).
func validMsgID(v string) bool {
	v = strings.TrimSpace(v)
	for strings.HasPrefix(v, "(") { // a leading comment
		end := strings.IndexByte(v, ')')
		if end < 0 {
			return false
		}
		v = strings.TrimSpace(v[end+1:])
	}
	if i := strings.LastIndexByte(v, '>'); i >= 0 && i+1 < len(v) && strings.HasPrefix(strings.TrimSpace(v[i+1:]), "(") {
		v = v[:i+1]
	}
	if len(v) < 5 || v[0] != '<' || v[len(v)-1] != '>' {
		return false
	}
	in := v[1 : len(v)-1]
	if strings.ContainsAny(in, " \t\r\n<>") {
		return false
	}
	left, right, ok := strings.Cut(in, "@")
	return ok && left != "" && right != "" && !strings.Contains(right, "@")
}

// parsedKey reports whether Parse files a field with this canonical key in Message.
func parsedKey(key string) bool {
	switch {
	case strings.HasPrefix(key, keyCrossTenantPrefix), strings.HasPrefix(key, keyOrganizationPrefix),
		strings.HasPrefix(key, keyCrossPremisesPrefix):
		return true
	}
	switch key {
	case keyStamped, keyStripped, keyOriginatorOrg, keyEOPTenant, keyFFAS, keyFFASUntrusted, keyMSAntispam,
		keyAuthResults, keyMSAuthResults, keyARCAuthResults, keyOrigAuthResults, keyReceived, keyFrom:
		return true
	}
	return false
}
