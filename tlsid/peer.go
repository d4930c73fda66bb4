package tlsid

import (
	"errors"
	"fmt"
	"strings"
)

// MatchPeerName reports whether the certificate name presented by a peer identifies the host
// expected, under RFC 6125 §6.4 as crypto/x509's VerifyHostname applies it to DNS names:
//   - names compare case-insensitively, as A-labels (U-labels are converted, RFC 6125 §6.4.2);
//   - a wildcard is only the whole left-most label of the presented name, "*.example.com", and
//     stands for exactly one label: it matches "www.example.com", not "example.com" nor
//     "a.b.example.com" (§6.4.3);
//   - partial wildcards ("f*.example.com", "*x.example.com"), embedded ones ("a.*.example.com"),
//     a bare "*", and wildcards over a single label ("*.com") never match — the last is a
//     deliberate divergence from crypto/x509, which accepts it;
//   - expected must be a host name; a wildcard or anything unparsable never matches;
//   - names containing NUL or other bytes a host name cannot hold never match.
//
// Everything else is an exact comparison: "mail.protection.outlook.comx",
// "mail.protection.outlook.com.evil.tld" and "evil-mail.protection.outlook.com" do not match
// "mail.protection.outlook.com" (docs/threat-model.md#threat-6).
func MatchPeerName(presented, expected string) bool {
	e, ew, ok := normName(expected)
	if !ok || ew {
		return false
	}
	p, pw, ok := normName(presented)
	if !ok {
		return false
	}
	if !pw {
		return p == e
	}
	return wildcardBaseOK(p) && e.Parent() == p
}

// Errors VerifyPeer returns; test them with errors.Is.
var (
	// ErrNoTLS: the session was not encrypted.
	ErrNoTLS = errors.New("tlsid: no TLS")
	// ErrNoCertificate: the peer presented no certificate.
	ErrNoCertificate = errors.New("tlsid: no certificate presented")
	// ErrUnverified: the peer's certificate did not verify; the error text carries Evidence.Error.
	ErrUnverified = errors.New("tlsid: certificate not verified")
	// ErrNoExpectedNames: the caller expected no name, so nothing can match (fail closed).
	ErrNoExpectedNames = errors.New("tlsid: no expected peer names")
)

// NameMismatchError is VerifyPeer's error when a verified certificate carries none of the
// expected names.
type NameMismatchError struct {
	// Want are the names the caller expected, Got the names the certificate carries.
	Want, Got []string
}

func (e *NameMismatchError) Error() string {
	got := "no DNS names"
	if len(e.Got) > 0 {
		got = strings.Join(e.Got, ", ")
	}
	return fmt.Sprintf("tlsid: certificate names (%s) match none of %s", got, strings.Join(e.Want, ", "))
}

// VerifyPeer checks that ev proves one of the expected host names: TLS, a presented certificate
// that verified, and a name matching one of expected by MatchPeerName. It returns nil or, in
// this order of precedence, ErrNoTLS, ErrNoCertificate, an error wrapping ErrUnverified,
// ErrNoExpectedNames, or a *NameMismatchError. Names of an unverified certificate are never
// compared.
func VerifyPeer(ev Evidence, expected []string) error {
	switch {
	case !ev.TLS:
		return ErrNoTLS
	case !ev.Verified && !ev.Presented():
		return ErrNoCertificate
	case !ev.Verified:
		if ev.Error == "" {
			return ErrUnverified
		}
		return fmt.Errorf("%w: %s", ErrUnverified, ev.Error)
	case len(expected) == 0:
		return ErrNoExpectedNames
	}
	for _, want := range expected {
		for _, got := range ev.Names {
			if MatchPeerName(got, want) {
				return nil
			}
		}
	}
	return &NameMismatchError{Want: expected, Got: ev.Names}
}
