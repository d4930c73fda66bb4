package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// cmdPath is a MAIL or RCPT command line read back by the test's own RFC 5321 parser.
type cmdPath struct {
	// Path is the text between the angle brackets, as sent.
	Path string
	// Mailbox is the decoded mailbox (quotes and quoted-pairs removed), "" for "<>"; the string
	// go-smtp's server hands a backend.
	Mailbox string
	// Domain is the domain part normalised by tenantgate.ParseDomain, or the address literal as
	// sent when Literal.
	Domain  string
	Literal bool
	// Params are the ESMTP parameters after the path.
	Params []string
}

// parseCommandPath parses "MAIL FROM:<path> params" or "RCPT TO:<path> params" strictly by
// RFC 5321 §4.1.2 (with RFC 6531's UTF8-non-ascii in atext, qtext and sub-domains), written
// independently of the relay's encoder: one pass over the octets, each grammar rule its own
// step. Every octet of the line must belong to the grammar.
func parseCommandPath(line string) (cmdPath, error) {
	var out cmdPath
	rest, ok := strings.CutPrefix(line, "MAIL FROM:<")
	if !ok {
		if rest, ok = strings.CutPrefix(line, "RCPT TO:<"); !ok {
			return out, errors.New("not MAIL FROM:< or RCPT TO:<")
		}
	}
	if r, ok := strings.CutPrefix(rest, ">"); ok && strings.HasPrefix(line, "MAIL") {
		params, err := parseParams(r)
		out.Params = params
		return out, err
	}
	var local strings.Builder
	i := 0
	if i < len(rest) && rest[i] == '"' { // Quoted-string
		i++
		for {
			if i >= len(rest) {
				return out, errors.New("unterminated quoted-string")
			}
			c := rest[i]
			if c == '"' {
				i++
				break
			}
			if c == '\\' {
				if i+1 >= len(rest) || rest[i+1] < 32 || rest[i+1] > 126 {
					return out, errors.New("bad quoted-pair")
				}
				local.WriteByte(rest[i+1])
				i += 2
				continue
			}
			if !(c == 32 || c == 33 || c >= 35 && c <= 91 || c >= 93 && c <= 126 || c >= 0x80) {
				return out, fmt.Errorf("octet %#x not qtextSMTP", c)
			}
			local.WriteByte(c)
			i++
		}
	} else { // Dot-string
		start := i
		for i < len(rest) && (rest[i] == '.' || rest[i] >= 0x80 || isAtextTest(rest[i])) {
			i++
		}
		s := rest[start:i]
		if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
			return out, fmt.Errorf("%q is no Dot-string", s)
		}
		local.WriteString(s)
	}
	if i >= len(rest) || rest[i] != '@' {
		return out, errors.New("no '@' after the local part")
	}
	i++
	start := i
	if i < len(rest) && rest[i] == '[' {
		i++
		for i < len(rest) && rest[i] != ']' {
			if rest[i] < 33 || rest[i] > 126 || rest[i] == '[' || rest[i] == '\\' {
				return out, errors.New("bad address literal")
			}
			i++
		}
		if i >= len(rest) {
			return out, errors.New("unterminated address literal")
		}
		i++
		out.Literal, out.Domain = true, rest[start:i]
	} else {
		for i < len(rest) && (rest[i] == '.' || rest[i] == '-' || rest[i] >= 0x80 || isLetDig(rest[i])) {
			i++
		}
		d, err := tenantgate.ParseDomain(rest[start:i])
		if err != nil || strings.HasSuffix(rest[start:i], ".") {
			return out, fmt.Errorf("domain %q: %v", rest[start:i], err)
		}
		out.Domain = string(d)
	}
	out.Path = rest[:i]
	out.Mailbox = local.String() + "@" + rest[start:i]
	if i >= len(rest) || rest[i] != '>' {
		return out, errors.New("path not closed by '>'")
	}
	params, err := parseParams(rest[i+1:])
	out.Params = params
	return out, err
}

// parseParams parses *(SP esmtp-keyword ["=" esmtp-value]) up to the end of the line.
func parseParams(s string) ([]string, error) {
	var out []string
	for s != "" {
		if s[0] != ' ' {
			return out, fmt.Errorf("junk %q after the path", s)
		}
		p, rest, _ := strings.Cut(s[1:], " ")
		if rest != "" || strings.HasSuffix(s, " ") {
			rest = " " + rest
		}
		kw, val, hasVal := strings.Cut(p, "=")
		if kw == "" || !isLetDig(kw[0]) {
			return out, fmt.Errorf("bad parameter %q", p)
		}
		for i := 0; i < len(kw); i++ {
			if !isLetDig(kw[i]) && kw[i] != '-' {
				return out, fmt.Errorf("bad keyword %q", kw)
			}
		}
		if hasVal && val == "" {
			return out, fmt.Errorf("empty value in %q", p)
		}
		for i := 0; i < len(val); i++ {
			if c := val[i]; c < 33 || c == '=' || c == 127 {
				return out, fmt.Errorf("bad value %q", val)
			}
		}
		out = append(out, p)
		s = rest
	}
	return out, nil
}

func isLetDig(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isAtextTest is RFC 5322 atext (ASCII), spelled out from the RFC's ABNF.
func isAtextTest(c byte) bool {
	return isLetDig(c) || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", rune(c))
}
