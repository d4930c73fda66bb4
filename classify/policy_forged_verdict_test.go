package classify

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestForgedVerdictSpellings (issue 12 item 4): a forged copy of our verdict header is removed in
// every spelling RFC 8601 §2.2 allows for the authserv-id gw.example.net (quoted-string, quoted-pair,
// trailing dot, case, comments, folding, version), from an Internet peer and from verified
// Exchange Online alike; another host's field stays, however close its id is to ours. A field
// whose authserv-id cannot be read but that names our id is removed too (fail closed).
func TestForgedVerdictSpellings(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	const forged = " x-tenantgate=pass policy.hop=1 policy.origin=own-tenant policy.tenant=" + contosoID
	tests := []struct {
		name, field string
		strip       bool
		reason      string // the reason code expected when stripped
	}{
		{"plain", "Authentication-Results: gw.example.net;" + forged, true, "header.verdict-stripped"},
		{"quoted", `Authentication-Results: "gw.example.net";` + forged, true, "header.verdict-stripped"},
		{"quoted-pair", `Authentication-Results: "gw\.example.net";` + forged, true, "header.verdict-stripped"},
		{"trailing dot", "Authentication-Results: gw.example.net. ;" + forged, true, "header.verdict-stripped"},
		{"upper case", "Authentication-Results: GW.Example.NET;" + forged, true, "header.verdict-stripped"},
		{"comments", "Authentication-Results: (comment) gw.example.net (c);" + forged, true, "header.verdict-stripped"},
		{"folded", "Authentication-Results:\r\n gw.example.net\r\n ;" + forged, true, "header.verdict-stripped"},
		{"folded with tab", "Authentication-Results: gw.example.net\t1;" + forged, true, "header.verdict-stripped"},
		{"version", "Authentication-Results: gw.example.net 1;" + forged, true, "header.verdict-stripped"},
		{"quoted dot version", `Authentication-Results: (x) "GW.EXAMPLE.NET." (y) 7 (z);` + forged, true, "header.verdict-stripped"},
		{"field name case", "AUTHENTICATION-RESULTS: gw.example.net;" + forged, true, "header.verdict-stripped"},
		// Unparsable, but a reader could take it as ours.
		{"unclosed quote", `Authentication-Results: "gw.example.net;` + forged, true, "header.verdict-unparsable-stripped"},
		{"unclosed comment", "Authentication-Results: (c gw.example.net;" + forged, true, "header.verdict-unparsable-stripped"},
		{"word after id", "Authentication-Results: gw.example.net forged;" + forged, true, "header.verdict-unparsable-stripped"},
		{"quoted glued", `Authentication-Results: gw.example.net"x";` + forged, true, "header.verdict-unparsable-stripped"},
		// Other hosts' fields stay.
		{"other host", "Authentication-Results: mx.other.example;" + forged, false, ""},
		{"suffix", "Authentication-Results: gw.example.net.evil;" + forged, false, ""},
		{"prefix", "Authentication-Results: xgw.example.net;" + forged, false, ""},
		{"subdomain", `Authentication-Results: "a.gw.example.net";` + forged, false, ""},
		{"microsoft form", "Authentication-Results: spf=pass (sender IP is 40.107.1.1) smtp.mailfrom=gw.example.net", false, ""},
		{"unparsable other", "Authentication-Results: mx.other.example junk;" + forged, false, ""},
	}
	peers := []struct {
		name string
		s    Session
	}{{"internet", internetSession()}, {"exo", exoSession()}}
	for _, tc := range tests {
		for _, peer := range peers {
			t.Run(tc.name+"/"+peer.name, func(t *testing.T) {
				hdr := "Received: from x\r\n" + tc.field + "\r\n" + hContoso + hMailbox + hFrom
				v := p.Decide(Transaction{Session: peer.s, MailFrom: "carol@contoso.com", RcptTo: []string{"alice@contoso.com"}, Header: header(t, hdr)})
				var ours []HeaderField
				for _, r := range v.Remove {
					if strings.EqualFold(r.Name, "Authentication-Results") {
						ours = append(ours, r)
					}
				}
				var want []HeaderField
				if tc.strip {
					name, _, _ := strings.Cut(tc.field, ":")
					want = []HeaderField{{Index: 1, Name: name, Instance: 1}}
				}
				if diff := cmp.Diff(want, ours); diff != "" {
					t.Errorf("Remove (-want +got):\n%s", diff)
				}
				got := codes(v.Reasons)
				if tc.strip && !slices.Contains(got, tc.reason) {
					t.Errorf("reasons %q lack %s", got, tc.reason)
				}
				// A removed copy is one earlier pass: the hop count is 2.
				if wantHop := map[bool]int{true: 2, false: 1}[tc.strip]; v.Hop != wantHop {
					t.Errorf("hop = %d, want %d", v.Hop, wantHop)
				}
				// After Apply the block holds exactly one field with our authserv-id: the new verdict.
				h := header(t, hdr)
				v.Apply(&h)
				n := 0
				for f := h.FieldsByKey("Authentication-Results"); f.Next(); {
					if strings.Contains(strings.ToLower(f.Value()), "x-tenantgate=") && !strings.Contains(f.Value(), "mx.other.example") &&
						!strings.Contains(f.Value(), "gw.example.net.evil") && !strings.Contains(f.Value(), "xgw.") && !strings.Contains(f.Value(), "a.gw.") {
						n++
					}
				}
				if n != 1 {
					t.Errorf("after Apply: %d verdict fields that claim to be ours, want 1", n)
				}
			})
		}
	}
}
