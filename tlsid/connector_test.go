package tlsid

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// Expectations from docs/exchange-online.md#certificate-names: a connector value "*.contoso.com" is
// "a domain and all subdomains"; exact values match exactly; a wildcard in the presented
// certificate "*.X" matches a value one label under X or the value "*.X" itself (the suggested
// [INF] rule).
var matchConnectorNameTests = []struct {
	pattern, cert string
	rule          WildcardRule
	want          bool
}{
	{"*.contoso.com", "contoso.com", WildcardOneLabel, true},
	{"*.contoso.com", "mail.contoso.com", WildcardOneLabel, true},
	{"*.contoso.com", "a.b.contoso.com", WildcardOneLabel, true},
	{"*.contoso.com", "MAIL.Contoso.COM", WildcardOneLabel, true},
	{"*.Contoso.com", "mail.contoso.com", WildcardOneLabel, true}, // raw configuration value
	{"*.contoso.com", "contoso.com.evil.tld", WildcardOneLabel, false},
	{"*.contoso.com", "evilcontoso.com", WildcardOneLabel, false},
	{"*.contoso.com", "com", WildcardOneLabel, false},
	{"mail.contoso.com", "mail.contoso.com", WildcardOneLabel, true},
	{"mail.contoso.com", "Mail.Contoso.Com", WildcardOneLabel, true},
	{"mail.contoso.com", "contoso.com", WildcardOneLabel, false},
	{"mail.contoso.com", "a.mail.contoso.com", WildcardOneLabel, false},
	{"mail.contoso.com", "mail.contoso.comx", WildcardOneLabel, false},
	{"mail.contoso.com", "mail.contoso.com\x00.evil.tld", WildcardOneLabel, false},
	// Presented wildcards, default rule.
	{"a.gw.example.net", "*.gw.example.net", WildcardOneLabel, true},
	{"*.gw.example.net", "*.gw.example.net", WildcardOneLabel, true},
	{"gw.example.net", "*.gw.example.net", WildcardOneLabel, false},
	{"a.b.gw.example.net", "*.gw.example.net", WildcardOneLabel, false},
	{"*.example.net", "*.gw.example.net", WildcardOneLabel, false},      // broader value: not covered by the rule
	{"*.a.gw.example.net", "*.gw.example.net", WildcardOneLabel, false}, // narrower wildcard value
	{"contoso.com", "*.com", WildcardOneLabel, false},                   // single-label wildcard base
	{"*.com", "*.com", WildcardOneLabel, false},
	// Presented wildcards, the alternative.
	{"a.gw.example.net", "*.gw.example.net", WildcardNever, false},
	{"*.gw.example.net", "*.gw.example.net", WildcardNever, false},
	{"mail.contoso.com", "mail.contoso.com", WildcardNever, true}, // plain names are unaffected
	// Never matching.
	{"*", "mail.contoso.com", WildcardOneLabel, false},
	{"", "mail.contoso.com", WildcardOneLabel, false},
	{"mail.contoso.com", "", WildcardOneLabel, false},
	{"a.*.contoso.com", "a.b.contoso.com", WildcardOneLabel, false},
	{"*.contoso.com", "f*.contoso.com", WildcardOneLabel, false},
	{"*.contoso.com", "*", WildcardOneLabel, false},
	{"*.contoso.com", "*.*.contoso.com", WildcardOneLabel, false},
	{"mail.contoso.com", "mail.contoso.com", WildcardRule(9), true},  // unknown rule: plain names still exact
	{"a.gw.example.net", "*.gw.example.net", WildcardRule(9), false}, // unknown rule fails closed
}

func TestMatchConnectorName(t *testing.T) {
	for _, tc := range matchConnectorNameTests {
		if got := MatchConnectorName(tenantgate.DomainPattern(tc.pattern), tc.cert, tc.rule); got != tc.want {
			t.Errorf("MatchConnectorName(%q, %q, %v) = %v, want %v", tc.pattern, tc.cert, tc.rule, got, tc.want)
		}
	}
}

// connectorConfig is a Directory with one tenant per connector value, so that the index can be
// compared with MatchConnectorName over every connector.
func connectorConfig(t testing.TB, values []string) *tenantgate.Directory {
	t.Helper()
	var c tenantgate.Config
	disabled := false
	for i, v := range values {
		id, err := tenantgate.ParseTenantID(fmt.Sprintf("%08x-0000-0000-0000-000000000000", i+1))
		if err != nil {
			t.Fatal(err)
		}
		ten := tenantgate.Tenant{ID: id, Name: fmt.Sprintf("t%d", i+1)}
		ten.Inbound = []tenantgate.InboundConnector{
			{Name: "by-cert", TLSSenderCertificateName: tenantgate.DomainPattern(v)},
			// A disabled connector with the same value never matches.
			{Name: "disabled", TLSSenderCertificateName: tenantgate.DomainPattern(v), Enabled: &disabled},
		}
		c.Tenants = append(c.Tenants, ten)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var connectorValues = []string{
	"contoso.com", "*.contoso.com", "mail.contoso.com", "a.b.contoso.com",
	"gw.example.net", "*.gw.example.net", "a.gw.example.net", "b.gw.example.net", "x.a.gw.example.net",
	"*.example.net", "*.a.gw.example.net", "example.net",
}

func refNames(refs []*tenantgate.InboundRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Tenant.Name+"/"+r.Connector.Name+"="+string(r.Connector.TLSSenderCertificateName))
	}
	return out
}

