package tenantgate

import (
	"fmt"
	"strings"
)

// maxCertNameLen bounds a certificate name before it is normalised: the longest DNS name is 253
// octets, "*." adds two and a trailing dot one. Longer input is refused without further work.
const maxCertNameLen = 256

// ParseCertName normalises a DNS name as a TLS certificate carries it (a subject alternative name
// or the subject common name) and as the configuration names one (an inbound connector's
// TLSSenderCertificateName, an outbound connector's TLSDomain, the gateway's certNames): a host
// name as ParseDomain returns it, or an RFC 6125 wildcard "*.host" whose base is one, reported as
// the base and wildcard true. It refuses everything else with an error wrapping ErrDomain: a bare
// "*", partial or embedded wildcards, names longer than 256 octets, and names whose last label is
// all digits, such as the IPv4 address "192.0.2.1" — no DNS name ends so (RFC 3696 §2), and an
// address is not a DNS name for certificate matching (RFC 6125 §6.2.1). Compile and
// tlsid.NormalizeName both use it, so a name the configuration accepts is one a certificate can
// match.
func ParseCertName(s string) (name Domain, wildcard bool, err error) {
	if len(s) > maxCertNameLen {
		return "", false, fmt.Errorf("%w %q: longer than %d octets", ErrDomain, clip(s), maxCertNameLen)
	}
	rest, wildcard := strings.CutPrefix(s, "*.")
	d, err := ParseDomain(rest) // refuses '*', NUL, spaces, invalid UTF-8, empty labels
	if err != nil {
		return "", false, err
	}
	if tld := string(d[strings.LastIndexByte(string(d), '.')+1:]); strings.Trim(tld, "0123456789") == "" {
		return "", false, fmt.Errorf("%w %q: its last label is all digits, as in an IP address, which is not a certificate DNS name", ErrDomain, clip(s))
	}
	return d, wildcard, nil
}
