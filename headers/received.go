package headers

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Received is one Received trace field, parsed tolerantly (RFC 5321 §4.4 and the forms real mail
// uses; docs/headers.md#received).
type Received struct {
	// Index is the field's position in the header block, 0 for the top-most field. ParseReceived
	// leaves it 0; Parse sets it.
	Index int `json:"index"`
	// Raw is the unfolded value.
	Raw string `json:"raw"`
	// From is the name the sender gave (HELO/EHLO) in the from clause.
	From string `json:"from,omitempty"`
	// FromReverse is the reverse DNS name the receiving host recorded in the from clause comment.
	// Postfix's "unknown" (no reverse DNS) is left empty.
	FromReverse string `json:"fromReverse,omitempty"`
	// FromIP is the sending host's address recorded in the from clause (zero if none). An address
	// in a comment ("(host [192.0.2.1])", Exchange's "(2603:10b6::39)") wins over an address
	// literal given as the HELO name; IPv4-mapped IPv6 addresses are unmapped.
	FromIP netip.Addr `json:"fromIP,omitzero"`
	// By is the receiving host, With the protocol (ESMTPS, …), ID the receiver's queue id, For the
	// recipient the hop recorded.
	By   string `json:"by,omitempty"`
	With string `json:"with,omitempty"`
	ID   string `json:"id,omitempty"`
	For  string `json:"for,omitempty"`
	// ByIP is the receiving host's address when the by clause records one
	// ("by host.example (10.152.26.153)"); zero if none.
	ByIP netip.Addr `json:"byIP,omitzero"`
	// Via is the via clause (Exchange: "Frontend Transport", a server name).
	Via string `json:"via,omitempty"`
	// TLS holds TLS details recorded in the field (version=TLS1_2 cipher=…), if any.
	TLS string `json:"tls,omitempty"`
	// Date is the time stamp after the last ';' (zero if absent or unparsable).
	Date time.Time `json:"date,omitzero"`
	// DateText is the text the date was read from (after the last ';', or found by the SendGrid
	// fallback of docs/headers.md#received), empty when there is none.
	DateText string `json:"dateText,omitempty"`
}

// ErrReceived is wrapped by every error ParseReceived returns.
var ErrReceived = errors.New("headers: invalid Received field")

// rtoken is one lexical unit of a Received value: a word, a comment (without its outer
// parentheses) or the ';' separator.
type rtoken struct {
	text    string
	comment bool
	semi    bool
	start   int // byte offset in the unfolded value
}

// ParseReceived parses one Received field value (folded or not). It is tolerant in the ways
// Microsoft's Message Header Analyzer is (docs/headers.md#received): clause keywords (from, by, via,
// with, id, for) are found case-insensitively outside comments and the first occurrence of each
// wins; the date is the text after the last ';' outside comments, or, when there is none, the
// text from the first weekday name or yyyy-mm-dd date (the SendGrid fix). It returns an error
// only for a value that is empty or holds neither a clause nor a date; the Received it returns
// then still carries Raw.
func ParseReceived(value string) (Received, error) {
	var r Received
	_, err := parseReceivedInto(&r, value, nil)
	return r, err
}

// parseReceivedInto is ParseReceived into *r, which must be zero, with a token buffer to reuse;
// it returns the buffer. Parse reads into the Received list in place: no copy of the struct.
func parseReceivedInto(r *Received, value string, buf []rtoken) ([]rtoken, error) {
	v := unfold(value)
	r.Raw = v
	if v == "" {
		return buf, fmt.Errorf("%w: empty value", ErrReceived)
	}
	toks := lexReceived(v, buf[:0])

	// The date: after the last top-level ';'.
	body := toks
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i].semi {
			body = toks[:i]
			r.DateText = strings.TrimSpace(v[toks[i].start+1:])
			break
		}
	}
	if r.DateText == "" && len(body) == len(toks) {
		// No ';' at all: MHA inserts one before the first weekday name or dashed date.
		for i, t := range toks {
			if !t.comment && looksLikeDateStart(t.text) {
				body = toks[:i]
				r.DateText = strings.TrimSpace(v[t.start:])
				break
			}
		}
	}
	if r.DateText != "" {
		if d, ok := parseDate(r.DateText); ok {
			r.Date = d
		}
	}

	clauses := 0
	var seen uint8 // one bit per keyword
	for i := 0; i < len(body); {
		t := body[i]
		kw := ""
		if !t.comment && !t.semi {
			kw = keyword(t.text)
		}
		if kw == "" {
			i++
			continue
		}
		j := i + 1
		for j < len(body) && (body[j].comment || body[j].semi || len(body[j].text) < 2 || len(body[j].text) > 4 || keyword(body[j].text) == "") {
			j++
		}
		if bit := keywordBit(kw); seen&bit == 0 && hasWord(body[i+1:j]) {
			seen |= bit
			if r.setClause(v, kw, body[i+1:j]) {
				clauses++
			}
		}
		i = j
	}
	for _, t := range body {
		if t.comment && r.TLS == "" && isTLSComment(t.text) {
			r.TLS = t.text
			if strings.Contains(r.TLS, "  ") || strings.IndexByte(r.TLS, '\t') >= 0 || hasLineBreak(r.TLS) {
				r.TLS = collapseSpace(r.TLS)
			}
		}
	}
	if clauses == 0 && r.Date.IsZero() {
		return toks, fmt.Errorf("%w: no from/by/with/id/for clause and no date in %q", ErrReceived, clip(v, 80))
	}
	return toks, nil
}

