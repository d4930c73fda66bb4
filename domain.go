package tenantgate

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Domain is a DNS domain in the one form tenantgate compares: IDNA A-labels, lower case, no trailing
// dot. Build it with ParseDomain; a Domain that did not come from ParseDomain (a string
// conversion, a field of a Config that was not compiled) may be in any form and never compares
// equal to its normalised spelling. The zero value is "no domain".
type Domain string

// ErrDomain is wrapped by every error ParseDomain and ParseDomainPattern return.
var ErrDomain = errors.New("tenantgate: invalid domain")

// ParseDomain normalises s into a Domain: one trailing dot is dropped, U-labels are converted to
// A-labels and upper case to lower case with the IDNA2008 lookup profile (x/net/idna.Lookup),
// and each label must be 1–63 octets, the whole at most 253. Wildcards, underscores, spaces,
// address literals and empty labels are refused. Lookalikes stay different: "exаmple.com" with a
// Cyrillic "а" becomes an xn-- label that never equals "example.com".
func ParseDomain(s string) (Domain, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrDomain)
	}
	in := strings.TrimSuffix(s, ".")
	if isPlainDomain(in) {
		// Already in the form the IDNA path below returns: Compile parses several names per
		// tenant, and this saves two IDNA passes for each (FuzzParseDomain compares the paths).
		return Domain(in), nil
	}
	return parseDomainIDNA(s, in)
}

// parseDomainIDNA is ParseDomain for a name that is not plain (isPlainDomain): s is the input,
// in s without its trailing dot.
func parseDomainIDNA(s, in string) (Domain, error) {
	if in == "" || strings.ContainsAny(in, "*[]@ \t\r\n\x00") {
		return "", fmt.Errorf("%w %q: not a host name", ErrDomain, clip(s))
	}
	if !utf8.ValidString(in) {
		return "", fmt.Errorf("%w %q: not valid UTF-8", ErrDomain, clip(s))
	}
	a, err := idna.Lookup.ToASCII(in)
	if err != nil {
		return "", fmt.Errorf("%w %q: %v", ErrDomain, clip(s), err)
	}
	// The A-label form must itself be valid: a Punycode label that decodes to a disallowed
	// code point is refused, so every Domain is a fixed point of ParseDomain.
	if again, err := idna.Lookup.ToASCII(a); err != nil || again != a {
		return "", fmt.Errorf("%w %q: its A-label form %q is not a valid domain", ErrDomain, clip(s), clip(a))
	}
	if len(a) > 253 {
		return "", fmt.Errorf("%w %q: longer than 253 octets", ErrDomain, clip(s))
	}
	for label := range strings.SplitSeq(a, ".") {
		if label == "" {
			return "", fmt.Errorf("%w %q: empty label", ErrDomain, clip(s))
		}
		if len(label) > 63 {
			return "", fmt.Errorf("%w %q: label longer than 63 octets", ErrDomain, clip(s))
		}
	}
	return Domain(a), nil
}

// isPlainDomain reports whether s is a host name the IDNA lookup profile leaves as it is and
// ParseDomain accepts: at most 253 octets of labels of 1–63 lower-case letters, digits and
// hyphens, none starting or ending with a hyphen or holding one in its third and fourth
// position (which also excludes the A-labels "xn--…", whose Punycode IDNA must check).
func isPlainDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
			continue
		}
		label := s[start:i]
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' ||
			len(label) >= 4 && label[2] == '-' && label[3] == '-' {
			return false
		}
		start = i + 1
	}
	return true
}

