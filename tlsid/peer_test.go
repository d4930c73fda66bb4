package tlsid

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// matchPeerNameTests follow RFC 6125 §6.4 and crypto/x509's matchHostnamesTests; the EXO near
// misses are docs/threat-model.md#threat-6.
var matchPeerNameTests = []struct {
	presented, expected string
	want                bool
}{
	// Exact names, case-insensitive (RFC 6125 §6.4.1).
	{"mail.protection.outlook.com", "mail.protection.outlook.com", true},
	{"MAIL.Protection.Outlook.COM", "mail.protection.outlook.com", true},
	{"mail.protection.outlook.com", "Mail.Protection.Outlook.Com", true},
	{"mail.protection.outlook.com", "mail.protection.outlook.com.", true}, // absolute form of the same name
	// Threats case 6: near misses fail.
	{"mail.protection.outlook.comx", "mail.protection.outlook.com", false},
	{"mail.protection.outlook.com.evil.tld", "mail.protection.outlook.com", false},
	{"evil-mail.protection.outlook.com", "mail.protection.outlook.com", false},
	{"mail.protection.outlook.co", "mail.protection.outlook.com", false},
	{"protection.outlook.com", "mail.protection.outlook.com", false},
	{"*.outlook.com", "mail.protection.outlook.com", false}, // one label only
	{"mail.protection.outlook.com\x00.evil.tld", "mail.protection.outlook.com", false},
	{"mail.protection.outlook.com\x00", "mail.protection.outlook.com", false},
	{"mail.protection.outlook.com ", "mail.protection.outlook.com", false},
	{"", "mail.protection.outlook.com", false},
	// Wildcards: one whole left-most label (RFC 6125 §6.4.3).
	{"*.example.com", "www.example.com", true},
	{"*.Example.COM", "WWW.example.com", true},
	{"*.example.com", "example.com", false},
	{"*.example.com", "xyz.www.example.com", false},
	{"*.protection.outlook.com", "mail.protection.outlook.com", true},
	{"f*.example.com", "foobar.example.com", false},
	{"*bar.example.com", "foobar.example.com", false},
	{"f*o.example.com", "foo.example.com", false},
	{"www.*.example.com", "www.a.example.com", false},
	{"*.*.example.com", "a.b.example.com", false},
	{"*", "example", false},
	{"*.", "example.", false},
	{"*.com", "example.com", false}, // deliberate divergence from crypto/x509: no single-label wildcard
	// The expected name is a host, never a pattern.
	{"*.example.com", "*.example.com", false},
	{"www.example.com", "*.example.com", false},
	{"www.example.com", "", false},
	// A-labels: a U-label on either side compares as its A-label (RFC 6125 §6.4.2).
	{"xn--bcher-kva.example", "bücher.example", true},
	{"bücher.example", "xn--bcher-kva.example", true},
	{"*.xn--bcher-kva.example", "mail.bücher.example", true},
	// Lookalikes stay different: Cyrillic "а" in "exаmple".
	{"exаmple.com", "example.com", false},
	// IP literals are not DNS names.
	{"192.0.2.1", "192.0.2.1", false},
}

func TestMatchPeerName(t *testing.T) {
	for _, tc := range matchPeerNameTests {
		if got := MatchPeerName(tc.presented, tc.expected); got != tc.want {
			t.Errorf("MatchPeerName(%q, %q) = %v, want %v", tc.presented, tc.expected, got, tc.want)
		}
	}
}

func TestVerifyPeer(t *testing.T) {
	exo := []string{"mail.protection.outlook.com"}
	tests := []struct {
		name     string
		ev       Evidence
		expected []string
		want     error // compared with errors.Is, or cmp.Diff for *NameMismatchError
	}{
		{"plaintext", Evidence{}, exo, ErrNoTLS},
		{"tls without certificate", Evidence{TLS: true}, exo, ErrNoCertificate},
		{"unverified with matching names", Evidence{TLS: true, Names: exo, Error: "x509: certificate signed by unknown authority"}, exo, ErrUnverified},
		{"unverified without detail", Evidence{TLS: true, Subject: "CN=mail.protection.outlook.com"}, exo, ErrUnverified},
		{"verified but nothing expected", Evidence{TLS: true, Verified: true, Names: exo}, nil, ErrNoExpectedNames},
		{"verified exact", Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.com"}}, exo, nil},
		{"verified second name", Evidence{TLS: true, Verified: true, Names: []string{"outlook.com", "mail.protection.outlook.com"}}, exo, nil},
		{"verified second expected", Evidence{TLS: true, Verified: true, Names: []string{"b.example"}}, []string{"a.example", "b.example"}, nil},
		{"verified one-label wildcard", Evidence{TLS: true, Verified: true, Names: []string{"*.protection.outlook.com"}}, exo, nil},
		{"verified near miss", Evidence{TLS: true, Verified: true, Names: []string{"mail.protection.outlook.comx"}}, exo,
			&NameMismatchError{Want: exo, Got: []string{"mail.protection.outlook.comx"}}},
		{"verified no names (CN only)", Evidence{TLS: true, Verified: true, Subject: "CN=mail.protection.outlook.com"}, exo,
			&NameMismatchError{Want: exo}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := VerifyPeer(tc.ev, tc.expected)
			var want *NameMismatchError
			if errors.As(tc.want, &want) {
				var nm *NameMismatchError
				if !errors.As(got, &nm) {
					t.Fatalf("VerifyPeer = %v, want %v", got, tc.want)
				}
				if diff := cmp.Diff(want, nm); diff != "" {
					t.Errorf("NameMismatchError (-want +got):\n%s", diff)
				}
				return
			}
			if !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
				t.Errorf("VerifyPeer = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Mail.Protection.Outlook.COM", "mail.protection.outlook.com", true},
		{"mail.protection.outlook.com.", "mail.protection.outlook.com", true},
		{"*.Example.com", "*.example.com", true},
		{"bücher.example", "xn--bcher-kva.example", true},
		{"0\x9a.example", "", false}, // invalid UTF-8 (found by FuzzFromMacros)
		{"f*.example.com", "", false},
		{"*", "", false},
		{"a\x00b.example", "", false},
		{"192.0.2.1", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := NormalizeName(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzNormalizeName(f *testing.F) {
	for _, tc := range matchPeerNameTests {
		f.Add(tc.presented)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeName(s)
		if !ok {
			return
		}
		// Idempotent, lower case, and a name matches itself unless it is a wildcard.
		if m, ok := NormalizeName(n); !ok || m != n {
			t.Errorf("NormalizeName(%q) = %q, again %q %v", s, n, m, ok)
		}
		if strings.ToLower(n) != n {
			t.Errorf("NormalizeName(%q) = %q, not lower case", s, n)
		}
		if !strings.HasPrefix(n, "*.") && !MatchPeerName(n, n) {
			t.Errorf("%q does not match itself", n)
		}
	})
}