// hasWord reports whether a clause holds a word: a bare keyword ("from;") is no clause.
func hasWord(toks []rtoken) bool {
	for _, t := range toks {
		if !t.comment && !t.semi {
			return true
		}
	}
	return false
}

// keyword returns the clause keyword w spells, in lower case and compared case-insensitively,
// or "" when w is no keyword. It does not allocate.
func keyword(w string) string {
	if len(w) < 2 || len(w) > 4 {
		return ""
	}
	// The keywords are ASCII without 'k' or 's', so for words of their length strings.EqualFold
	// is the ASCII fold.
	switch w[0] | 0x20 {
	case 'f':
		if EqualFold(w, "from") {
			return "from"
		}
		if EqualFold(w, "for") {
			return "for"
		}
	case 'b':
		if EqualFold(w, "by") {
			return "by"
		}
	case 'v':
		if EqualFold(w, "via") {
			return "via"
		}
	case 'w':
		if EqualFold(w, "with") {
			return "with"
		}
	case 'i':
		if EqualFold(w, "id") {
			return "id"
		}
	}
	return ""
}

// keywordBit returns a distinct bit for each Received clause keyword (lower case), 0 for any
// other word.
func keywordBit(s string) uint8 {
	switch s {
	case "from":
		return 1
	case "by":
		return 2
	case "via":
		return 4
	case "with":
		return 8
	case "id":
		return 16
	case "for":
		return 32
	}
	return 0
}

// setClause fills the field for keyword kw from the clause's tokens; v is the unfolded value
// the tokens point into. It reports whether the field got a value ("for <>" gets none).
func (r *Received) setClause(v, kw string, toks []rtoken) bool {
	first := ""
	for _, t := range toks {
		if !t.comment && !t.semi {
			first = t.text
			break
		}
	}
	switch kw {
	case "from":
		r.From = first
		for _, t := range toks {
			if !t.comment {
				continue
			}
			if !r.FromIP.IsValid() {
				r.FromIP = commentAddr(t.text)
			}
			if r.FromReverse == "" {
				r.FromReverse = commentHost(t.text)
			}
		}
		if !r.FromIP.IsValid() {
			r.FromIP = literalAddr(first)
		}
	case "by":
		r.By = first
		for _, t := range toks {
			if t.comment && !r.ByIP.IsValid() {
				r.ByIP = commentAddr(t.text)
			}
		}
	case "with":
		r.With = clauseWords(v, toks)
	case "id":
		r.ID = first
	case "via":
		r.Via = clauseWords(v, toks)
	case "for":
		r.For = strings.TrimSuffix(strings.TrimPrefix(first, "<"), ">")
		return r.For != ""
	}
	return true
}

