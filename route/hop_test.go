package route

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate/tlsid"
)

// TestHopClientHop checks that a Hop maps onto tlsid.ClientHop as Hop's documentation says
// (ServerName = Host, Identity, VerifyNames), so that an MTA need not copy the fields by hand.
func TestHopClientHop(t *testing.T) {
	const host = "fabrikam-com.mail.protection.outlook.com"
	tests := []struct {
		name string
		hop  Hop
		want tlsid.ClientHop
	}{
		// Into a served tenant: its smart host, its identity, the host verified.
		{"tenant", Hop{Kind: HopTenant, Host: host, Identity: "fabrikam", RequireTLS: true, VerifyNames: []string{host}},
			tlsid.ClientHop{ServerName: host, Identity: "fabrikam", VerifyNames: []string{host}}},
		// To an MX: no host yet (the MTA sets each MX host's name), the Internet identity,
		// nothing verified (opportunistic TLS, RFC 7435).
		{"internet", Hop{Kind: HopInternet, Domain: "woodgrove.example", Identity: "internet"},
			tlsid.ClientHop{Identity: "internet"}},
		// A rejection goes nowhere: no identity, nothing to verify.
		{"none", Hop{Kind: HopNone, Reply: ReplyNoRoute}, tlsid.ClientHop{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.hop.ClientHop()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ClientHop() mismatch (-want +got):\n%s", diff)
			}
			// The ClientHop owns its names: changing them leaves the Hop as it was.
			if len(got.VerifyNames) > 0 {
				got.VerifyNames[0] = "changed.example"
				if tc.hop.VerifyNames[0] != host {
					t.Errorf("ClientHop shares VerifyNames with the Hop: %q", tc.hop.VerifyNames[0])
				}
			}
		})
	}
}
