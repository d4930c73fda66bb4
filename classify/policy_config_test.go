package classify

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

func TestPolicyConfig(t *testing.T) {
	d := demoDirectory(t)
	for _, tc := range []struct {
		json    string
		options int    // how many options the config sets
		err     string // "" = NewPolicy accepts them
	}{
		{`{}`, 0, ""},
		// false and 0 are the defaults: they set nothing.
		{`{"dkimFallback": false, "maxHops": 0}`, 0, ""},
		{`{"relayKinds": ["mailbox"], "dkimRequired": true, "maxHops": 3, "verdictHeader": "X-Tenantgate-Verdict"}`, 4, ""},
		// An empty list is not absent: nobody may relay.
		{`{"relayKinds": []}`, 1, ""},
		{`{"relayKinds": ["everyone"]}`, 1, "unknown relay kind"},
		{`{"maxHops": 5000}`, 1, "out of range"},
	} {
		var c PolicyConfig
		if err := jsonstrict.Decode([]byte(tc.json), &c); err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		opts := c.Options()
		if len(opts) != tc.options {
			t.Errorf("%s: %d options; want %d", tc.json, len(opts), tc.options)
		}
		_, err := NewPolicy(d, opts...)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: NewPolicy error %v; want %q", tc.json, err, tc.err)
		}
	}
	// The options take effect: with relayKinds [] our own mailbox mail is not relayed.
	var c PolicyConfig
	if err := jsonstrict.Decode([]byte(`{"relayKinds": []}`), &c); err != nil {
		t.Fatal(err)
	}
	p, err := NewPolicy(d, c.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	h := header(t, "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n"+
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n"+
		"From: carol@contoso.com\r\n\r\n")
	v := p.Message(exoSession(), "carol@contoso.com", []string{"erin@woodgrove.example"}, h)
	if v.Origin != OwnTenant || v.Recipients[0].Action == Relay {
		t.Errorf("verdict %s, action %s; want own-tenant mail that is not relayed", v.Origin, v.Recipients[0].Action)
	}
}
