package headers

// The previous implementations of the parsers this package's performance work rewrote, kept as
// the reference the rewrites are compared with (parseref_test.go): each is the code as it was,
// renamed with a Ref suffix.

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
)

// fieldOf builds a Field from the current field of the iterator, recovering the name as written
// from the raw bytes.
func fieldOfRef(f textproto.HeaderFields, idx int) Field {
	fd := Field{Index: idx, Name: f.Key(), Value: f.Value()}
	raw, err := f.Raw()
	if err != nil {
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

// ParseAntispamReport parses an X-Forefront-Antispam-Report value. Keys are compared
// case-insensitively. It returns an error, and still every item it could read, for an item
// without ':', a documented key given twice (the first is typed, the repeat kept in Unknown),
// an unparsable CIP or a non-integer SCL.
func ParseAntispamReportRef(v string) (AntispamReport, error) {
	var r AntispamReport
	var errs []error
	seen := map[string]bool{}
	splitItems(v, func(k, val string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("item %q has no ':'", clip(k, 40)))
			return
		}
		uk := strings.ToUpper(k)
		dst := r.field(uk)
		if dst == nil && uk != "CIP" && uk != "SCL" {
			r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
			return
		}
		if seen[uk] {
			// Real EXO reports repeat fields (SCL:-1 … SCL:1 in a 2019 corpus block): keep the
			// first typed, the repeat in Unknown, and say so.
			errs = append(errs, fmt.Errorf("%s given twice", uk))
			r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
			return
		}
		seen[uk] = true
		switch uk {
		case "CIP":
			if val == "" {
				return
			}
			a, err := netip.ParseAddr(unbracket(val))
			if err != nil || a.Zone() != "" {
				errs = append(errs, fmt.Errorf("CIP %q is not an IP address", clip(val, 40)))
				return
			}
			r.CIP = a
		case "SCL":
			if val == "" {
				return
			}
			n, err := strconv.Atoi(val)
			if err != nil || n < -1 || n > 9 {
				errs = append(errs, fmt.Errorf("SCL %q is not an integer from -1 to 9", clip(val, 40)))
				return
			}
			r.SCL = &n
		default:
			*dst = val
		}
	})
	if len(errs) > 0 {
		return r, fmt.Errorf("headers: X-Forefront-Antispam-Report: %w", errors.Join(errs...))
	}
	return r, nil
}

// ParseMicrosoftAntispam parses an X-Microsoft-Antispam value with the grammar of
// ParseAntispamReport. BCL and PCL must be integers from 0 to 9.
func ParseMicrosoftAntispamRef(v string) (MicrosoftAntispam, error) {
	var r MicrosoftAntispam
	var errs []error
	seen := map[string]bool{}
	level := func(k, val string) *int {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 || n > 9 {
			errs = append(errs, fmt.Errorf("%s %q is not an integer from 0 to 9", k, clip(val, 40)))
			return nil
		}
		return &n
	}
	splitItems(v, func(k, val string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("item %q has no ':'", clip(k, 40)))
			return
		}
		uk := strings.ToUpper(k)
		switch uk {
		case "BCL", "PCL", "ARA", "RULEID", "SRVR":
			if seen[uk] {
				errs = append(errs, fmt.Errorf("%s given twice", uk))
				r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
				return
			}
			seen[uk] = true
		}
		switch uk {
		case "BCL":
			if val != "" {
				r.BCL = level(uk, val)
			}
		case "PCL":
			if val != "" {
				r.PCL = level(uk, val)
			}
		case "ARA":
			r.ARA = val
		case "RULEID":
			r.RULEID = val
		case "SRVR":
			r.SRVR = val
		default:
			r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
		}
	})
	if len(errs) > 0 {
		return r, fmt.Errorf("headers: X-Microsoft-Antispam: %w", errors.Join(errs...))
	}
	return r, nil
}

// lexReceived splits an unfolded Received value into words, comments, quoted strings (as
// words) and ';' separators. It never fails: an unclosed comment, quote or angle address runs to
// the end of the value.
func lexReceivedRef(v string, toks []rtoken) []rtoken {
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
			for j < len(v) && v[j] != ' ' && v[j] != '\t' && v[j] != '(' && v[j] != ';' {
				j++
			}
			toks = append(toks, rtoken{text: v[i:j], start: i})
			i = j
		}
	}
	return toks
}

