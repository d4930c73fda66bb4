package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// TestRejectPaths drives every way the milter refuses mail and checks the reply and its class:
// temporary (4xx, the sender retries) only where a retry can succeed — a DNS failure, too many
// recipients for now — and permanent (5xx) where the same message gets the same answer again.
// The enhanced status code's class must agree with the reply code's (RFC 3463 §2). README.md,
// "Replies", has the same table.
func TestRejectPaths(t *testing.T) {
	pub, key := mustKey(t)
	record := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(ed25519.PublicKey(pub))
	msg := "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nFrom: carol@contoso.com\r\nSubject: hi\r\n\r\n" + strings.Repeat("Hello.\r\n", 20)
	signedHdr, signedBody := signed(t, msg, "contoso.com", key)
	dkimApp := func(txt string, maxBody int) *App {
		a, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{DKIMRequired: true}, headers.Limits{},
			newVerifier(DKIMOptions{DNSServer: serveTXT(t, map[string]string{"sel._domainkey.contoso.com": txt}),
				MaxBodyBytes: maxBody, Timeout: Duration(300 * time.Millisecond)}), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	smallHeader, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{}, headers.Limits{MaxBytes: 200}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	many := make([]string, maxRecipients+1)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@contoso.com", i)
	}
	own := exoHeader(contosoID, "carol@contoso.com")
	out := []string{"erin@woodgrove.example"}
	tests := []struct {
		path      string
		app       *App
		peer      peer
		tx        txn
		body      string
		reply     tenantgate.Reply
		temporary bool
	}{
		// RCPT: the peer and the recipient decide; neither changes on a retry.
		{"rcpt: relay from a peer that is not verified Exchange Online", nil, plainPeer,
			txn{"bob@sender.example", []string{"victim@sender.example"}, nil}, "", classify.ReplyRelayDenied, false},
		{"rcpt: recipient syntax", nil, plainPeer, txn{"bob@sender.example", []string{"no-domain"}, nil}, "", classify.ReplyBadRecipient, false},
		// RCPT: over maxRecipients; RFC 5321 §4.5.3.1.10: the client sends the rest later.
		{"rcpt: too many recipients", nil, plainPeer, txn{"bob@sender.example", many, nil}, "", replyTooManyRcpts, true},
		// End of message: the header evidence decides, and it is the same on a retry.
		{"eom: another tenant's mail", nil, exoPeer, txn{"carol@contoso.com", out, exoHeader(woodgroveID, "carol@contoso.com")}, "", classify.ReplyRelayDenied, false},
		{"eom: malformed header (bare CR)", nil, exoPeer, txn{"carol@contoso.com", out, append(own, [2]string{"X-Evil", "a\rb"})}, "", classify.ReplyHeaderInvalid, false},
		{"eom: header over maxHeaderBytes", smallHeader, exoPeer, txn{"carol@contoso.com", out, own}, "", classify.ReplyHeaderInvalid, false},
		{"eom: trust field at the start of the body", nil, exoPeer, txn{"carol@contoso.com", out, own},
			"cut\r\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\r\n", classify.ReplyHeaderInvalid, false},
		{"eom: loop", nil, exoPeer, txn{"carol@contoso.com", out,
			append([][2]string{{"Authentication-Results", "gw.example.net; x-tenantgate=pass policy.hop=5"}}, own...)}, "", classify.ReplyLoop, false},
		// DKIM required: a lookup that failed for now may succeed later; a body over the bound
		// stays over it, and the reply says so.
		{"eom: DKIM key lookup SERVFAIL", dkimApp(dnsServFail, 0), exoPeer, txn{"carol@contoso.com", out, signedHdr}, signedBody, replyDKIMTemp, true},
		{"eom: DKIM key lookup timeout", dkimApp(dnsNoAnswer, 0), exoPeer, txn{"carol@contoso.com", out, signedHdr}, signedBody, replyDKIMTemp, true},
		{"eom: body over dkim.maxBodyBytes", dkimApp(record, 64), exoPeer, txn{"carol@contoso.com", out, signedHdr}, signedBody, replyDKIMTooBig, false},
		{"eom: DKIM fails", dkimApp(record, 0), exoPeer, txn{"carol@contoso.com", out, signedHdr}, "Tampered.\r\n", classify.ReplyRelayDenied, false},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			app := tc.app
			if app == nil {
				app = newTestApp(t)
			}
			body := tc.body
			if body == "" {
				body = "Hello.\r\n"
			}
			o := runSessionBody(t, startMilter(t, app), tc.peer, body, tc.tx)[0]
			got := o.EOM
			for _, r := range o.Rcpt {
				if r != "continue" {
					got = r
				}
			}
			if got != tc.reply.String() {
				t.Fatalf("reply %q, want %q", got, tc.reply)
			}
			code, status, _ := strings.Cut(got, " ")
			if temp := code[0] == '4'; temp != tc.temporary {
				t.Errorf("reply %q: temporary=%v, want %v", got, temp, tc.temporary)
			}
			if status[0] != code[0] {
				t.Errorf("reply %q: enhanced status class differs from the reply code's", got)
			}
		})
	}
}
