package tlsid

import (
	"errors"
	"fmt"
	"strings"
)

// dnCN returns the single common name of a certificate subject DN as Sendmail passes it in
// {cert_subject}: xtext-encoded (RFC 3461 §4, "+20" for a space; Sendmail xtextifies every macro
// value it takes from the certificate), then either OpenSSL's X509_NAME_oneline form
// "/C=US/O=Microsoft Corporation/CN=mail.protection.outlook.com" or an RFC 4514 string
// "CN=mail.protection.outlook.com,O=Microsoft Corporation,C=US". It refuses what could be read
// two ways: no CN or more than one, a CN given in hex (#…), a value the grammar does not allow
// unescaped, an xtext '+' without two hex digits, a NUL.
func dnCN(raw string) (string, error) {
	s, err := xtextDecode(raw)
	if err != nil {
		return "", err
	}
	var cns []string
	if strings.HasPrefix(s, "/") {
		cns, err = onelineCNs(s)
	} else {
		cns, err = rfc4514CNs(s)
	}
	if err != nil {
		return "", err
	}
	if len(cns) != 1 {
		return "", fmt.Errorf("tlsid: {cert_subject} %q has %d common names, want 1", clip(raw), len(cns))
	}
	return cns[0], nil
}

// xtextDecode undoes RFC 3461 §4 xtext: "+" and two hexadecimal digits stand for one byte.
func xtextDecode(s string) (string, error) {
	if !strings.Contains(s, "+") {
		if strings.IndexByte(s, 0) >= 0 {
			return "", errors.New("tlsid: NUL in a Sendmail macro")
		}
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			hi, ok1 := unhex(s, i+1)
			lo, ok2 := unhex(s, i+2)
			if !ok1 || !ok2 {
				return "", fmt.Errorf("tlsid: Sendmail macro %q: '+' at byte %d is not followed by two hex digits (RFC 3461 xtext)", clip(s), i)
			}
			c = hi<<4 | lo
			i += 2
		}
		if c == 0 {
			return "", errors.New("tlsid: NUL in a Sendmail macro")
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

func unhex(s string, i int) (byte, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch c := s[i]; {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// isCNType reports whether an attribute type names the common name: its short name, long name or
// OID (RFC 4519 §2.3, 2.5.4.3), in any case.
func isCNType(t string) bool {
	return strings.EqualFold(t, "CN") || strings.EqualFold(t, "commonName") || t == "2.5.4.3"
}

// validType: descr = ALPHA *(ALPHA / DIGIT / "-"), numericoid = number 1*("." number) (RFC 4512 §1.4).
func validType(t string) bool {
	if t == "" {
		return false
	}
	if isAlpha(t[0]) {
		for i := 1; i < len(t); i++ {
			if c := t[i]; !isAlpha(c) && !('0' <= c && c <= '9') && c != '-' {
				return false
			}
		}
		return true
	}
	parts := strings.Split(t, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }

// onelineCNs reads X509_NAME_oneline's "/type=value/type=value" (one trailing '/' tolerated, as in
// Sendmail's documentation). The form escapes nothing: a value holding '/' or '=' cannot be told
// from a further attribute, and OpenSSL writes a byte outside printable ASCII as "\xHH", which a
// literal backslash could imitate; so such values are refused. What the form cannot show at all is
// an attribute value holding "/CN=name" in a certificate without a CN of its own; Sendmail's
// {cn_subject} (Macros.CNSubject) closes that gap.
func onelineCNs(s string) ([]string, error) {
	body := strings.TrimSuffix(s[1:], "/")
	if body == "" {
		return nil, fmt.Errorf("tlsid: {cert_subject} %q: empty DN", clip(s))
	}
	var cns []string
	for part := range strings.SplitSeq(body, "/") {
		t, v, ok := strings.Cut(part, "=")
		switch {
		case !ok:
			return nil, fmt.Errorf("tlsid: {cert_subject} %q: %q is no type=value (a '/' inside a value?)", clip(s), clip(part))
		case !validType(t):
			return nil, fmt.Errorf("tlsid: {cert_subject} %q: attribute type %q", clip(s), clip(t))
		case strings.ContainsAny(v, "=\\"):
			return nil, fmt.Errorf("tlsid: {cert_subject} %q: value of %s holds '=' or '\\', ambiguous in the /type=value form", clip(s), t)
		}
		if isCNType(t) {
			cns = append(cns, v)
		}
	}
	return cns, nil
}

// rfc4514CNs reads an RFC 4514 §3 distinguished name strictly: RDNs separated by ',', AVAs by '+',
// no white space around either, the characters `"+,;<>\` and NUL only escaped, a leading ' ' or
// '#' and a trailing ' ' only escaped, hex pairs well formed.
func rfc4514CNs(s string) ([]string, error) {
	if s == "" {
		return nil, errors.New("tlsid: {cert_subject}: empty DN")
	}
	var cns []string
	i := 0
	for {
		// attributeType "="
		j := strings.IndexByte(s[i:], '=')
		if j < 0 {
			return nil, fmt.Errorf("tlsid: {cert_subject} %q: no '=' after byte %d", clip(s), i)
		}
		t := s[i : i+j]
		if !validType(t) {
			return nil, fmt.Errorf("tlsid: {cert_subject} %q: attribute type %q (RFC 4514 §3)", clip(s), clip(t))
		}
		i += j + 1
		v, n, hex, err := rfc4514Value(s[i:])
		if err != nil {
			return nil, fmt.Errorf("tlsid: {cert_subject} %q: value of %s: %w", clip(s), t, err)
		}
		i += n
		if isCNType(t) {
			if hex {
				return nil, fmt.Errorf("tlsid: {cert_subject} %q: a CN in #hex form is not read", clip(s))
			}
			cns = append(cns, v)
		}
		if i == len(s) {
			return cns, nil
		}
		i++ // the ',' or '+' that ended the value
		if i == len(s) {
			return nil, fmt.Errorf("tlsid: {cert_subject} %q: ends with a separator", clip(s))
		}
	}
}

// rfc4514Value reads one attributeValue at the start of s up to an unescaped ',' or '+' or the
// end. It returns the value unescaped, the bytes read, and whether it was a #hexstring.
func rfc4514Value(s string) (string, int, bool, error) {
	if strings.HasPrefix(s, "#") {
		i := 1
		for i+1 < len(s) {
			_, ok1 := unhex(s, i)
			_, ok2 := unhex(s, i+1)
			if !ok1 || !ok2 {
				break
			}
			i += 2
		}
		if i == 1 || (i < len(s) && s[i] != ',' && s[i] != '+') {
			return "", 0, false, errors.New("malformed #hexstring")
		}
		return s[:i], i, true, nil
	}
	var b strings.Builder
	i := 0
	lastEscaped := false
	for i < len(s) {
		c := s[i]
		switch {
		case c == ',' || c == '+':
			if i > 0 && s[i-1] == ' ' && !lastEscaped {
				return "", 0, false, errors.New("unescaped trailing space")
			}
			return b.String(), i, false, nil
		case c == '\\':
			if i+1 >= len(s) {
				return "", 0, false, errors.New("'\\' at the end")
			}
			n := s[i+1]
			if hi, ok := unhex(s, i+1); ok {
				lo, ok := unhex(s, i+2)
				if !ok {
					return "", 0, false, errors.New("'\\' with one hex digit")
				}
				if hi<<4|lo == 0 {
					return "", 0, false, errors.New("escaped NUL")
				}
				b.WriteByte(hi<<4 | lo)
				i += 3
			} else if strings.IndexByte("\"+,;<>\\ #=", n) >= 0 {
				b.WriteByte(n)
				i += 2
			} else {
				return "", 0, false, fmt.Errorf("'\\' before %q (RFC 4514 §3 pair)", n)
			}
			lastEscaped = true
			continue
		case c == 0 || strings.IndexByte("\";<>", c) >= 0:
			return "", 0, false, fmt.Errorf("unescaped %q", c)
		case i == 0 && (c == ' ' || c == '#'):
			return "", 0, false, fmt.Errorf("unescaped leading %q", c)
		}
		b.WriteByte(c)
		lastEscaped = false
		i++
	}
	if i > 0 && s[i-1] == ' ' && !lastEscaped {
		return "", 0, false, errors.New("unescaped trailing space")
	}
	return b.String(), i, false, nil
}