// clauseWords returns the clause's words without its comments, joined by one space. When no
// comment sits between the words it is a substring of v (textproto has already collapsed the
// folding white space), which costs no allocation.
func clauseWords(v string, toks []rtoken) string {
	firstW, lastW := -1, -1
	commentBetween := false
	for i, t := range toks {
		if t.comment || t.semi {
			if firstW >= 0 {
				commentBetween = true
			}
			continue
		}
		if firstW < 0 {
			firstW = i
		} else if commentBetween {
			return joinWords(toks)
		}
		lastW = i
	}
	if firstW < 0 {
		return ""
	}
	sub := v[toks[firstW].start : toks[lastW].start+len(toks[lastW].text)]
	if strings.Contains(sub, "  ") || strings.ContainsAny(sub, "\t") {
		return joinWords(toks)
	}
	return sub
}

func joinWords(toks []rtoken) string {
	var b strings.Builder
	for _, t := range toks {
		if t.comment || t.semi {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// receivedWordEnd is the set of bytes that end a word of a Received value (isByteIn): white
// space, '(' and ';'.
const receivedWordEnd = 1<<' ' | 1<<'\t' | 1<<'(' | 1<<';'

// isByteIn reports whether c is in set, a bit set of bytes below 64 (bit c for byte c), without
// a comparison per member and without branches: (c-64)>>63 is 1 exactly for c below 64, and the
// mix of letters (64 and up) and digits and punctuation (below 64) in header values makes a
// branch on it a poor guess.
func isByteIn(c byte, set uint64) bool {
	return set>>(c&63)&((uint64(c)-64)>>63) != 0
}

// commentEnd returns the index of the ')' that closes the comment starting with the '(' at v[i],
// or len(v) when the comment is not closed: comments nest, and a backslash quotes the byte after
// it (RFC 5322 §3.2.2). A comment without nesting or quoting, the usual one, is found with
// three byte searches.
func commentEnd(v string, i int) int {
	if k := strings.IndexByte(v[i+1:], ')'); k >= 0 {
		if in := v[i+1 : i+1+k]; strings.IndexByte(in, '(') < 0 && strings.IndexByte(in, '\\') < 0 {
			return i + 1 + k
		}
	}
	depth := 0
	j := i
	for ; j < len(v); j++ {
		b := v[j]
		if b == '\\' && j+1 < len(v) {
			j++
			continue
		}
		if b == '(' {
			depth++
		} else if b == ')' {
			depth--
			if depth == 0 {
				break
			}
		}
	}
	return j
}

// lexReceived splits an unfolded Received value into words, comments, quoted strings (as
// words) and ';' separators. It never fails: an unclosed comment, quote or angle address runs to
// the end of the value.
func lexReceived(v string, toks []rtoken) []rtoken {
	if toks == nil {
		toks = make([]rtoken, 0, 24)
	}
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == ';':
			toks = append(toks, rtoken{text: ";", semi: true, start: i})
			i++
		case c == '(':
			start := i
			j := commentEnd(v, i)
			end := j
			if end >= len(v) {
				end = len(v)
				toks = append(toks, rtoken{text: v[start+1 : end], comment: true, start: start})
				i = len(v)
			} else {
				toks = append(toks, rtoken{text: v[start+1 : end], comment: true, start: start})
				i = end + 1
			}
		case c == '"':
			j := i + 1
			for j < len(v) && v[j] != '"' {
				if v[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(v))
			toks = append(toks, rtoken{text: v[i:end], start: i})
			i = end
		case c == '<':
			j := strings.IndexByte(v[i:], '>')
			end := len(v)
			if j >= 0 {
				end = i + j + 1
			}
			toks = append(toks, rtoken{text: v[i:end], start: i})
			i = end
		default:
			j := i
			for j < len(v) && !isByteIn(v[j], receivedWordEnd) {
				j++
			}
			toks = append(toks, rtoken{text: v[i:j], start: i})
			i = j
		}
	}
	return toks
}

// commentAddr returns the first address in a from/by comment: "[192.0.2.1]", "[IPv6:…]",
// "[10.0.0.1:47944]" (with a port) or a bare address word ("2603:10b6:408:c0::39").
func commentAddr(c string) netip.Addr {
	for w := range wordsSeq(c, true) {
		if a := literalAddr(w); a.IsValid() {
			return a
		}
	}
	return netip.Addr{}
}

// commentHost returns the first host name in a from comment, skipping addresses, key=value
// words and Postfix's "unknown".
func commentHost(c string) string {
	for w := range wordsSeq(c, false) {
		if hasHostPunct(w) || literalAddr(w).IsValid() || strings.EqualFold(w, "unknown") {
			continue
		}
		if strings.EqualFold(w, "HELO") || strings.EqualFold(w, "EHLO") {
			return ""
		}
		if strings.Contains(w, ".") || strings.EqualFold(w, "localhost") {
			return w
		}
		return ""
	}
	return ""
}

// hasHostPunct reports whether w holds one of =[]()" (strings.ContainsAny without building the
// set for every word).
func hasHostPunct(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; isByteIn(c, 1<<'='|1<<'('|1<<')'|1<<'"') || c == '[' || c == ']' {
			return true
		}
	}
	return false
}

// wordsSeq yields the non-empty runs of s between white space (and, with punct, ',', '(' and
// ')'), without allocating.
func wordsSeq(s string, punct bool) func(yield func(string) bool) {
	set := uint64(1<<' ' | 1<<'\t' | 1<<'\r' | 1<<'\n')
	if punct {
		set |= 1<<',' | 1<<'(' | 1<<')'
	}
	return func(yield func(string) bool) {
		for i := 0; ; {
			for i < len(s) && isByteIn(s[i], set) {
				i++
			}
			if i == len(s) {
				return
			}
			j := i + 1
			for j < len(s) && !isByteIn(s[j], set) {
				j++
			}
			if !yield(s[i:j]) {
				return
			}
			i = j
		}
	}
}

// literalAddr parses an address written as "1.2.3.4", "[1.2.3.4]", "[IPv6:2001:db8::1]",
// "[1.2.3.4:port]" or "[2001:db8::1]:port"; zero if w is none of these.
func literalAddr(w string) netip.Addr {
	if w == "" {
		return netip.Addr{}
	}
	s := w
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}
		}
		s = s[1:end]
	}
	// ASCII folding is strings.EqualFold's answer here: no other rune folds to a byte of "IPv6:".
	if len(s) > 5 && EqualFold(s[:5], "IPv6:") {
		s = s[5:]
	}
	if !addrChars(s) {
		return netip.Addr{} // a host name: skip the parsers and the errors they allocate
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap()
	}
	return netip.Addr{}
}