// MustParseDomain is ParseDomain for constants in tests and examples; it panics on a bad value.
func MustParseDomain(s string) Domain {
	d, err := ParseDomain(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the A-label form.
func (d Domain) String() string { return string(d) }

// Unicode returns the domain for display, with A-labels converted back to U-labels where that is
// valid; otherwise the A-label form.
func (d Domain) Unicode() string {
	u, err := idna.Display.ToUnicode(string(d))
	if err != nil {
		return string(d)
	}
	return u
}

// Parent returns the domain with its left-most label removed, or "" for a single label.
func (d Domain) Parent() Domain {
	i := strings.IndexByte(string(d), '.')
	if i < 0 {
		return ""
	}
	return d[i+1:]
}

// IsSubdomainOf reports whether d is parent or lies below it (any depth).
func (d Domain) IsSubdomainOf(parent Domain) bool {
	if parent == "" {
		return false
	}
	return d == parent || strings.HasSuffix(string(d), "."+string(parent))
}

// DomainPattern is a domain value as Exchange Online connectors take it (SenderDomains,
// RecipientDomains, TLSSenderCertificateName, TLSDomain): "contoso.com" matches exactly that
// domain; "*.contoso.com" matches contoso.com itself and every subdomain at any depth (Microsoft:
// "a domain and all subdomains" — unlike an RFC 6125 certificate wildcard); "*" matches every
// domain. Embedded or partial wildcards ("a.*.contoso.com", "f*.contoso.com") are refused, as
// New-InboundConnector refuses them. Build it with ParseDomainPattern.
type DomainPattern string

// PatternAll is the catch-all pattern "*".
const PatternAll DomainPattern = "*"

// ParseDomainPattern normalises s into a DomainPattern (the domain part as ParseDomain does).
func ParseDomainPattern(s string) (DomainPattern, error) {
	switch {
	case s == "*":
		return PatternAll, nil
	case strings.HasPrefix(s, "*."):
		d, err := ParseDomain(s[2:])
		if err != nil {
			return "", fmt.Errorf("%w pattern %q: %v", ErrDomain, clip(s), errors.Unwrap(err))
		}
		return DomainPattern("*." + string(d)), nil
	case strings.Contains(s, "*"):
		return "", fmt.Errorf("%w pattern %q: a wildcard may only be the whole pattern \"*\" or its left-most label \"*.\"", ErrDomain, clip(s))
	}
	d, err := ParseDomain(s)
	if err != nil {
		return "", err
	}
	return DomainPattern(d), nil
}

// MustParseDomainPattern is ParseDomainPattern for constants; it panics on a bad value.
func MustParseDomainPattern(s string) DomainPattern {
	p, err := ParseDomainPattern(s)
	if err != nil {
		panic(err)
	}
	return p
}

// IsWildcard reports whether p is "*" or "*.domain".
func (p DomainPattern) IsWildcard() bool { return strings.HasPrefix(string(p), "*") }

// Base returns the domain a pattern is anchored at: "contoso.com" for both "contoso.com" and
// "*.contoso.com", "" for "*".
func (p DomainPattern) Base() Domain {
	return Domain(strings.TrimPrefix(strings.TrimPrefix(string(p), "*"), "."))
}

// Match reports whether d falls under p with Exchange Online's semantics. d must be normalised.
func (p DomainPattern) Match(d Domain) bool {
	switch {
	case p == "" || d == "":
		return false
	case p == PatternAll:
		return true
	case strings.HasPrefix(string(p), "*."):
		return d.IsSubdomainOf(p.Base())
	}
	return Domain(p) == d
}

// Specificity orders patterns from least to most specific: "*" is 0, "*.x" counts the labels of x
// (so "*.sales.contoso.com" beats "*.contoso.com"), and an exact domain beats every wildcard.
func (p DomainPattern) Specificity() int {
	switch {
	case p == "":
		return -1
	case p == PatternAll:
		return 0
	case p.IsWildcard():
		return 1 + strings.Count(string(p.Base()), ".") + 1
	}
	return 1 << 16
}

// ErrAddress is wrapped by every error AddressDomain returns.
var ErrAddress = errors.New("tenantgate: invalid address")

// AddressDomain returns the normalised domain of an RFC 5321 mailbox ("local@domain", optionally in
// angle brackets, optionally with an obsolete source route "@a,@b:local@domain"). The domain is the
// part after the last '@' that is not inside a quoted local part, so `"a@contoso.com"@evil.example`
// yields evil.example. The null reverse-path ("" or "<>") and anything unparsable is an error.
func AddressDomain(addr string) (Domain, error) {
	a := strings.TrimSpace(addr)
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	if a == "" {
		return "", fmt.Errorf("%w: null reverse-path has no domain", ErrAddress)
	}
	if strings.HasPrefix(a, "@") { // source route: "@a,@b:user@d"
		i := strings.IndexByte(a, ':')
		if i < 0 {
			return "", fmt.Errorf("%w %q: source route without ':'", ErrAddress, clip(addr))
		}
		a = a[i+1:]
	}
	at := -1
	quoted, escaped := false, false
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\' && quoted:
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == '@' && !quoted:
			at = i
		}
	}
	if quoted {
		return "", fmt.Errorf("%w %q: unterminated quoted local part", ErrAddress, clip(addr))
	}
	if at <= 0 || at == len(a)-1 {
		return "", fmt.Errorf("%w %q: want local@domain", ErrAddress, clip(addr))
	}
	d, err := ParseDomain(a[at+1:])
	if err != nil {
		return "", fmt.Errorf("%w %q: %v", ErrAddress, clip(addr), err)
	}
	return d, nil
}
