package tenantgate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxReplyLen is the longest reply ParseReply accepts, in octets: RFC 5321 §4.5.3.1.5 limits a
// reply line to 512 octets including the CRLF.
const MaxReplyLen = 510

// EnhancedCode is an RFC 3463 enhanced status code, class.subject.detail, such as {5, 7, 1} for
// "5.7.1". The zero value means the reply has none. Its type converts to go-smtp's
// smtp.EnhancedCode as it is.
type EnhancedCode [3]int

// IsZero reports whether e is the zero value: no enhanced code.
func (e EnhancedCode) IsZero() bool { return e == EnhancedCode{} }

// String returns "5.7.1", or "" for the zero value.
func (e EnhancedCode) String() string {
	if e.IsZero() {
		return ""
	}
	return strconv.Itoa(e[0]) + "." + strconv.Itoa(e[1]) + "." + strconv.Itoa(e[2])
}

// Reply is an SMTP reply (RFC 5321 §4.2): the three-digit Code, an optional RFC 3463 enhanced
// code and the text, such as "550 5.7.1 Unable to relay". The zero value means no reply.
//
// A gateway hands a Reply to its SMTP server in one line, for example to go-smtp as
// &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.EnhancedCode(r.Enhanced), Message: r.Text}.
// In JSON (and any encoding.TextMarshaler user) a Reply is its String form; "" is the zero Reply.
type Reply struct {
	// Code is the reply code: 2xx success, 4xx temporary failure, 5xx permanent failure.
	Code int
	// Enhanced is the enhanced status code; its class is the first digit of Code. Zero: none.
	Enhanced EnhancedCode
	// Text is the human-readable text after the code(s).
	Text string
}

// IsZero reports whether r is the zero value: no reply.
func (r Reply) IsZero() bool { return r == Reply{} }

// String returns the reply line without CRLF: "550 5.7.1 Unable to relay", "550 Unable to relay"
// without an enhanced code, "" for the zero Reply.
func (r Reply) String() string {
	if r.IsZero() {
		return ""
	}
	s := strconv.Itoa(r.Code)
	if !r.Enhanced.IsZero() {
		s += " " + r.Enhanced.String()
	}
	if r.Text != "" {
		s += " " + r.Text
	}
	return s
}

// MarshalText returns r.String().
func (r Reply) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses a reply as ParseReply does, except that "" is the zero Reply and a 2xx
// success reply is accepted too (results such as classify.RecipientVerdict carry "250 2.1.5
// Recipient OK").
func (r *Reply) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = Reply{}
		return nil
	}
	v, err := parseReply(string(b), true)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ErrReply is the error ParseReply wraps for every malformed reply.
var ErrReply = errors.New("tenantgate: invalid SMTP reply")

// ParseReply parses a configured refusal such as "550 5.7.1 Unable to relay": a reply code 4xx
// (temporary) or 5xx (permanent) whose second digit is 0 to 5 (RFC 5321 §4.2), optionally a
// space and an RFC 3463 enhanced code whose class equals the code's first digit and whose parts
// have no leading zeros (subject and detail at most three digits), optionally a space and text of
// horizontal tabs and printable ASCII (RFC 5321 textstring: no CR, LF or other control
// character), at most MaxReplyLen octets in all. A word after the code made only of digits and
// dots is read as the enhanced code and must be one. For every s it accepts,
// ParseReply(s).String() == s. Errors wrap ErrReply and say what is wrong.
func ParseReply(s string) (Reply, error) {
	return parseReply(s, false)
}

func parseReply(s string, success bool) (Reply, error) {
	fail := func(format string, args ...any) (Reply, error) {
		return Reply{}, fmt.Errorf("%w %q: %s", ErrReply, clip(s), fmt.Sprintf(format, args...))
	}
	if len(s) > MaxReplyLen {
		return fail("%d octets, over the %d of RFC 5321 §4.5.3.1.5", len(s), MaxReplyLen)
	}
	if len(s) < 3 || !digits(s[:3]) {
		return fail("does not start with a three-digit reply code")
	}
	var r Reply
	r.Code, _ = strconv.Atoi(s[:3])
	switch class := s[0]; {
	case class == '4' || class == '5':
	case class == '2' && success:
	case success:
		return fail("reply code %d is not 2xx, 4xx or 5xx", r.Code)
	default:
		return fail("reply code %d is not a refusal (4xx temporary or 5xx permanent)", r.Code)
	}
	if s[1] > '5' {
		return fail("reply code %d: the second digit must be 0 to 5 (RFC 5321 §4.2)", r.Code)
	}
	rest := s[3:]
	if rest == "" {
		return r, nil
	}
	if rest[0] != ' ' {
		return fail("the reply code must be followed by a space")
	}
	rest = rest[1:]
	word, after, more := strings.Cut(rest, " ")
	if word != "" && strings.Trim(word, "0123456789.") == "" && strings.Contains(word, ".") {
		e, err := parseEnhanced(word, int(s[0]-'0'))
		if err != nil {
			return fail("%v", err)
		}
		r.Enhanced = e
		if !more {
			return r, nil
		}
		rest = after
	}
	if rest == "" {
		return fail("a space without text after it")
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c != '\t' && (c < ' ' || c > '~') {
			return fail("text has byte %#02x at offset %d: only tabs and printable ASCII are allowed (no CR, LF or control character)", c, i)
		}
	}
	r.Text = rest
	return r, nil
}

// parseEnhanced parses "5.7.1" (RFC 3463 §2) whose class must be class.
func parseEnhanced(w string, class int) (EnhancedCode, error) {
	parts := strings.Split(w, ".")
	if len(parts) != 3 {
		return EnhancedCode{}, fmt.Errorf("enhanced code %q is not class.subject.detail", w)
	}
	var e EnhancedCode
	for i, p := range parts {
		n := 3 // subject and detail: 1*3digit
		if i == 0 {
			n = 1 // class: "2" / "4" / "5"
		}
		if p == "" || len(p) > n || (len(p) > 1 && p[0] == '0') {
			return EnhancedCode{}, fmt.Errorf("enhanced code %q: part %q must be 1 to %d digits without a leading zero", w, p, n)
		}
		e[i], _ = strconv.Atoi(p)
	}
	if e[0] != class {
		return EnhancedCode{}, fmt.Errorf("enhanced code %q: class %d does not match the reply code's %d (RFC 3463 §2)", w, e[0], class)
	}
	return e, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