// wordsSeq yields the non-empty runs of s between white space (and, with punct, ',', '(' and
// ')'), without allocating.
func wordsSeqRef(s string, punct bool) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		start := -1
		for i := 0; i <= len(s); i++ {
			sep := i == len(s)
			if !sep {
				c := s[i]
				sep = c == ' ' || c == '\t' || c == '\r' || c == '\n' || punct && (c == ',' || c == '(' || c == ')')
			}
			if sep {
				if start >= 0 && !yield(s[start:i]) {
					return
				}
				start = -1
			} else if start < 0 {
				start = i
			}
		}
	}
}

func monthOfRef(s string) time.Month {
	if len(s) != 3 {
		return 0
	}
	for m := time.January; m <= time.December; m++ {
		if strings.EqualFold(s, m.String()[:3]) {
			return m
		}
	}
	return 0
}

// splitAuthSegments tokenises v into one flat slice, with a separator token (sep set) for each
// ';' outside comments and quoted strings. It is linear in len(v) and never fails: an unclosed
// comment or quote runs to the end.
func splitAuthSegmentsRef(v string, cur []artoken) []artoken {
	if cur == nil {
		cur = make([]artoken, 0, 32)
	}
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == ';':
			cur = append(cur, artoken{sep: true})
			i++
		case c == '(':
			depth, j := 0, i
			for ; j < len(v); j++ {
				if v[j] == '\\' && j+1 < len(v) {
					j++
					continue
				}
				if v[j] == '(' {
					depth++
				} else if v[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			end := min(j, len(v))
			cur = append(cur, artoken{text: strings.TrimSpace(v[i+1 : end]), comment: true})
			i = min(end+1, len(v))
		default:
			j := i
			for j < len(v) {
				b := v[j]
				if b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == ';' || b == '(' {
					break
				}
				if b == '"' {
					j++
					for j < len(v) && v[j] != '"' {
						if v[j] == '\\' {
							j++
						}
						j++
					}
				}
				j++
			}
			j = min(j, len(v))
			cur = append(cur, artoken{text: v[i:j]})
			i = j
		}
	}
	return cur
}

func hasHostPunctRef(w string) bool {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case '=', '[', ']', '(', ')', '"':
			return true
		}
	}
	return false
}

func isTLSCommentRef(c string) bool {
	return strings.Contains(c, "cipher") || strings.Contains(c, "version=TLS") || strings.Contains(c, "using TLS")
}

