package headers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrAuthServID is wrapped by every error AuthServID returns: the value does not start with an
// authserv-id RFC 8601 §2.2 allows.
var ErrAuthServID = errors.New("headers: authserv-id")

// AuthServID returns the authserv-id an Authentication-Results value starts with, in the form
// two authserv-ids are compared in. RFC 8601 §2.2
// (https://www.rfc-editor.org/rfc/rfc8601#section-2.2) reads the start of the value as
//
//	[CFWS] authserv-id [ CFWS authres-version ] ( ";" … / end )
//	authserv-id = value            ; RFC 2045: token / quoted-string
//	authres-version = 1*DIGIT [CFWS]
//
// so comments and folding white space anywhere before the ';' are ignored, a quoted-string is
// unquoted (quoted-pairs resolved) and the version is dropped. The id is then made comparable:
// white space at its ends removed, ASCII letters lower-cased (an authserv-id is normally a host
// name, and DNS names compare case-insensitively) and trailing dots removed (an absolute name
// "gw.example.net." names the same host). Two fields carry the same authserv-id exactly when
// AuthServID returns the same string for both; an id on its own ("gw.example.net") is a valid
// value too, so the id a writer uses is made comparable by the same call.
//
// A value whose first word holds '=' has no authserv-id ("spf=pass …", as Exchange Online writes
// its own results): AuthServID returns "" and no error. Anything else that does not fit the
// grammar — an unclosed comment or quoted-string, a control character, a second word that is
// not a version, no ';' after the id — is an error wrapping ErrAuthServID; the id is then
// unknown, and a reader that must not trust a forged copy treats the field as possibly its own
// (see classify.Policy). AuthServID is linear in len(v) and allocates only for a quoted-string
// with quoted-pairs or an id with upper-case letters.
func AuthServID(v string) (string, error) {
	i, err := skipCFWS(v, 0)
	if err != nil {
		return "", err
	}
	if i == len(v) {
		return "", authServIDError("empty value", v)
	}
	var id string
	switch c := v[i]; {
	case c == '"':
		id, i, err = quotedString(v, i)
		if err != nil {
			return "", err
		}
	case isTokenByte(c):
		j := i
		for j < len(v) && isTokenByte(v[j]) {
			j++
		}
		if j < len(v) && v[j] == '=' {
			return "", nil // "method=result": the field has no authserv-id
		}
		id, i = v[i:j], j
	default:
		return "", authServIDError("the value starts with "+quoteByte(c), v)
	}
	// [ CFWS authres-version ] [CFWS] then ';' or the end.
	j, err := skipCFWS(v, i)
	if err != nil {
		return "", err
	}
	if j > i && j < len(v) && isDigit(v[j]) {
		for j < len(v) && isDigit(v[j]) {
			j++
		}
		if j, err = skipCFWS(v, j); err != nil {
			return "", err
		}
	}
	if j < len(v) && v[j] != ';' {
		return "", authServIDError("after the authserv-id: want a version, ';' or the end, got "+quoteByte(v[j]), v)
	}
	return comparableID(id), nil
}

// comparableID trims white space and trailing dots and lower-cases ASCII letters; strings.ToLower
// returns an ASCII string without upper-case letters as it is, without allocating.
func comparableID(id string) string {
	id = strings.TrimRight(strings.Trim(id, " \t\r\n"), ".")
	for i := 0; i < len(id); i++ {
		if 'A' <= id[i] && id[i] <= 'Z' {
			var b strings.Builder
			b.Grow(len(id))
			for j := 0; j < len(id); j++ {
				c := id[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b.WriteByte(c)
			}
			return b.String()
		}
	}
	return id
}

// skipCFWS skips white space (folding included) and comments, nested to any depth with
// quoted-pairs (RFC 5322 §3.2.2), from v[i]. An unclosed comment is an error.
func skipCFWS(v string, i int) (int, error) {
	for i < len(v) {
		switch c := v[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			depth := 0
			for ; i < len(v); i++ {
				switch v[i] {
				case '\\':
					i++
				case '(':
					depth++
				case ')':
					depth--
				case 0:
					return 0, authServIDError("NUL in a comment", v)
				}
				if depth == 0 {
					break
				}
			}
			if depth != 0 || i >= len(v) {
				return 0, authServIDError("unclosed comment", v)
			}
			i++
		default:
			return i, nil
		}
	}
	return i, nil
}

// quotedString reads the quoted-string at v[i] (RFC 5322 §3.2.4, with RFC 6532 UTF-8): it returns
// the content with quoted-pairs resolved and the index after the closing quote.
func quotedString(v string, i int) (string, int, error) {
	start := i + 1
	escaped := false
	for j := start; j < len(v); j++ {
		switch c := v[j]; {
		case c == '"':
			s := v[start:j]
			if escaped {
				var b strings.Builder
				b.Grow(len(s))
				for k := 0; k < len(s); k++ {
					if s[k] == '\\' {
						k++
					}
					b.WriteByte(s[k])
				}
				s = b.String()
			}
			return s, j + 1, nil
		case c == '\\':
			if j+1 >= len(v) || !isQuotedPairByte(v[j+1]) {
				return "", 0, authServIDError("bad quoted-pair in the quoted authserv-id", v)
			}
			escaped = true
			j++
		case c < ' ' && c != '\t' && c != '\r' && c != '\n', c == 0x7f:
			return "", 0, authServIDError("control character "+quoteByte(c)+" in the quoted authserv-id", v)
		}
	}
	return "", 0, authServIDError("unclosed quoted-string", v)
}

// isTokenByte reports whether c may appear in an RFC 2045 token: a printable ASCII character other
// than the tspecials, or (RFC 6532) any byte of a UTF-8 sequence.
func isTokenByte(c byte) bool {
	if c >= 0x80 {
		return true
	}
	return c > ' ' && c < 0x7f && strings.IndexByte(`()<>@,;:\"/[]?=`, c) < 0
}

// isQuotedPairByte: quoted-pair = "\" (VCHAR / WSP), RFC 6532 adding UTF-8.
func isQuotedPairByte(c byte) bool {
	return c == ' ' || c == '\t' || (c > ' ' && c != 0x7f)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func quoteByte(c byte) string {
	if c >= ' ' && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return `'\x` + string([]byte{hex[c>>4], hex[c&15]}) + "'"
}

func authServIDError(why, v string) error {
	return fmt.Errorf("%w of %s: %s", ErrAuthServID, strconv.Quote(clip(v, 60)), why)
}
