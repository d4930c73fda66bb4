// Package rfc5322 holds the character classes of RFC 5322 that classify and the example servers
// share (https://www.rfc-editor.org/rfc/rfc5322#section-3.2.3).
package rfc5322

// IsAtext reports whether c is an atext character: ASCII letters, digits and
// !#$%&'*+-/=?^_`{|}~.
func IsAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '/', '=', '?', '^', '_', '`', '{', '|', '}', '~':
		return true
	}
	return false
}