func unfoldRef(s string) string {
	if !hasLineBreak(s) {
		return strings.Trim(s, " \t")
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
	return strings.Trim(b.String(), " \t")
}

// parseAuthResults is ParseAuthResults with a token buffer to reuse; it returns the buffer.
func parseAuthResultsRef(v string, buf []artoken) (AuthResults, []artoken, error) {
	var a AuthResults
	toks := splitAuthSegments(unfold(v), buf[:0])
	// nprops bounds the properties: every word of a segment but its first.
	nseg, nprops, ncomments, segWords := 1, 0, 0, 0
	for _, t := range toks {
		switch {
		case t.sep:
			nseg++
			segWords = 0
		case t.comment:
			ncomments++
		default:
			if segWords > 0 {
				nprops++
			}
			segWords++
		}
	}
	a.Results = make([]AuthResult, 0, nseg)
	// The results' Props and Comments are windows of one array each (capacity-limited, so an
	// append by a caller copies): two allocations per field instead of two per result.
	var props []AuthProp
	var comments []string
	first := true
	eachSegment(toks, func(seg []artoken) {
		words := 0
		var w0 string
		for _, t := range seg {
			if !t.comment {
				if words == 0 {
					w0 = t.text
				}
				words++
			}
		}
		if words == 0 {
			return // empty segment or comment only
		}
		if first && a.Instance == 0 && len(a.Results) == 0 && a.ServID == "" && len(w0) >= 2 && (w0[0] == 'i' || w0[0] == 'I') && w0[1] == '=' && words == 1 {
			if n, err := strconv.Atoi(w0[2:]); err == nil && n > 0 {
				a.Instance = n
				return
			}
		}
		if first {
			first = false
			if !strings.Contains(w0, "=") {
				a.ServID = w0
				return
			}
		}
		if strings.EqualFold(w0, "none") && words == 1 {
			return // RFC 8601 "no-result"
		}
		method, result, ok := strings.Cut(w0, "=")
		method, _, _ = strings.Cut(method, "/")
		if !ok || method == "" {
			a.Stray = append(a.Stray, segmentText(seg))
			return
		}
		r := AuthResult{Method: strings.ToLower(method), Result: strings.ToLower(unquote(result))}
		if nc := len(seg) - words; nc > 0 {
			if comments == nil {
				comments = make([]string, 0, ncomments)
			}
			n := len(comments)
			r.Comments = comments[n:n:min(n+nc, cap(comments))]
		}
		if words > 1 {
			if props == nil {
				props = make([]AuthProp, 0, nprops)
			}
			n := len(props)
			r.Props = props[n:n:min(n+words-1, cap(props))]
		}
		seenFirst := false
		for _, t := range seg {
			if t.comment {
				r.Comments = append(r.Comments, t.text)
				continue
			}
			if !seenFirst {
				seenFirst = true
				continue
			}
			k, val, ok := strings.Cut(t.text, "=")
			if !ok {
				r.Words = append(r.Words, t.text)
				continue
			}
			val = unquote(val)
			if strings.EqualFold(k, "reason") {
				r.Reason = val
				continue
			}
			pt, name, dotted := strings.Cut(k, ".")
			if !dotted {
				pt, name = "", k
			}
			r.Props = append(r.Props, AuthProp{Type: strings.ToLower(pt), Name: strings.ToLower(name), Value: val})
		}
		if len(r.Props) == 0 {
			r.Props = nil // zero values compare equal whatever the capacity guess was
		}
		if len(r.Comments) == 0 {
			r.Comments = nil
		}
		props = props[:len(props)+len(r.Props)]
		comments = comments[:len(comments)+len(r.Comments)]
		a.Results = append(a.Results, r)
	})
	if len(a.Results) == 0 {
		a.Results = nil
	}
	if a.ServID == "" && len(a.Results) == 0 {
		return a, toks, errors.New("headers: authentication results: no authserv-id and no method=result in " + quoteWhole(v))
	}
	return a, toks, nil
}

// parseReceived is ParseReceived with a token buffer to reuse; it returns the buffer.
func parseReceivedRef(value string, buf []rtoken) (Received, []rtoken, error) {
	v := unfold(value)
	r := Received{Raw: v}
	if v == "" {
		return r, buf, fmt.Errorf("%w: empty value", ErrReceived)
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
		return r, toks, fmt.Errorf("%w: no from/by/with/id/for clause and no date in %q", ErrReceived, clip(v, 80))
	}
	return r, toks, nil
}

// ComputeHops orders the Received fields (top-most first, as in the block) oldest first and
// computes each hop's delay the way MHA's computeDeltas does: hops without a parsable date are
// listed but skipped, and do not reset the "last" date.
func ComputeHopsRef(received []Received) Hops {
	var h Hops
	if len(received) == 0 {
		return h
	}
	h.List = make([]Hop, 0, len(received))
	var last, first time.Time
	var sum time.Duration
	for i := len(received) - 1; i >= 0; i-- {
		r := received[i]
		hop := Hop{Number: len(h.List) + 1, Index: r.Index, From: r.From, By: r.By, With: r.With, Date: r.Date}
		if !r.Date.IsZero() {
			if !last.IsZero() {
				hop.Delay = r.Date.Sub(last)
				hop.HasDelay = true
				if hop.Delay > 0 {
					sum += hop.Delay
				}
			} else {
				first = r.Date
			}
			last = r.Date
		}
		h.List = append(h.List, hop)
	}
	if !first.IsZero() {
		h.Total = last.Sub(first)
	}
	if sum > 0 {
		for i := range h.List {
			if h.List[i].HasDelay && h.List[i].Delay > 0 {
				h.List[i].Percent = float64(h.List[i].Delay) / float64(sum) * 100
			}
		}
	}
	return h
}

// literalAddr parses an address written as "1.2.3.4", "[1.2.3.4]", "[IPv6:2001:db8::1]",
// "[1.2.3.4:port]" or "[2001:db8::1]:port"; zero if w is none of these.
func literalAddrRef(w string) netip.Addr {
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
	if len(s) > 5 && strings.EqualFold(s[:5], "IPv6:") {
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