// TestConnectorsAgreeWithDirectory checks that the Directory's certificate indexes, as
// Connectors uses them, select exactly the enabled connectors MatchConnectorName accepts.
func TestConnectorsAgreeWithDirectory(t *testing.T) {
	d := connectorConfig(t, connectorValues)
	certs := []string{
		"contoso.com", "mail.contoso.com", "x.mail.contoso.com", "a.b.contoso.com", "other.com",
		"gw.example.net", "a.gw.example.net", "c.gw.example.net", "x.a.gw.example.net", "example.net",
		"*.gw.example.net", "*.a.gw.example.net", "*.example.net", "*.contoso.com", "*.net", "*.b.contoso.com",
		"MAIL.CONTOSO.COM", "mail.contoso.com\x00x",
	}
	for _, rule := range []WildcardRule{WildcardOneLabel, WildcardNever} {
		for _, cert := range certs {
			var want []string
			for _, ten := range d.Tenants() {
				for _, r := range d.Inbound(ten.ID) {
					if r.Connector.IsEnabled() && MatchConnectorName(r.Connector.TLSSenderCertificateName, cert, rule) {
						want = append(want, refNames([]*tenantgate.InboundRef{&r})...)
					}
				}
			}
			got := refNames(Connectors(d, Evidence{TLS: true, Verified: true, Names: []string{cert}}, rule))
			if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
				t.Errorf("rule %v, cert %q (-want +got):\n%s", rule, cert, diff)
			}
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestConnectors(t *testing.T) {
	d := connectorConfig(t, connectorValues)
	tests := []struct {
		name string
		ev   Evidence
		want []string
	}{
		{"unverified names select nothing", Evidence{TLS: true, Names: []string{"mail.contoso.com"}}, nil},
		{"no TLS selects nothing", Evidence{Verified: true, Names: []string{"mail.contoso.com"}}, nil},
		// mail.contoso.com: its exact value, then "*.contoso.com"
		// (docs/exchange-online.md#certificate-names: domain and all subdomains).
		{"exact then wildcard", Evidence{TLS: true, Verified: true, Names: []string{"mail.contoso.com"}},
			[]string{"t3/by-cert=mail.contoso.com", "t2/by-cert=*.contoso.com"}},
		// Two names selecting the same connector list it once, in the order of the names.
		{"deduplicated", Evidence{TLS: true, Verified: true, Names: []string{"contoso.com", "mail.contoso.com"}},
			[]string{"t1/by-cert=contoso.com", "t2/by-cert=*.contoso.com", "t3/by-cert=mail.contoso.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, refNames(Connectors(d, tc.ev, WildcardOneLabel))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzMatchConnectorName(f *testing.F) {
	for _, tc := range matchConnectorNameTests {
		f.Add(tc.pattern, tc.cert)
	}
	f.Fuzz(func(t *testing.T, pattern, cert string) {
		p := tenantgate.DomainPattern(pattern)
		got := MatchConnectorName(p, cert, WildcardOneLabel) // must not panic
		// Case never matters.
		if up := MatchConnectorName(tenantgate.DomainPattern(strings.ToUpper(pattern)), strings.ToLower(cert), WildcardOneLabel); isASCII(pattern+cert) && up != got {
			t.Errorf("case changed the result: %q %q", pattern, cert)
		}
		// The alternative rule is never more permissive.
		if MatchConnectorName(p, cert, WildcardNever) && !got {
			t.Errorf("WildcardNever matched where the default did not: %q %q", pattern, cert)
		}
		if !got {
			return
		}
		np, err := tenantgate.ParseDomainPattern(pattern)
		if err != nil || np == tenantgate.PatternAll {
			t.Fatalf("matched with an invalid or catch-all pattern %q", pattern)
		}
		nc, ok := NormalizeName(cert)
		if !ok {
			t.Fatalf("matched an invalid certificate name %q", cert)
		}
		// A pattern without '*' matches only its own name.
		if !np.IsWildcard() && nc != string(np) && !strings.HasPrefix(nc, "*.") {
			t.Errorf("exact pattern %q matched other name %q", np, nc)
		}
		// Every match lies under the pattern's base.
		if base := string(np.Base()); nc != base && !strings.HasSuffix(nc, "."+base) &&
			!(strings.HasPrefix(nc, "*.") && strings.HasSuffix(base, "."+nc[2:])) {
			t.Errorf("pattern %q matched %q outside its base", np, nc)
		}
	})
}

func FuzzMatchPeerName(f *testing.F) {
	for _, tc := range matchPeerNameTests {
		f.Add(tc.presented, tc.expected)
	}
	f.Fuzz(func(t *testing.T, presented, expected string) {
		got := MatchPeerName(presented, expected)
		if isASCII(presented+expected) && MatchPeerName(strings.ToUpper(presented), strings.ToLower(expected)) != got {
			t.Errorf("case changed the result: %q %q", presented, expected)
		}
		if !got {
			return
		}
		p, _ := NormalizeName(presented)
		e, _ := NormalizeName(expected)
		if !strings.Contains(presented, "*") && p != e {
			t.Errorf("%q matched %q", presented, expected)
		}
		if w, ok := strings.CutPrefix(p, "*."); ok && !strings.HasSuffix(e, "."+w) {
			t.Errorf("wildcard %q matched %q", presented, expected)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
