package headers

import (
	"errors"
	"strconv"
	"strings"
)

// AuthResults is one Authentication-Results-style field (RFC 8601), read tolerantly enough for
// what Exchange Online writes (docs/headers.md#authentication-results; go-msgauth's authres.Parse
// refuses it with "unsupported version"): the authserv-id may be missing, comments and quoted
// strings may hold ';', and segments that are no "method=result" (EXO's stray
// "outlook.com;") are kept in Stray instead of failing the field.
type AuthResults struct {
	Field
	// Instance is the ARC instance ("i=1;") of ARC-Authentication-Results, 0 if none.
	Instance int `json:"instance,omitempty"`
	// ServID is the authserv-id, "" when the field starts with a result (Microsoft's form).
	ServID string `json:"servId,omitempty"`
	// Results holds every method's result in order.
	Results []AuthResult `json:"results,omitempty"`
	// Stray holds segments that are neither the authserv-id nor a result, trimmed.
	Stray []string `json:"stray,omitempty"`
}

// AuthResult is one "method=result" with its reason, properties and comments.
type AuthResult struct {
	// Method and Result are lower case ("spf", "pass"); a method version ("dkim/1") is dropped.
	Method string `json:"method"`
	Result string `json:"result"`
	// Reason is the reason= value (EXO's compauth reason code), unquoted.
	Reason string `json:"reason,omitempty"`
	// Props holds every other key=value in order: "smtp.mailfrom", "header.d", and keys without
	// a ptype such as "action".
	Props []AuthProp `json:"props,omitempty"`
	// Comments holds the text of every comment in the segment, without parentheses.
	Comments []string `json:"comments,omitempty"`
	// Words holds bare words that are none of the above ("user@example.com" after amavisd's
	// dkim=softfail).
	Words []string `json:"words,omitempty"`
}

// AuthProp is one property: Type "smtp" and Name "mailfrom" for smtp.mailfrom=…; Type is empty
// for a key without a '.'.
type AuthProp struct {
	Type  string `json:"type,omitempty"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Prop returns the value of the first property with type and name (case-insensitively).
func (r AuthResult) Prop(ptype, name string) (string, bool) {
	for _, p := range r.Props {
		if strings.EqualFold(p.Type, ptype) && strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// Result returns the first result for method (case-insensitively).
func (a AuthResults) Result(method string) (AuthResult, bool) {
	for _, r := range a.Results {
		if strings.EqualFold(r.Method, method) {
			return r, true
		}
	}
	return AuthResult{}, false
}

// artoken is a word (quoted strings kept inside it) or a comment.
type artoken struct {
	text    string
	comment bool
	sep     bool // a ';' between segments
}

// authWordEnd is the set of bytes that end a word of an Authentication-Results value (isByteIn):
// white space, ';' and '('.
const authWordEnd = 1<<' ' | 1<<'\t' | 1<<'\r' | 1<<'\n' | 1<<';' | 1<<'('

// splitAuthSegments tokenises v into one flat slice, with a separator token (sep set) for each
// ';' outside comments and quoted strings. It is linear in len(v) and never fails: an unclosed
// comment or quote runs to the end.
func splitAuthSegments(v string, cur []artoken) []artoken {
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
			end := commentEnd(v, i)
			cur = append(cur, artoken{text: strings.TrimSpace(v[i+1 : end]), comment: true})
			i = min(end+1, len(v))
		default:
			j := i
			for j < len(v) {
				b := v[j]
				if isByteIn(b, authWordEnd) {
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

// eachSegment calls f with the tokens of every ';'-separated segment of toks, in order.
func eachSegment(toks []artoken, f func(seg []artoken)) {
	start := 0
	for i, t := range toks {
		if t.sep {
			f(toks[start:i])
			start = i + 1
		}
	}
	f(toks[start:])
}

// ParseAuthResults parses an Authentication-Results, X-MS-Exchange-Authentication-Results,
// ARC-Authentication-Results or Original-Authentication-Results value. The first segment is
// the authserv-id (with optional version and comments) unless its first word holds '='; an
// ARC "i=N" segment before it sets Instance. It returns an error only when the value holds
// neither an authserv-id nor a result; what it read is returned either way.
func ParseAuthResults(v string) (AuthResults, error) {
	a, _, err := parseAuthResults(v, nil)
	return a, err
}

// parseAuthResults is ParseAuthResults with a token buffer to reuse; it returns the buffer.
func parseAuthResults(v string, buf []artoken) (AuthResults, []artoken, error) {
	var a AuthResults
	toks, err := parseAuthResultsInto(&a, v, buf)
	return a, toks, err
}

// parseAuthResultsInto is parseAuthResults into *a, which must be zero: Parse reads into its
// list in place, and each result is read into a.Results in place, without copies of the structs.
func parseAuthResultsInto(a *AuthResults, v string, buf []artoken) ([]artoken, error) {
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
		// a.Results has room for a result per segment; its elements are zero until used.
		a.Results = a.Results[:len(a.Results)+1]
		r := &a.Results[len(a.Results)-1]
		r.Method, r.Result = strings.ToLower(method), strings.ToLower(unquote(result))
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
	})
	if len(a.Results) == 0 {
		a.Results = nil
	}
	if a.ServID == "" && len(a.Results) == 0 {
		return toks, errors.New("headers: authentication results: no authserv-id and no method=result in " + quoteWhole(v))
	}
	return toks, nil
}

func segmentText(seg []artoken) string {
	parts := make([]string, len(seg))
	for i, t := range seg {
		if t.comment {
			parts[i] = "(" + t.text + ")"
		} else {
			parts[i] = t.text
		}
	}
	return strings.Join(parts, " ")
}

// unquote removes the quotes of an RFC 5322 quoted string; other text is returned as is.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
		if strings.Contains(s, "\\") {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			s = b.String()
		}
	}
	return s
}

// String formats one result as "method=result reason=… type.name=value word (comment)".
func (r AuthResult) String() string {
	var b strings.Builder
	b.WriteString(r.Method + "=" + r.Result)
	if r.Reason != "" {
		b.WriteString(" reason=" + r.Reason)
	}
	for _, p := range r.Props {
		b.WriteByte(' ')
		if p.Type != "" {
			b.WriteString(p.Type + ".")
		}
		b.WriteString(p.Name + "=" + p.Value)
	}
	for _, w := range r.Words {
		b.WriteString(" " + w)
	}
	for _, c := range r.Comments {
		b.WriteString(" (" + c + ")")
	}
	return b.String()
}
