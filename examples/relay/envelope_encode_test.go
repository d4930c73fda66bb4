package main

import (
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

// TestEncodeMailbox is the upstream writer's table: a mailbox as go-smtp decodes it, and the
// RFC 5321 §4.1.2 path argument the relay writes (or the reply refusing it). Expected values
// follow the RFC's grammar: Dot-string = atoms of atext joined by single dots; otherwise a
// Quoted-string whose '"' and '\' are quoted-pairSMTP; Domain = LDH labels (RFC 6531: U-labels
// with SMTPUTF8); address literals per §4.1.3.
func TestEncodeMailbox(t *testing.T) {
	tests := []struct {
		in   string
		utf8 bool
		want string // the argument, or the reply "553 5.1.3"
	}{
		// Dot-strings go as they are, case kept (the local part is case-sensitive, §2.4).
		{"alice@contoso.com", false, "alice@contoso.com"},
		{"Alice.B+tag@Contoso.COM", false, "Alice.B+tag@Contoso.COM"},
		{"!#$%&'*+-/=?^_`{|}~@contoso.com", false, "!#$%&'*+-/=?^_`{|}~@contoso.com"},
		// Not Dot-strings: quoted.
		{"a b@contoso.com", false, `"a b"@contoso.com`},
		{`a"b@contoso.com`, false, `"a\"b"@contoso.com`},
		{`a\b@contoso.com`, false, `"a\\b"@contoso.com`},
		{`"a@b"@contoso.com`, false, `"\"a@b\""@contoso.com`}, // the quotes were the client's own quoted-pairs
		{"victim@evil.example@contoso.com", false, `"victim@evil.example"@contoso.com`},
		{".a@x.example", false, `".a"@x.example`},
		{"a.@x.example", false, `"a."@x.example`},
		{"a..b@x.example", false, `"a..b"@x.example`},
		{"(c)a@x.example", false, `"(c)a"@x.example`},
		{"a,b;c:d@x.example", false, `"a,b;c:d"@x.example`},
		{"[a]@x.example", false, `"[a]"@x.example`},
		{" @x.example", false, `" "@x.example`},
		// UTF-8 (RFC 6531): only with SMTPUTF8, then as named; UTF8-non-ascii is atext and qtext.
		{"zoë@contoso.com", true, "zoë@contoso.com"},
		{"zoë x@contoso.com", true, `"zoë x"@contoso.com`},
		{"a@bücher.example", true, "a@bücher.example"},
		{"zoë@contoso.com", false, "553 5.6.7"},
		{"a@bücher.example", false, "553 5.6.7"},
		{"a\xff@contoso.com", true, "553 5.1.3"},
		{"a@xn--bcher-kva.example", false, "a@xn--bcher-kva.example"},
		// Address literals, §4.1.3.
		{"a@[192.0.2.1]", false, "a@[192.0.2.1]"},
		{"a@[IPv6:2001:db8::1]", false, "a@[IPv6:2001:db8::1]"},
		{"a@[ipv6:::1]", false, "a@[ipv6:::1]"},
		{"a@[IPv6:::ffff:192.0.2.1]", false, "a@[IPv6:::ffff:192.0.2.1]"},
		{"a@[192.0.2.256]", false, "553 5.1.3"},
		{"a@[192.0.2]", false, "553 5.1.3"},
		{"a@[192.0.2.01]", false, "553 5.1.3"},
		{"a@[2001:db8::1]", false, "553 5.1.3"}, // IPv6 needs its tag
		{"a@[IPv6:192.0.2.1]", false, "553 5.1.3"},
		{"a@[IPv6:fe80::1%eth0]", false, "553 5.1.3"},
		{"a@[x-tag:foo]", false, "553 5.1.3"}, // General-address-literal: refused
		{"a@[]", false, "553 5.1.3"},
		{"a@[192.0.2.1", false, "553 5.1.3"},
		// Refused: '<', '>', control characters (§4.1.2 MUST NOT), anywhere.
		{"victim@evil.example> ORCPT=rfc822;x@contoso.com", false, "553 5.1.3"},
		{"a<b@contoso.com", false, "553 5.1.3"},
		{"a@contoso.com>", false, "553 5.1.3"},
		{"a\x00b@contoso.com", false, "553 5.1.3"},
		{"a\rb@contoso.com", false, "553 5.1.3"},
		{"a\nb@contoso.com", false, "553 5.1.3"},
		{"a\tb@contoso.com", false, "553 5.1.3"},
		{"a\x1bb@contoso.com", false, "553 5.1.3"},
		{"a\x7fb@contoso.com", false, "553 5.1.3"},
		{"a@contoso.com\r", false, "553 5.1.3"},
		// Refused: no local part, no domain, a domain that is none.
		{"alice", false, "553 5.1.3"},
		{"@contoso.com", false, "553 5.1.3"},
		{"alice@", false, "553 5.1.3"},
		{"", false, "553 5.1.3"},
		{"a@contoso.com.", false, "553 5.1.3"},
		{"a@.contoso.com", false, "553 5.1.3"},
		{"a@contoso..com", false, "553 5.1.3"},
		{"a@-contoso.com", false, "553 5.1.3"},
		{"a@contoso-.com", false, "553 5.1.3"},
		{"a@con_toso.com", false, "553 5.1.3"},
		{`a@contoso.com"x`, false, "553 5.1.3"},
		{"a@*.contoso.com", false, "553 5.1.3"},
		{"a@con toso.com", false, "553 5.1.3"},
		{"a@" + strings.Repeat("x", 64) + ".com", false, "553 5.1.3"},
		{"a@xn--zz.example", false, "553 5.1.3"}, // not a valid A-label: tenantgate.ParseDomain refuses it
		// RFC 5321 §4.5.3.1.3: at most 256 octets with the angle brackets.
		{strings.Repeat("a", 254-len("@contoso.com")) + "@contoso.com", false, strings.Repeat("a", 254-len("@contoso.com")) + "@contoso.com"},
		{strings.Repeat("a", 255-len("@contoso.com")) + "@contoso.com", false, "553 5.1.3"},
	}
	for _, tc := range tests {
		got, reply := encodeMailbox(tc.in, tc.utf8)
		if reply != nil {
			got = code(reply)
		}
		if got != tc.want {
			t.Errorf("encodeMailbox(%q, utf8=%v) = %q, want %q", tc.in, tc.utf8, got, tc.want)
		}
	}
}

// TestNewMailFrom: what the relay takes from the client's MAIL parameters (go-smtp's parsed
// MailOptions) and what it forwards: SMTPUTF8, SIZE and the 8BITMIME declaration; never AUTH.
func TestNewMailFrom(t *testing.T) {
	auth := "ceo@contoso.com"
	tests := []struct {
		name string
		from string
		opts *smtp.MailOptions
		want mailFrom
		fwd  *smtp.MailOptions
	}{
		{"null reverse-path", "", &smtp.MailOptions{}, mailFrom{}, &smtp.MailOptions{}},
		{"no options", "bob@sender.example", nil, mailFrom{Path: "bob@sender.example"}, &smtp.MailOptions{}},
		{"quoted", "a b@sender.example", &smtp.MailOptions{}, mailFrom{Path: `"a b"@sender.example`}, &smtp.MailOptions{}},
		{"parameters", "zoë@sender.example", &smtp.MailOptions{UTF8: true, Size: 1000, Body: smtp.Body8BitMIME, Auth: &auth},
			mailFrom{Path: "zoë@sender.example", UTF8: true, EightBit: true, Size: 1000},
			&smtp.MailOptions{UTF8: true, Size: 1000}},
		{"7bit", "bob@sender.example", &smtp.MailOptions{Body: smtp.Body7Bit}, mailFrom{Path: "bob@sender.example"}, &smtp.MailOptions{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, reply := newMailFrom(tc.from, tc.opts)
			if reply != nil {
				t.Fatalf("refused: %v", reply)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mailFrom (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.fwd, got.options()); diff != "" {
				t.Errorf("options forwarded (-want +got):\n%s", diff)
			}
		})
	}
	if _, reply := newMailFrom(`ceo@contoso.com> ENVID=x@internet.example`, nil); code(reply) != "553 5.1.3" {
		t.Errorf("the issue's sender attack: %v, want 553 5.1.3", reply)
	}
}
