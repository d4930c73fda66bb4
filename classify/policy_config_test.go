package classify

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

func TestPolicyConfig(t *testing.T) {
	d := demoDirectory(t)
	for _, tc := range []struct {
		json string
		want PolicyConfig
		err  string // "" = NewPolicy accepts it
	}{
		{`{}`, PolicyConfig{}, ""},
		// false and 0 are the defaults.
		{`{"dkimFallback": false, "maxHops": 0}`, PolicyConfig{}, ""},
		{`{"relayKinds": ["mailbox"], "dkimRequired": true, "maxHops": 3, "verdictHeader": "X-Tenantgate-Verdict"}`,
			PolicyConfig{RelayKinds: []Kind{Mailbox}, DKIMRequired: true, MaxHops: 3, VerdictHeader: "X-Tenantgate-Verdict"}, ""},
		// An empty list is not absent: nobody may relay.
		{`{"relayKinds": []}`, PolicyConfig{RelayKinds: []Kind{}}, ""},
		{`{"relayKinds": ["everyone"]}`, PolicyConfig{RelayKinds: []Kind{"everyone"}}, "unknown relay kind"},
		{`{"maxHops": 5000}`, PolicyConfig{MaxHops: 5000}, "out of range"},
	} {
		var c PolicyConfig
		if err := jsonstrict.Decode([]byte(tc.json), &c); err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		// cmp.Diff tells nil from empty slices: relayKinds [] must stay non-nil.
		if diff := cmp.Diff(tc.want, c); diff != "" {
			t.Errorf("%s decodes to (-want +got):\n%s", tc.json, diff)
		}
		_, err := NewPolicy(d, c)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: NewPolicy error %v; want %q", tc.json, err, tc.err)
		}
	}
	// The options take effect: with relayKinds [] our own mailbox mail is not relayed.
	var c PolicyConfig
	if err := jsonstrict.Decode([]byte(`{"relayKinds": []}`), &c); err != nil {
		t.Fatal(err)
	}
	p, err := NewPolicy(d, c)
	if err != nil {
		t.Fatal(err)
	}
	h := header(t, "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n"+
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n"+
		"From: carol@contoso.com\r\n\r\n")
	v := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: []string{"erin@woodgrove.example"}, Header: h})
	if v.Origin != OwnTenant || v.Recipients[0].Action == Relay {
		t.Errorf("verdict %s, action %s; want own-tenant mail that is not relayed", v.Origin, v.Recipients[0].Action)
	}
}

// The JSON keys of PolicyConfig and AttributeOptions are a file format (the relay's and the
// milter's "policy" section, a scenario file's "policy" and "exchangeOptions": the key lists in
// examples/relay/README.md and testdata/scenarios/README.md): renaming a Go field must not
// rename a key.
func TestOptionsJSONKeys(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{PolicyConfig{RelayKinds: []Kind{Relayed}, DKIMFallback: true, DKIMRequired: true, RejectDuplicateTenantID: true,
			AcceptObsoleteFieldSyntax: true, EOPTenantAttributedEvidence: true, MaxHops: 2, MaxTenantFields: 3,
			VerdictHeader: "X-V", AuthServID: "gw"},
			`{"relayKinds":["relayed"],"dkimFallback":true,"dkimRequired":true,"rejectDuplicateTenantID":true,` +
				`"acceptObsoleteFieldSyntax":true,"eopTenantAttributedEvidence":true,"maxHops":2,"maxTenantFields":3,` +
				`"verdictHeader":"X-V","authServID":"gw"}`},
		{PolicyConfig{}, `{}`},
		{AttributeOptions{RecipientStepOriginating: true, CertificateNameMailFromFallback: true, RecipientBindingPerDomain: true,
			IgnoreCertificateWildcards: true, NullSenderOutOfScope: true,
			OnPremisesSenderDomains: true, TieBreakConfigOrder: true, DirectSendPartnerOnly: true},
			`{"recipientStepOriginating":true,"certificateNameMailFromFallback":true,"recipientBindingPerDomain":true,` +
				`"ignoreCertificateWildcards":true,"nullSenderOutOfScope":true,` +
				`"onPremisesSenderDomains":true,"tieBreakConfigOrder":true,"directSendPartnerOnly":true}`},
		{AttributeOptions{}, `{}`},
	} {
		got, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%T:\n got %s\nwant %s", tc.v, got, tc.want)
		}
	}
}
