package tlsid

import (
	"strings"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate"
)

// maxNameLen bounds a presented name before it is normalised: the longest DNS name is 253
// octets, "*." adds two and a trailing dot one. Longer input is refused without further work.
const maxNameLen = 256

// normName normalises a certificate name the way Evidence.Names holds it: a host name in A-label
// lower case ("mail.contoso.com"), or an RFC 6125 wildcard "*.base" whose base is such a host
// name. It returns the host name (or the base of a wildcard), whether it was a wildcard, and false
// for anything else: partial or embedded wildcards, a bare "*", NUL and other bytes a host name
// cannot hold, invalid UTF-8, empty labels, over-long names, IPv4 literals.
func normName(s string) (name tenantgate.Domain, wildcard, ok bool) {
	// Invalid UTF-8 is refused here: tenantgate.ParseDomain maps it to U+FFFD and returns an
	// A-label that does not parse again.
	if s == "" || len(s) > maxNameLen || !utf8.ValidString(s) {
		return "", false, false
	}
	rest, wildcard := strings.CutPrefix(s, "*.")
	d, err := tenantgate.ParseDomain(rest) // refuses '*', NUL, spaces, empty labels
	if err != nil || numericTLD(d) {
		return "", false, false
	}
	return d, wildcard, true
}

// numericTLD reports whether d's last label is all digits, as in an IPv4 literal: no DNS name
// ends so (RFC 3696 §2), and an address is not a host name for RFC 6125 matching.
func numericTLD(d tenantgate.Domain) bool {
	tld := string(d[strings.LastIndexByte(string(d), '.')+1:])
	return strings.Trim(tld, "0123456789") == ""
}

// NormalizeName returns name as Evidence.Names holds it (A-label, lower case, no trailing dot;
// a wildcard "*.base" kept as such) and true, or "" and false when name is not a usable DNS
// name or RFC 6125 wildcard.
func NormalizeName(name string) (string, bool) {
	d, w, ok := normName(name)
	if !ok {
		return "", false
	}
	if w {
		return "*." + string(d), true
	}
	return string(d), true
}

// wildcardBaseOK reports whether a presented wildcard "*.base" may match anything: its base must
// have at least two labels, so "*.com" matches nothing (RFC 6125 §7.2 warns against wildcards
// that cover a whole public suffix; crypto/x509 accepts them).
func wildcardBaseOK(base tenantgate.Domain) bool { return base.Parent() != "" }
