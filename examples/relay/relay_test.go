package main

import (
	"strings"
	"testing"

	"bufio"
	"bytes"
	"github.com/emersion/go-message/textproto"

	"github.com/google/go-cmp/cmp"
)

// TestEndToEnd runs the loopback cases: who may relay, who is refused, and which
// certificate the relay presents on each hop.
func TestEndToEnd(t *testing.T) {
	w := newWorld(t, nil)
	wrongName := w.pki.Leaf(t, []string{"mail.protection.outlook.com.evil.example"})
	tests := []struct {
		name  string
		tls   bool
		cert  bool   // present w.exo
		other string // or present a certificate for this name
		from  string
		rcpt  string
		msg   string
		want  result
		// For accepted messages: what the sink must have seen.
		wantCert    []string
		wantVerdict string // unfolded, white space collapsed
	}{{
		// docs/threat-model.md#rule-1 to #rule-3: verified EXO peer, the header names a served
		// tenant, kind mailbox: relayed to the Internet with the Internet identity (none,
		// docs/routing.md#the-gateways-next-hop).
		name: "exo own tenant relays", tls: true, cert: true,
		from: "carol@contoso.com", rcpt: "erin@woodgrove.example",
		msg:  "Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=1\r\n" + exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-own"),
		want: result{Rcpt: []error{nil}},
		// classify's verdict format (policy_header.go): own-tenant, kind mailbox; hop 2 because
		// the incoming (removed) copy claimed hop 1 and Verdict.Hop is one more than the highest
		// incoming count (the loop guard counts forged copies too: it can only stop mail early).
		wantVerdict: "gw.example.net; x-tenantgate=pass policy.hop=2 policy.kind=mailbox policy.origin=own-tenant policy.tenant=" + contosoID,
	}, {
		// Another Microsoft 365 customer's mail through the same EXO (EchoSpoofing, threat case 1):
		// accepted at RCPT (only the header can tell), refused after the header.
		name: "exo other tenant refused", tls: true, cert: true,
		from: "mallory@woodgrove.example", rcpt: "victim@sender.example",
		msg:  exoMessage(woodgroveID, "ceo@contoso.com", "victim@sender.example", "tok-other"),
		want: result{Rcpt: []error{nil}, Data: errCode("550 5.7.1")},
	}, {
		// Threat case 3: a plaintext Internet client with a forged tenant header is refused at
		// RCPT for a foreign recipient (550 5.7.1, classify.ReplyRelayDenied).
		name: "internet forged header refused", tls: false,
		from: "carol@contoso.com", rcpt: "victim@sender.example",
		msg:  exoMessage(contosoID, "carol@contoso.com", "victim@sender.example", "tok-forged"),
		want: result{Rcpt: []error{errCode("550 5.7.1")}, Data: errNotSent},
	}, {
		// Threat case 5: TLS without a client certificate is not Exchange Online.
		name: "no client certificate refused", tls: true,
		from: "carol@contoso.com", rcpt: "victim@sender.example",
		msg:  exoMessage(contosoID, "carol@contoso.com", "victim@sender.example", "tok-nocert"),
		want: result{Rcpt: []error{errCode("550 5.7.1")}, Data: errNotSent},
	}, {
		// Threat case 6: a verified certificate for a near-miss name.
		name: "wrong certificate name refused", tls: true, other: "wrong",
		from: "carol@contoso.com", rcpt: "victim@sender.example",
		msg:  exoMessage(contosoID, "carol@contoso.com", "victim@sender.example", "tok-wrongname"),
		want: result{Rcpt: []error{errCode("550 5.7.1")}, Data: errNotSent},
	}, {
		// docs/threat-model.md#trust-rules: mail to a served tenant's accepted domain is inbound
		// whatever its origin; delivered to the tenant's Exchange Online host with the tenant's
		// certificate (docs/routing.md#the-gateways-next-hop).
		name: "internet to served tenant delivered", tls: false,
		from: "bob@sender.example", rcpt: "alice@contoso.com",
		msg:      "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\nFrom: bob@sender.example\r\nTo: alice@contoso.com\r\nSubject: tok-inbound\r\n\r\nhi\r\n",
		want:     result{Rcpt: []error{nil}},
		wantCert: []string{"contoso.gw.example.net"},
		// Not Exchange Online: result none, origin internet, no tenant or kind (policy_header.go).
		wantVerdict: "gw.example.net; x-tenantgate=none policy.hop=1 policy.origin=internet",
	}, {
		// docs/routing.md#the-gateways-next-hop: another tenant's Exchange Online host gets the
		// Internet identity (no certificate), never contoso's.
		name: "own tenant to another tenant's EXO without certificate", tls: true, cert: true,
		from: "carol@contoso.com", rcpt: "pat@partner.example",
		msg:  exoMessage(contosoID, "carol@contoso.com", "pat@partner.example", "tok-partner"),
		want: result{Rcpt: []error{nil}},
		// First pass of own-tenant mailbox mail.
		wantVerdict: "gw.example.net; x-tenantgate=pass policy.hop=1 policy.kind=mailbox policy.origin=own-tenant policy.tenant=" + contosoID,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c = w.dial(t, nil)
			if tc.tls {
				cfg := w.clientTLS(nil)
				switch {
				case tc.cert:
					cfg = w.clientTLS(w.exo)
				case tc.other != "":
					cfg = w.clientTLS(wrongName)
				}
				c = w.dial(t, cfg)
			}
			got, err := send(c, tc.from, []string{tc.rcpt}, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(codes2(tc.want), codes2(got)); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
			token := tokenOf(tc.msg)
			wantN := 0
			if got.Data == nil {
				wantN = 1
			}
			if n := w.good.count(token) + w.bad.count(token); n != wantN {
				t.Fatalf("sink holds %d copies of %s, want %d", n, token, wantN)
			}
			if wantN == 0 {
				return
			}
			m := w.good.find(t, token)
			if !m.TLS {
				t.Error("next hop reached without TLS")
			}
			if diff := cmp.Diff(tc.wantCert, m.CertNames); diff != "" {
				t.Errorf("certificate presented to the next hop (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{tc.rcpt}, m.To); diff != "" {
				t.Errorf("recipients at the next hop (-want +got):\n%s", diff)
			}
			h := readHeader(t, m.Data)
			// Exactly one verdict header of ours, on top; the forged one is gone (threat case 18).
			var ours []string
			for f := h.Fields(); f.Next(); {
				if strings.EqualFold(f.Key(), "Authentication-Results") && strings.HasPrefix(f.Value(), "gw.example.net") {
					ours = append(ours, f.Value())
				}
			}
			if len(ours) != 1 {
				t.Fatalf("verdict headers at the next hop: %q, want one", ours)
			}
			first := h.Fields()
			first.Next()
			if !strings.EqualFold(first.Key(), "Authentication-Results") {
				t.Errorf("top field is %s, want the verdict header", first.Key())
			}
			if got := strings.Join(strings.Fields(ours[0]), " "); got != tc.wantVerdict {
				t.Errorf("verdict header = %q, want %q", got, tc.wantVerdict)
			}
			if !tc.cert && h.Has("X-MS-Exchange-CrossTenant-Id") {
				// Threat case 3: trust headers from a peer that is not Exchange Online are removed.
				t.Error("forged X-MS-Exchange-CrossTenant-Id passed on")
			}
		})
	}
}

func readHeader(t testing.TB, data []byte) textproto.Header {
	t.Helper()
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// tokenOf returns the Subject of msg: the token tests find a message by.
func tokenOf(msg string) string {
	_, rest, _ := strings.Cut(msg, "Subject: ")
	tok, _, _ := strings.Cut(rest, "\r\n")
	return tok
}

type codeErr string

func (e codeErr) Error() string { return string(e) }

func errCode(c string) error { return codeErr(c) }

// codes2 turns a result into comparable reply codes.
func codes2(r result) []string {
	var out []string
	for _, e := range r.Rcpt {
		out = append(out, "rcpt "+codeOf(e))
	}
	return append(out, "data "+codeOf(r.Data))
}

func codeOf(err error) string {
	if ce, ok := err.(codeErr); ok {
		return string(ce)
	}
	return code(err)
}