// addrChars reports whether s could be an address, with an optional port or zone: hex digits,
// '.', ':', '[', ']', '%'.
func addrChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '.' || c == ':' || c == '[' || c == ']' || c == '%') {
			return false
		}
	}
	return true
}

// isTLSComment reports whether a comment records TLS details: Exchange
// "version=TLS1_2, cipher=…", Postfix "using TLSv1.3 with cipher …".
func isTLSComment(c string) bool {
	if strings.Contains(c, "cipher") {
		return true
	}
	// Both other phrases hold "TLS": most comments are ruled out with one search.
	return strings.Contains(c, "TLS") && (strings.Contains(c, "version=TLS") || strings.Contains(c, "using TLS"))
}

// looksLikeDateStart reports whether a word starts a date: a weekday name ("Wed," or "Wed")
// or a yyyy-mm-dd date.
func looksLikeDateStart(w string) bool {
	if isWeekday(strings.TrimSuffix(w, ",")) {
		return true
	}
	if len(w) >= 8 && isDigits(w[:4]) && w[4] == '-' {
		rest := w[5:]
		k := strings.IndexByte(rest, '-')
		return k >= 1 && k <= 2 && isDigits(rest[:k]) && len(rest) > k+1 && isDigits(rest[k+1:k+2])
	}
	return false
}

// isWeekday reports whether strings.ToLower(d) is a weekday abbreviation ("mon" … "sun"),
// without the lower-case copy for ASCII words. (ToLower maps a few non-ASCII letters to ASCII
// ones, such as U+0130 to 'i'; those words take the ToLower path.)
func isWeekday(d string) bool {
	for i := 0; i < len(d); i++ {
		if d[i] >= 0x80 {
			switch strings.ToLower(d) {
			case "mon", "tue", "wed", "thu", "fri", "sat", "sun":
				return true
			}
			return false
		}
	}
	if len(d) != 3 {
		return false
	}
	for _, day := range [...]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		if EqualFold(d, day) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
