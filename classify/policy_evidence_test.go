package classify

import (
	"slices"
	"testing"

	"github.com/tenantgate/tenantgate/headers"
)

// isTrustField is headers.IsTrustField, for the tests that check what the policy removes.
func isTrustField(name string) bool { return headers.IsTrustField(name) }

// TestKindDIRCopiesMustAgree: Exchange Online appends its fields at the bottom of the block, so a
// report above its own can be the sender's. The policy takes no copy for the latest pass: two
// X-Forefront-Antispam-Report fields whose DIR differ make the kind a conflict (unknown, never
// relayed), in either order. Before, the top-most report decided, so a DIR:OUT written above
// Exchange Online's DIR:INB turned relayed mail into mailbox mail that relays.
func TestKindDIRCopiesMustAgree(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	const kind = "X-MS-Exchange-CrossTenant-AuthAs: Internal\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n"
	out, inb := "X-Forefront-Antispam-Report: CIP:192.0.2.1;DIR:OUT;\r\n", "X-Forefront-Antispam-Report: CIP:192.0.2.1;DIR:INB;\r\n"
	for name, reports := range map[string]string{"OUT above INB": out + inb, "INB above OUT": inb + out} {
		t.Run(name, func(t *testing.T) {
			v := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: relay1, Header: header(t, hContoso+kind+reports+hFrom)})
			if v.Origin != OwnTenant || v.Kind != "" || v.Recipients[0].Action != Reject {
				t.Errorf("%s %q %s, want own-tenant, unknown kind, reject", v.Origin, v.Kind, v.Recipients[0].Action)
			}
			if got := codes(v.Reasons); !slices.Contains(got, ReasonKindConflict) {
				t.Errorf("reasons %q lack %s", got, ReasonKindConflict)
			}
		})
	}
	// One report, or copies that agree, decide as before.
	v := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: relay1, Header: header(t, hContoso+kind+inb+inb+hFrom)})
	if v.Kind != Relayed {
		t.Errorf("two DIR:INB copies: kind %q, want relayed", v.Kind)
	}
}

// TestVerdictHopReadAsResults: the hop count of an incoming copy of our verdict header is read
// with the RFC 8601 grammar go-msgauth wrote it in (headers.ScanEvidence), not by substring search:
// a comment holding "x-tenantgate=… policy.hop=1" does not stand for the real result, and
// method and property names compare case-insensitively and may be separated by a tab. Each copy
// below says hop 7, so this pass is 8, past DefaultMaxHops: a loop. Before, these read as hop 1
// or none, and the message passed as hop 2.
func TestVerdictHopReadAsResults(t *testing.T) {
	p := demoPolicy(t, PolicyConfig{})
	for name, field := range map[string]string{
		"comment":    "Authentication-Results: gw.example.net; dkim=pass (x-tenantgate=pass policy.hop=1); x-tenantgate=pass policy.hop=7\r\n",
		"upper case": "Authentication-Results: gw.example.net; X-TENANTGATE=pass POLICY.HOP=7\r\n",
		"tab":        "Authentication-Results: gw.example.net; x-tenantgate=pass\tpolicy.hop=7\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			v := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: relay1, Header: header(t, field+hContoso+hMailbox+hFrom)})
			if v.Hop != 8 {
				t.Errorf("hop %d, want 8", v.Hop)
			}
			if got := codes(v.Reasons); !slices.Contains(got, ReasonLoopHopsExceeded) || v.Recipients[0].Action != Reject {
				t.Errorf("reasons %q, action %s: want %s and reject", got, v.Recipients[0].Action, ReasonLoopHopsExceeded)
			}
		})
	}
}
