package main

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFaults checks the replies for next-hop and DNS failures, and that the sink holds a message
// exactly when the client was told 250 (the relay's reply rule, README.md "Replies").
func TestFaults(t *testing.T) {
	w := newWorld(t, nil)
	tests := []struct {
		name   string
		exo    bool // the client is verified Exchange Online with contoso's header; else a plaintext Internet client
		rcpts  []string
		want   []string // reply codes: one per RCPT, then DATA
		wantTo []string // recipients the sink must hold the message for (nil: no message)
	}{
		// Relayed recipients: the next hop is contacted after the header, so its failures come
		// back as the DATA reply; a DNS answer is known at RCPT.
		{"next hop down", true, []string{"x@down.example"}, []string{"ok", "451 4.4.1"}, nil},
		{"next hop slow", true, []string{"slow@faults.example"}, []string{"ok", "451 4.4.2"}, nil},
		{"next hop 4xx at RCPT", true, []string{"temp@faults.example"}, []string{"ok", "451 4.2.0"}, nil},
		{"next hop 5xx at RCPT", true, []string{"perm@faults.example"}, []string{"ok", "550 5.1.1"}, nil},
		{"next hop 4xx after DATA", true, []string{"datatemp@faults.example"}, []string{"ok", "451 4.3.0"}, nil},
		{"next hop 5xx after DATA", true, []string{"dataperm@faults.example"}, []string{"ok", "554 5.6.0"}, nil},
		{"DNS SERVFAIL", true, []string{"x@servfail.example"}, []string{"451 4.4.3", "not sent"}, nil},
		{"DNS NXDOMAIN", true, []string{"x@nx.example"}, []string{"550 5.1.2", "not sent"}, nil},
		// RFC 5321 §5.1: the first MX is down, the second takes it.
		{"MX fallback", true, []string{"x@backup.example"}, []string{"ok", "ok"}, []string{"x@backup.example"}},
		// A relayed recipient travels alone (452 4.5.3 asks for another transaction).
		{"second relayed recipient deferred", true, []string{"a@woodgrove.example", "b@woodgrove.example"},
			[]string{"ok", "452 4.5.3", "ok"}, []string{"a@woodgrove.example"}},
		// Inbound recipients: the tenant's Exchange Online is asked at RCPT.
		{"tenant hop TLS failure", false, []string{"bob@fabrikam.com"}, []string{"451 4.7.5", "not sent"}, nil},
		{"tenant hop 4xx at RCPT", false, []string{"temp@contoso.com"}, []string{"451 4.2.0", "not sent"}, nil},
		{"tenant hop 5xx at RCPT", false, []string{"perm@contoso.com"}, []string{"550 5.1.1", "not sent"}, nil},
		{"tenant hop 4xx after DATA", false, []string{"datatemp@contoso.com"}, []string{"ok", "451 4.3.0"}, nil},
		{"tenant hop refuses one of two", false, []string{"alice@contoso.com", "perm@contoso.com"},
			[]string{"ok", "550 5.1.1", "ok"}, []string{"alice@contoso.com"}},
		{"second tenant deferred", false, []string{"alice@contoso.com", "bob@fabrikam.com"},
			[]string{"ok", "452 4.5.3", "ok"}, []string{"alice@contoso.com"}},
		{"two recipients of one tenant", false, []string{"alice@contoso.com", "bob@eu.sub.contoso.net"},
			[]string{"ok", "ok", "ok"}, []string{"alice@contoso.com", "bob@eu.sub.contoso.net"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := fmt.Sprintf("tok-fault-%d", i)
			c := w.dial(t, nil)
			msg := "From: bob@sender.example\r\nSubject: " + token + "\r\n\r\nhi\r\n"
			if tc.exo {
				c = w.dial(t, w.clientTLS(w.exo))
				msg = exoMessage(contosoID, "carol@contoso.com", tc.rcpts[0], token)
			}
			res, err := send(c, "carol@contoso.com", tc.rcpts, msg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Rcpt {
				got = append(got, code(e))
			}
			if res.Data == errNotSent {
				got = append(got, "not sent")
			} else {
				got = append(got, code(res.Data))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
			// Told 250: exactly one copy. Told anything else: none.
			wantN := 0
			if res.Data == nil {
				wantN = 1
			}
			if n := w.good.count(token) + w.bad.count(token); n != wantN {
				t.Fatalf("sink holds %d copies, client was told %s", n, code(res.Data))
			}
			if wantN == 1 {
				m := w.good.find(t, token)
				if diff := cmp.Diff(tc.wantTo, m.To); diff != "" {
					t.Errorf("recipients at the sink (-want +got):\n%s", diff)
				}
			} else if tc.wantTo != nil {
				t.Errorf("want a message for %v, none accepted", tc.wantTo)
			}
		})
	}
}
