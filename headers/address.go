package headers

import (
	"net/mail"
	"strings"
)

// parseAddressList parses an address-list field (From, To, Cc, Reply-To) as RFC 5322 §3.4 allows
// it: display names decoded in every charset wordDecoder knows, a name word that cannot be decoded
// kept as written (and returned in undecodable), and comments and folding white space inside an
// angle-addr ("Name <user@example.com >", "<user(c)@example.com>") accepted, which net/mail
// refuses. A group ("undisclosed-recipients:;") yields its members, possibly none.
func parseAddressList(v string) (list []Mailbox, undecodable []string, err error) {
	dec := wordDecoder()
	// Undecodable words become quoted-strings, which net/mail does not decode, so that one bad
	// word does not fail the whole list.
	if words := findEncodedWords(v, dec); len(words) > 0 {
		var b strings.Builder
		last := 0
		for _, w := range words {
			b.WriteString(v[last:w.start])
			raw := v[w.start:w.end]
			if w.ok {
				b.WriteString(raw)
			} else {
				undecodable = append(undecodable, raw)
				b.WriteString(`"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(raw) + `"`)
			}
			last = w.end
		}
		b.WriteString(v[last:])
		v = b.String()
	}
	p := mail.AddressParser{WordDecoder: dec}
	addrs, err := p.ParseList(v)
	if err != nil {
		if n, changed := stripAngleCFWS(v); changed {
			if a, err2 := p.ParseList(n); err2 == nil {
				addrs, err = a, nil
			}
		}
	}
	if err != nil {
		return nil, undecodable, err
	}
	list = make([]Mailbox, 0, len(addrs))
	for _, a := range addrs {
		list = append(list, Mailbox{Name: a.Name, Address: a.Address})
	}
	return list, undecodable, nil
}

// stripAngleCFWS removes white space and comments inside every angle-addr of v (outside
// quoted-strings), the CFWS RFC 5322 §3.4 and §3.4.1 allow around the parts of an addr-spec.
func stripAngleCFWS(v string) (string, bool) {
	var b strings.Builder
	b.Grow(len(v))
	inQuote, inAngle, changed := false, false, false
	depth := 0 // comment nesting inside an angle-addr
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inQuote:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(v) {
				i++
				b.WriteByte(v[i])
			} else if c == '"' {
				inQuote = false
			}
			continue
		case depth > 0:
			changed = true
			switch c {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
			}
			continue
		}
		switch {
		case c == '"':
			inQuote = true
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case inAngle && c == '(':
			depth, changed = 1, true
			continue
		case inAngle && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			changed = true
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), changed
}

// undecodable files one ProblemEncodedWordUndecodable for the words of field fd that could not
// be decoded.
func (m *Message) undecodable(fd Field, words []string) {
	if len(words) == 0 {
		return
	}
	m.problem(fd, ProblemEncodedWordUndecodable, "encoded-word(s) shown as written: "+quoteWhole(strings.Join(words, " ")))
}

// quoteWhole quotes a field value for a problem's detail without cutting it: the text output
// promises every value whole, and Read already bounds a field's size.
func quoteWhole(s string) string {
	return "\"" + s + "\""
}
