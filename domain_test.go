package tenantgate

import (
	"strings"
	"testing"
)

func TestParseDomain(t *testing.T) {
	tests := []struct {
		in, want string // want "" = error
	}{
		{"contoso.com", "contoso.com"},
		{"Contoso.COM.", "contoso.com"}, // case and one trailing dot (threat case 20)
		{"Bücher.example", "xn--bcher-kva.example"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		// Cyrillic "а" (U+0430) in "exаmple.com" is a different domain, never example.com (threat case 20).
		{"ex\u0430mple.com", "xn--exmple-4nf.com"},
		{"", ""},
		{".", ""},
		{"contoso..com", ""},
		{"*.contoso.com", ""},
		{"con toso.com", ""},
		{"[192.0.2.1]", ""},
		{"a@b.com", ""},
		{"nul\x00.com", ""},
		{strings.Repeat("a", 64) + ".com", ""},
		{strings.Repeat("a.", 127) + "com", ""},
	}
	for _, tt := range tests {
		got, err := ParseDomain(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseDomain(%q) = %q; want error", tt.in, got)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("ParseDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if u := MustParseDomain("Bücher.example").Unicode(); u != "bücher.example" {
		t.Errorf("Unicode() = %q", u)
	}
}

func TestDomainPattern(t *testing.T) {
	tests := []struct {
		pattern string
		domain  string
		want    bool
	}{
		// docs/exchange-online.md#certificate-names: "*.contoso.com" is the domain and all
		// subdomains, any depth.
		{"*.contoso.com", "contoso.com", true},
		{"*.contoso.com", "mail.contoso.com", true},
		{"*.contoso.com", "a.b.contoso.com", true},
		{"*.contoso.com", "notcontoso.com", false},
		{"*.contoso.com", "contoso.com.evil.example", false},
		{"contoso.com", "contoso.com", true},
		{"contoso.com", "mail.contoso.com", false},
		{"CONTOSO.com", "contoso.com", true},
		{"*", "anything.example", true},
	}
	for _, tt := range tests {
		p := MustParseDomainPattern(tt.pattern)
		if got := p.Match(MustParseDomain(tt.domain)); got != tt.want {
			t.Errorf("%q.Match(%q) = %v; want %v", tt.pattern, tt.domain, got, tt.want)
		}
	}
	for _, bad := range []string{"a.*.contoso.com", "f*.contoso.com", "*contoso.com", "**.contoso.com", "*.", ""} {
		if p, err := ParseDomainPattern(bad); err == nil {
			t.Errorf("ParseDomainPattern(%q) = %q; want error (no embedded or partial wildcards)", bad, p)
		}
	}
	// "most specific wins" (docs/exchange-online.md#outbound-connectors, the worked example): exact
	// > longer wildcard > shorter wildcard > "*".
	order := []string{"*", "*.contoso.com", "*.sales.contoso.com", "sales.contoso.com"}
	for i := 1; i < len(order); i++ {
		if MustParseDomainPattern(order[i-1]).Specificity() >= MustParseDomainPattern(order[i]).Specificity() {
			t.Errorf("Specificity(%q) >= Specificity(%q)", order[i-1], order[i])
		}
	}
}

func TestAddressDomain(t *testing.T) {
	tests := []struct {
		in, want string // want "" = error
	}{
		{"alice@contoso.com", "contoso.com"},
		{"<alice@Contoso.COM>", "contoso.com"},
		// Threat case 21: the domain is after the last unquoted '@'.
		{`"a@contoso.com"@evil.example`, "evil.example"},
		{`"a\"@contoso.com"@evil.example`, "evil.example"},
		{"@relay.example,@b.example:user@contoso.com", "contoso.com"},
		{"user@sub.contoso.com.", "sub.contoso.com"},
		{"", ""},
		{"<>", ""},
		{"alice", ""},
		{"alice@", ""},
		{"@contoso.com", ""},
		{`"unterminated@contoso.com`, ""},
		{"alice@[192.0.2.1]", ""},
	}
	for _, tt := range tests {
		got, err := AddressDomain(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("AddressDomain(%q) = %q; want error", tt.in, got)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("AddressDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseDomain(f *testing.F) {
	for _, s := range []string{"contoso.com", "Bücher.example.", "*.contoso.com", "a..b", "xn--bcher-kva.example",
		"-a.example", "a-.example", "ab--c.example", "1.2.3.4", "a.b.", "a..", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDomain(s)
		// The fast path for plain names answers as the IDNA path does.
		if s != "" {
			slow, slowErr := parseDomainIDNA(s, strings.TrimSuffix(s, "."))
			if slow != d || (slowErr == nil) != (err == nil) {
				t.Fatalf("ParseDomain(%q) = %q, %v; the IDNA path gives %q, %v", s, d, err, slow, slowErr)
			}
		}
		if err != nil {
			return
		}
		// A normalised domain is a fixed point, lower case, without a trailing dot.
		again, err := ParseDomain(string(d))
		if err != nil || again != d {
			t.Fatalf("ParseDomain(%q) = %q, not a fixed point (%q, %v)", s, d, again, err)
		}
		if strings.HasSuffix(string(d), ".") || strings.ToLower(string(d)) != string(d) {
			t.Fatalf("ParseDomain(%q) = %q is not normalised", s, d)
		}
		p := DomainPattern(d)
		if !p.Match(d) || !("*." + p).Match(d) {
			t.Fatalf("patterns do not match their own domain %q", d)
		}
	})
}

func FuzzAddressDomain(f *testing.F) {
	for _, s := range []string{"a@contoso.com", `"a@b"@c.example`, "@r:u@d.example", "<>", "x@[1.2.3.4]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := AddressDomain(s)
		if err != nil {
			return
		}
		if _, err := ParseDomain(string(d)); err != nil {
			t.Fatalf("AddressDomain(%q) = %q, which does not parse: %v", s, d, err)
		}
	})
}
