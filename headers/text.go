package headers

import "strings"

// unfold undoes RFC 5322 §2.2.3 folding the way go-message's textproto does for Value: every
// line break (CRLF, LF or a bare CR) together with the spaces and tabs around it becomes one
// space, and the result is trimmed. Other runs of white space are kept.
func unfold(s string) string {
	if !hasLineBreak(s) {
		return trimBlanks(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\r' && c != '\n' {
			b.WriteByte(c)
			continue
		}
		// Drop white space already written before the break, and any after it.
		out := b.String()
		trimmed := strings.TrimRight(out, " \t")
		if len(trimmed) != len(out) {
			b.Reset()
			b.WriteString(trimmed)
		}
		for i+1 < len(s) && (s[i+1] == '\r' || s[i+1] == '\n' || s[i+1] == ' ' || s[i+1] == '\t') {
			i++
		}
		b.WriteByte(' ')
	}
	return trimBlanks(b.String())
}

// trimBlanks is strings.Trim(s, " \t") without building the cut set on every call.
func trimBlanks(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return s[i:j]
}

// hasLineBreak reports whether s holds a CR or LF. Values read by textproto never do, so this is
// the common answer; two byte searches are much cheaper than strings.ContainsAny's byte loop.
func hasLineBreak(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}

// collapseSpace replaces every run of white space with one space and trims the ends.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
