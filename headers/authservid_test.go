package headers

import (
	"errors"
	"strings"
	"testing"
)

// TestAuthServID: every spelling RFC 8601 §2.2 allows for the authserv-id gw.example.net gives
// "gw.example.net"; other ids stay other ids; what the grammar does not allow is an error.
func TestAuthServID(t *testing.T) {
	const own = "gw.example.net"
	tests := []struct {
		name, v, want string
		wantErr       bool
	}{
		// The verdict header as the policy writes it (go-msgauth authres.Format).
		{name: "plain", v: "gw.example.net; x-tenantgate=pass policy.hop=1", want: own},
		{name: "id alone", v: "gw.example.net", want: own},
		{name: "no-result", v: "gw.example.net; none", want: own},
		// value = token / quoted-string (RFC 2045 §5.1): the quotes are no part of the id.
		{name: "quoted", v: `"gw.example.net"; x-tenantgate=pass`, want: own},
		{name: "quoted-pair", v: `"gw.example\.net"; x-tenantgate=pass`, want: own},
		{name: "quoted with spaces", v: `" gw.example.net "; x-tenantgate=pass`, want: own},
		// A DNS name compares case-insensitively; an absolute name ends in a dot.
		{name: "trailing dot", v: "gw.example.net. ; x-tenantgate=pass", want: own},
		{name: "two trailing dots", v: "gw.example.net..; x-tenantgate=pass", want: own},
		{name: "quoted trailing dot", v: `"GW.example.net."; x-tenantgate=pass`, want: own},
		{name: "upper case", v: "GW.Example.NET; x-tenantgate=pass", want: own},
		// CFWS is allowed before and after the id and the version (RFC 8601 §2.2, RFC 5322 §3.2.2).
		{name: "comments", v: "(comment) gw.example.net (c); x-tenantgate=pass", want: own},
		{name: "nested comment", v: "((a) \\) b) gw.example.net(c);x-tenantgate=pass", want: own},
		{name: "folded", v: "\r\n gw.example.net\r\n\t; x-tenantgate=pass", want: own},
		{name: "folded LF", v: "gw.example.net\n ;\n x-tenantgate=pass", want: own},
		{name: "tab", v: "\tgw.example.net\t;x-tenantgate=pass", want: own},
		// authres-version = 1*DIGIT [CFWS] after CFWS.
		{name: "version", v: "gw.example.net 1; x-tenantgate=pass", want: own},
		{name: "version with comments", v: "gw.example.net (v) 1 (c) ; x-tenantgate=pass", want: own},
		{name: "quoted with version", v: `"gw.example.net" 1; x-tenantgate=pass`, want: own},
		// Other ids.
		{name: "other host", v: "mx.other.example; spf=pass", want: "mx.other.example"},
		{name: "suffix", v: "gw.example.net.evil; x-tenantgate=pass", want: "gw.example.net.evil"},
		{name: "prefix", v: "xgw.example.net; x-tenantgate=pass", want: "xgw.example.net"},
		{name: "subdomain", v: "a.gw.example.net; x-tenantgate=pass", want: "a.gw.example.net"},
		{name: "digit id with version", v: "1 2; none", want: "1"},
		// Exchange Online's own results carry no authserv-id.
		{name: "microsoft form", v: "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=gw.example.net; dkim=none", want: ""},
		{name: "microsoft after comment", v: "(c) spf=pass", want: ""},
		// Not the grammar: the id is unknown.
		{name: "empty", v: "", wantErr: true},
		{name: "comment only", v: " (gw.example.net) ", wantErr: true},
		{name: "unclosed comment", v: "(gw.example.net; x-tenantgate=pass", wantErr: true},
		{name: "unclosed quote", v: `"gw.example.net; x-tenantgate=pass`, wantErr: true},
		{name: "word after id", v: "gw.example.net evil; x-tenantgate=pass", wantErr: true},
		{name: "two ids", v: "gw.example.net other.example; none", wantErr: true},
		{name: "version without space", v: `"gw.example.net"1; none`, wantErr: true},
		{name: "quoted glued to token", v: `gw.example.net"x"; none`, wantErr: true},
		{name: "starts with tspecial", v: "@gw.example.net; none", wantErr: true},
		{name: "slash", v: "gw.example.net/x; none", wantErr: true},
		{name: "control in quotes", v: "\"gw.example.net\x00\"; none", wantErr: true},
		{name: "bad quoted-pair", v: "\"gw.example.net\\\x01\"; none", wantErr: true},
		{name: "version then word", v: "gw.example.net 1 x; none", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AuthServID(tc.v)
			if tc.wantErr {
				if err == nil || !errors.Is(err, ErrAuthServID) {
					t.Fatalf("AuthServID(%q) = %q, %v; want an ErrAuthServID", tc.v, got, err)
				}
				if got != "" || strings.ContainsAny(err.Error(), "\r\n\x00") {
					t.Errorf("AuthServID(%q) = %q, %q; want no id and a one-line error", tc.v, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("AuthServID(%q) = %q, %v; want %q", tc.v, got, err, tc.want)
			}
		})
	}
}

// FuzzAuthServID: AuthServID never panics, returns an id already in comparable form (applying it
// to the id gives the id back), and reads back every token id a writer puts first.
func FuzzAuthServID(f *testing.F) {
	for _, s := range []string{
		"gw.example.net; x-tenantgate=pass policy.hop=1",
		`"gw.example\.net" 1 (c); none`,
		"(a (b) \\) c) GW.EXAMPLE.NET.;x",
		"spf=pass smtp.mailfrom=x",
		"\r\n gw.example.net\r\n ;",
		`"unclosed`,
	} {
		f.Add(s, "id.example")
	}
	f.Fuzz(func(t *testing.T, v, id string) {
		got, err := AuthServID(v)
		if err != nil {
			if got != "" || !errors.Is(err, ErrAuthServID) {
				t.Fatalf("AuthServID(%q) = %q, %v", v, got, err)
			}
		} else if got != "" && tokenOnly(got) {
			if again, err := AuthServID(got); err != nil || again != got {
				t.Fatalf("AuthServID(%q) = %q; AuthServID of that = %q, %v", v, got, again, err)
			}
		}
		// A token written first, as the policy writes it, reads back as itself.
		if !tokenOnly(id) || strings.Trim(id, ".") == "" {
			return
		}
		want, err := AuthServID(id)
		if err != nil {
			t.Fatalf("AuthServID(%q) of a token: %v", id, err)
		}
		for _, w := range []string{id + "; x-tenantgate=pass", "(c) " + id + " 1 ; none", `"` + id + `"; none`} {
			if got, err := AuthServID(w); err != nil || got != want {
				t.Fatalf("AuthServID(%q) = %q, %v; want %q", w, got, err, want)
			}
		}
	})
}

// tokenOnly reports whether s is a non-empty RFC 2045 token.
func tokenOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}
