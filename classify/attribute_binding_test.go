package classify

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// sharedDirectory is scenario 8/9's topology, by IP: contoso (T1: contoso.com and
// contoso.onmicrosoft.com) and fabrikam (T2) both list the gateway address G on an OnPremises
// connector, and fabrikam has a Partner connector for G as well.
func sharedDirectory(t *testing.T) *tenantgate.Directory {
	t.Helper()
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" }, { "name": "contoso.onmicrosoft.com" } ],
      "inbound": [ { "name": "onprem-gw", "connectorType": "OnPremises", "senderIPAddresses": ["198.51.100.10"] } ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" } ],
      "inbound": [ { "name": "onprem-gw", "connectorType": "OnPremises", "senderIPAddresses": ["198.51.100.10"] } ] } ],
  "gateway": { "name": "gw.provider.example" } }`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAttributeRecipientStepIncomingDefault: scenario 9 — an OnPremises match tied to the tenant
// only by the recipient — is Incoming by default (issue 15 item 3: the msxfaq report, the 2019
// "Office 365 Message Attribution" post and the June 2025 TLS post), and Originating without
// relay rights only with RecipientStepOriginating (MC1226222's reading, the default before).
func TestAttributeRecipientStepIncomingDefault(t *testing.T) {
	d := sharedDirectory(t)
	c := Connection{RemoteAddr: netip.MustParseAddr("198.51.100.10"), MailFrom: "a@vendor.example", RcptTo: []string{"u@contoso.com"}}
	r := Attribute(d, c, AttributeOptions{}).Recipients[0]
	if !r.Accepted || r.Direction != Incoming || r.Tenant != t1 || r.Connector != "" || r.Method != MethodRecipient {
		t.Errorf("default: %+v, want Incoming to contoso by recipient, no connector", r)
	}
	r = Attribute(d, c, AttributeOptions{RecipientStepOriginating: true}).Recipients[0]
	if !r.Accepted || r.Direction != Originating || r.Tenant != t1 || r.Connector != "onprem-gw" {
		t.Errorf("RecipientStepOriginating: %+v, want Originating through contoso's onprem-gw", r)
	}
}

// TestAttributeATTR46: a transaction without relay rights is bound to its first accepted
// recipient (issue 15 item 4: 451 4.4.5 "Address domain different from previous accepted
// address. All recipients must be on the same domain ATTR46", reported in Microsoft's NDR digests
// and by vendors fanning one message out to several tenants). Per tenant by default: contoso's
// second domain shares the transaction, fabrikam's recipient is deferred; per domain with
// RecipientBindingPerDomain. Rejected recipients bind nothing, and a transaction with relay
// rights is never bound. Before, every recipient was accepted in one transaction.
func TestAttributeATTR46(t *testing.T) {
	d := sharedDirectory(t)
	x := netip.MustParseAddr("203.0.113.7")
	deferred := ReplyAddressDomainDifferent.String()
	for _, tc := range []struct {
		name  string
		ip    netip.Addr
		from  string
		rcpts []string
		o     AttributeOptions
		want  []string // reply prefix per recipient
	}{
		{"per tenant", x, "s@sender.example",
			[]string{"u@contoso.com", "v@contoso.onmicrosoft.com", "w@fabrikam.com", "z@contoso.com"}, AttributeOptions{},
			[]string{"250", "250", deferred, "250"}},
		{"per domain", x, "s@sender.example",
			[]string{"u@contoso.com", "v@contoso.onmicrosoft.com", "w@fabrikam.com", "z@contoso.com"}, AttributeOptions{RecipientBindingPerDomain: true},
			[]string{"250", deferred, deferred, "250"}},
		// The first recipient is refused (5.7.1, no tenant): the binding comes from the second.
		{"rejected recipients bind nothing", x, "s@sender.example",
			[]string{"a@unknown.example", "w@fabrikam.com", "u@contoso.com"}, AttributeOptions{},
			[]string{"550 5.7.1", "250", deferred}},
		// Scenario 9 by IP, recipient step Originating: still no relay rights, still bound.
		{"recipient step Originating", netip.MustParseAddr("198.51.100.10"), "a@vendor.example",
			[]string{"u@contoso.com", "w@fabrikam.com"}, AttributeOptions{RecipientStepOriginating: true},
			[]string{"250", deferred}},
		// Scenario 11: the MAIL FROM step grants relay: contoso's Originating mail to fabrikam
		// goes in the same transaction.
		{"relay rights are not bound", netip.MustParseAddr("198.51.100.10"), "a@contoso.com",
			[]string{"u@contoso.com", "w@fabrikam.com", "x@gmail.com"}, AttributeOptions{},
			[]string{"250", "250", "250"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Attribute(d, Connection{RemoteAddr: tc.ip, MailFrom: tc.from, RcptTo: tc.rcpts}, tc.o)
			for i, r := range a.Recipients {
				if !strings.HasPrefix(r.Reply.String(), tc.want[i]) {
					t.Errorf("%s: reply %q, want %s", r.Rcpt, r.Reply, tc.want[i])
				}
				if r.Reply == ReplyAddressDomainDifferent && (r.Accepted || r.Phase != PhaseRCPT || r.Direction != "") {
					t.Errorf("%s: %+v, want a deferral at RCPT", r.Rcpt, r)
				}
			}
			for _, s := range a.Stamps {
				for _, rcpt := range s.Recipients {
					for _, r := range a.Recipients {
						if r.Rcpt == rcpt && !r.Accepted {
							t.Errorf("stamp %+v holds deferred %s", s, rcpt)
						}
					}
				}
			}
		})
	}
}

// TestAttributePhase: unauthorised relay — 5.7.64 and 5.7.1 — gets 250 at RCPT and the refusal
// after DATA; 5.7.51, 5.7.68 and accepted recipients are answered at RCPT (issue 15 item 7,
// Microsoft's note "Exchange Online incorrectly flagged as possible open relay"). Before, no
// recipient carried a phase.
func TestAttributePhase(t *testing.T) {
	d := testDirectory(t)
	a := Attribute(d, Connection{RemoteAddr: netip.MustParseAddr("203.0.113.7"), MailFrom: "ceo@fabrikam.com",
		TLS:    tlsid.Evidence{TLS: true},
		RcptTo: []string{"u@contoso.com", "v@fabrikam.com", "w@yahoo.com"}}, AttributeOptions{})
	want := map[string]Phase{"u@contoso.com": PhaseRCPT, "v@fabrikam.com": PhaseRCPT, "w@yahoo.com": PhaseDATA}
	for _, r := range a.Recipients {
		if r.Phase != want[r.Rcpt] {
			t.Errorf("%s (%s): phase %q, want %q", r.Rcpt, r.Reply.Enhanced, r.Phase, want[r.Rcpt])
		}
	}
	a = Attribute(d, Connection{RemoteAddr: netip.MustParseAddr("203.0.113.7"), MailFrom: "s@sender.example",
		RcptTo: []string{"x@yahoo.com"}}, AttributeOptions{})
	if r := a.Recipients[0]; r.Reply != ReplyRelayDenied || r.Phase != PhaseDATA {
		t.Errorf("5.7.1: %+v, want phase data", r)
	}
}

// TestAttributeOptionsJSONCompat: "recipientStepIncoming", the key of earlier scenario files,
// keeps its meaning after the default flipped (issue 15 item 3): true is now the default,
// false selects RecipientStepOriginating; contradicting the new key, or an unknown key, is an
// error.
func TestAttributeOptionsJSONCompat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    AttributeOptions
		wantErr string
	}{
		{`{"recipientStepIncoming": true}`, AttributeOptions{}, ""},
		{`{"recipientStepIncoming": false}`, AttributeOptions{RecipientStepOriginating: true}, ""},
		{`{"recipientStepOriginating": true, "tieBreakConfigOrder": true}`, AttributeOptions{RecipientStepOriginating: true, TieBreakConfigOrder: true}, ""},
		{`{"recipientStepIncoming": false, "recipientStepOriginating": true}`, AttributeOptions{RecipientStepOriginating: true}, ""},
		{`{"recipientStepIncoming": true, "recipientStepOriginating": true}`, AttributeOptions{}, "contradict"},
		{`{"recipientStepIncomming": true}`, AttributeOptions{}, "unknown field"},
		{`{}`, AttributeOptions{}, ""},
	} {
		var got AttributeOptions
		err := json.Unmarshal([]byte(tc.in), &got)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want %q", tc.in, err, tc.wantErr)
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.wantErr == "" && got != tc.want:
			t.Errorf("%s: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
