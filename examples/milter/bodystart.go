package main

import (
	"errors"
	"fmt"
	"mime"

	"github.com/tenantgate/tenantgate/headers"
)

// errFieldInBody is wrapped by the header error the filter reports when the start of the body
// holds a Microsoft trust field: the MTA ended the header before it (README.md, "What Postfix
// passes").
var errFieldInBody = errors.New("milter: header field in the body")

// bodyStart inspects the first paragraph of the body — the lines before its first empty line —
// for a line that looks like a Microsoft trust field or the verdict header ("Name:" or
// "Name WSP:"). Postfix ends the header at the first line that is not a header field (no
// colon, a field name with 8-bit bytes, a line starting with white space at the very top) and
// passes the rest of the header to the milter as the start of the body, without the empty
// line it inserts for the next hop: that rest is exactly this first paragraph. A Microsoft
// trust field there was hidden from the header the policy read, so the message is refused as
// malformed, as headers.Read refuses such a block in the relay.
//
// The rule, to keep normal bodies apart: only a line of the first paragraph counts, only when
// it starts (no leading white space) with a field name of printable ASCII followed by optional
// white space and a colon, and only when that name is a trust field (trustName). The whole
// paragraph is inspected, however long: whoever cut the header also chooses how much follows the
// cut, so any byte bound would let filler lines push a trust field (Exchange Online's own stamp,
// say) out of sight. Inspection streams: memory is at most maxLinePrefix bytes of one line, and
// a body without an empty line (a single base64 part) is read to its end — never kept.
type bodyStart struct {
	verdict string // the verdict header's name
	lines   int    // lines ended so far
	done    bool
	line    []byte // the first maxLinePrefix bytes of the current line
	lineLen int    // bytes of the current line so far
	found   string // the trust field name found, "" for none
	// firstField: the body's first line is a well-formed header field line. Postfix never
	// cuts the header at such a line (it cuts at the first line that is not one), so a body
	// that starts with one is not the rest of a cut header — it is, say, the message a
	// top-level message/rfc822 body carries (Encapsulated).
	firstField bool
}

// maxLinePrefix bounds the bytes of one body line the inspection keeps: RFC 5322 §2.1.1's line
// limit (998) and its CRLF.
const maxLinePrefix = 1000

func newBodyStart(verdict string) bodyStart {
	return bodyStart{verdict: verdict}
}

// Done reports that the first paragraph has been inspected: the rest of the body does not
// matter for the inspection.
func (b *bodyStart) Done() bool { return b.done }

// Err returns the error for a trust field found, nil otherwise.
func (b *bodyStart) Err() error {
	if b.found == "" {
		return nil
	}
	return fmt.Errorf("%w: %q at the start of the body (the MTA ended the header before it)", errFieldInBody, b.found)
}

// Encapsulated reports whether the body starts with a header field line and the header says it
// is a message (a top-level Content-Type message/rfc822 or message/global, RFC 2046 §5.2.1, RFC
// 6532 §3.7): the body's first paragraph is then that message's header, and Microsoft fields in
// it (an Exchange Online message forwarded as such) are not hidden from this one's header. A
// header cut short starts the body with a line that is not a field, so this never excuses one.
// contentTypes gives the values of the header's Content-Type fields; it is called only when the
// body starts with a field line.
func (b *bodyStart) Encapsulated(contentTypes func() []string) bool {
	if !b.firstField {
		return false
	}
	ct := contentTypes()
	if len(ct) != 1 {
		return false
	}
	t, _, err := mime.ParseMediaType(ct[0])
	return err == nil && (t == "message/rfc822" || t == "message/global")
}

// Write inspects the next piece of the body.
func (b *bodyStart) Write(p []byte) {
	for len(p) > 0 && !b.done {
		chunk := p
		end := -1
		for i, c := range chunk {
			if c == '\n' {
				end = i
				break
			}
		}
		if end >= 0 {
			chunk = chunk[:end+1]
		}
		b.lineLen += len(chunk)
		if room := maxLinePrefix - len(b.line); room > 0 {
			b.line = append(b.line, chunk[:min(room, len(chunk))]...)
		}
		p = p[len(chunk):]
		if end >= 0 {
			b.endLine()
		}
	}
}

// Close inspects a last line without a line break.
func (b *bodyStart) Close() {
	if !b.done && b.lineLen > 0 {
		b.endLine()
	}
	b.done = true
}

// endLine decides on the current line: an empty line ends the first paragraph.
func (b *bodyStart) endLine() {
	line := b.line
	truncated := b.lineLen > len(line)
	b.line, b.lineLen = b.line[:0], 0
	b.lines++
	if !truncated {
		for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			b.done = true
			return
		}
	}
	name, ok := fieldName(line, truncated)
	if b.lines == 1 {
		b.firstField = ok && !truncated
	}
	if ok && trustName(name, b.verdict) {
		b.found = name
		b.done = true
	}
}

// fieldName returns the field name a line starts with: printable ASCII other than ':' up to
// optional white space and a colon. A line cut at maxLinePrefix counts when it is all name
// characters so far (fail closed for an overlong name).
func fieldName(line []byte, truncated bool) (string, bool) {
	i := 0
	for i < len(line) && line[i] > ' ' && line[i] < 0x7f && line[i] != ':' {
		i++
	}
	if i == 0 {
		return "", false
	}
	name := string(line[:i])
	if i == len(line) {
		return name, truncated
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return name, i < len(line) && line[i] == ':'
}

// trustPrefixes and trustNames are the Microsoft trust fields the body inspection looks for:
// everything Exchange Online writes under X-MS-Exchange-, its anti-spam reports, its
// attribution fields.
var (
	trustPrefixes = [...]string{"X-MS-Exchange-", "X-Microsoft-Antispam", "X-Forefront-Antispam-Report", "X-EOP"}
	trustNames    = [...]string{"X-OriginatorOrg"}
)

// trustName reports whether name (ASCII) is a Microsoft trust field or the verdict header.
func trustName(name, verdict string) bool {
	for _, p := range trustPrefixes {
		if len(name) >= len(p) && headers.EqualFold(name[:len(p)], p) {
			return true
		}
	}
	for _, n := range trustNames {
		if headers.EqualFold(name, n) {
			return true
		}
	}
	return verdict != "" && headers.EqualFold(name, verdict)
}
