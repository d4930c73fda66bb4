package tlsid

import "github.com/tenantgate/tenantgate"

// normName normalises a certificate name the way Evidence.Names holds it, with
// tenantgate.ParseCertName (the normaliser Compile checks configured names with): a host name in
// A-label lower case ("mail.contoso.com"), or an RFC 6125 wildcard "*.base" whose base is such a
// host name. It returns the host name (or the base of a wildcard), whether it was a wildcard, and
// false for anything else: partial or embedded wildcards, a bare "*", NUL and other bytes a host
// name cannot hold, invalid UTF-8, empty labels, over-long names, IPv4 literals.
func normName(s string) (name tenantgate.Domain, wildcard, ok bool) {
	d, w, err := tenantgate.ParseCertName(s)
	if err != nil {
		return "", false, false
	}
	return d, w, true
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
