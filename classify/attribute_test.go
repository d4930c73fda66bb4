package classify

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

var (
	t1 = tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111")
	t2 = tenantgate.MustParseTenantID("22222222-2222-2222-2222-222222222222")
)

// testDirectory is the fixture of docs/exchange-online.md#scenarios: contoso (T1) with an
// OnPremises connector for its own certificate and a Partner connector locked to the gateway IP G
// with Enhanced Filtering; fabrikam (T2) with RejectDirectSend.
func testDirectory(t testing.TB) *tenantgate.Directory {
	t.Helper()
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" }, { "name": "mail.contoso.com" },
                           { "name": "sub.contoso.net", "domainType": "InternalRelay", "matchSubDomains": true } ],
      "inbound": [
        { "name": "onprem", "connectorType": "OnPremises", "tlsSenderCertificateName": "mail.contoso.com" },
        { "name": "from-gateway", "senderIPAddresses": ["198.51.100.10"], "restrictDomainsToIPAddresses": true,
          "efSkipLastIP": true } ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" } ], "rejectDirectSend": true } ],
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

func reasonCodes(rs []tenantgate.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

// TestAttribute compares whole results (recipients, stamps and reason codes in order).
func TestAttribute(t *testing.T) {
	d := testDirectory(t)
	g := netip.MustParseAddr("198.51.100.10")
	x := netip.MustParseAddr("203.0.113.7")
	top, err := headers.ParseReceived("from mta.sender.example (mta.sender.example [203.0.113.7]) by gw.provider.example; Thu, 26 Nov 2026 10:00:00 +0000")
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Recipients       []RecipientAttribution
		OriginalClientIP netip.Addr
		Stamps           []Stamp
		Reasons          []string
	}
	for _, tc := range []struct {
		name string
		c    Connection
		want result
	}{{
		// Scenario 1: certificate matches, its domain is accepted → Originating with relay; the
		// Gmail recipient is outside contoso (DIR:OUT), the on-premises server's IP and HELO are
		// recorded for HybridOnPrem.
		name: "onprem relay by certificate",
		c: Connection{RemoteAddr: x, HELO: "mail.contoso.com", MailFrom: "a@contoso.com", RcptTo: []string{"x@gmail.com"},
			TLS: tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail.contoso.com"}}},
		want: result{
			Recipients: []RecipientAttribution{{Rcpt: "x@gmail.com", Accepted: true, Tenant: t1, Connector: "onprem",
				Method: MethodCertificate, Direction: Originating, AuthAs: AuthAsAnonymous, Reply: ReplyRecipientOK, Phase: PhaseRCPT}},
			OriginalClientIP: x,
			Stamps: []Stamp{{Tenant: t1, Recipients: []string{"x@gmail.com"}, Connector: "onprem", Direction: Originating,
				AuthAs: AuthAsAnonymous, FromEntityHeader: "HybridOnPrem", DIR: "OUT", CIP: x, H: "mail.contoso.com",
				ConnectingIP: x, ConnectingHELO: "mail.contoso.com"}},
			Reasons: []string{"attr.onprem.cert-match", "attr.onprem.tenant-by-certificate", "attr.onprem.relay-allowed"},
		},
	}, {
		// Scenarios 17 and 26: through the gateway's Partner connector with EFSkipLastIP; the
		// original IP comes from the top Received. fabrikam's recipient, in another tenant than
		// the first accepted one of a transaction without relay rights, is deferred with
		// 451 4.4.5 ATTR46 (issue 15 item 4: the reply Exchange Online's NDRs and gateway vendors
		// report); the sender retries it in a transaction of its own.
		name: "partner with enhanced filtering, two tenants",
		c: Connection{RemoteAddr: g, MailFrom: "s@sender.example", RcptTo: []string{"u@contoso.com", "v@fabrikam.com"},
			Received: []headers.Received{top}},
		want: result{
			Recipients: []RecipientAttribution{
				{Rcpt: "u@contoso.com", Accepted: true, Tenant: t1, Connector: "from-gateway", Method: MethodSenderIP,
					Direction: Incoming, AuthAs: AuthAsAnonymous, Reply: ReplyRecipientOK, Phase: PhaseRCPT},
				{Rcpt: "v@fabrikam.com", Tenant: t2, Reply: ReplyAddressDomainDifferent, Phase: PhaseRCPT},
			},
			OriginalClientIP: x,
			Stamps: []Stamp{
				{Tenant: t1, Recipients: []string{"u@contoso.com"}, Connector: "from-gateway", Direction: Incoming,
					AuthAs: AuthAsAnonymous, FromEntityHeader: "Internet", DIR: "INB", CIP: x,
					EnhancedFiltering:              EnhancedFiltering{Enabled: true, SkipListed: true, SourceIP: x, SourceName: "mta.sender.example", Applied: true},
					ExternalOriginalInternetSender: "ip=[203.0.113.7];domain=mta.sender.example",
					SkipListedInternetSender:       "ip=[203.0.113.7];domain=mta.sender.example"},
			},
			Reasons: []string{"attr.onprem.none", "attr.partner.match", "attr.incoming", "attr.incoming",
				"attr.rcpt.domain-different", "attr.ef.skip-listed", "attr.ef.applied"},
		},
	}, {
		// Scenarios 18, 22 and 16 in one transaction: each recipient is decided on its own.
		name: "three rejections",
		c:    Connection{RemoteAddr: x, MailFrom: "ceo@fabrikam.com", RcptTo: []string{"u@contoso.com", "v@fabrikam.com", "w@yahoo.com"}},
		want: result{
			Recipients: []RecipientAttribution{
				{Rcpt: "u@contoso.com", Tenant: t1, Connector: "from-gateway", Method: MethodRecipient, Reply: ReplyPartnerRestricted, Phase: PhaseRCPT},
				{Rcpt: "v@fabrikam.com", Tenant: t2, Method: MethodRecipient, Reply: ReplyDirectSend, Phase: PhaseRCPT},
				// MAIL FROM is fabrikam's own domain: a relay attempt without a connector → 5.7.64,
				// given after DATA (issue 15 item 7).
				{Rcpt: "w@yahoo.com", Reply: ReplyTenantAttribution, Phase: PhaseDATA},
			},
			OriginalClientIP: x,
			Reasons:          []string{"attr.onprem.none", "attr.partner.restrict-ip", "attr.direct-send.rejected", "attr.rcpt.relay-denied"},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			a := Attribute(d, tc.c, AttributeOptions{})
			got := result{a.Recipients, a.OriginalClientIP, a.Stamps, reasonCodes(a.Reasons)}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("Attribute (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAttributeFailsClosed: evidence that is unverified, inconsistent or malformed never grants
// Originating.
func TestAttributeFailsClosed(t *testing.T) {
	d := testDirectory(t)
	x := netip.MustParseAddr("203.0.113.7")
	for _, tc := range []struct {
		name string
		tls  tlsid.Evidence
		code string
	}{
		{"unverified", tlsid.Evidence{TLS: true, Names: []string{"mail.contoso.com"}, Error: "self-signed"}, "attr.tls.unverified"},
		{"verified without TLS", tlsid.Evidence{Verified: true, Names: []string{"mail.contoso.com"}}, "attr.tls.inconsistent"},
		{"malformed name", tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail contoso.com"}}, "attr.cert.name-invalid"},
		// Only the first maxCertNames names count: the connector's name in 257th place matches
		// nothing.
		{"too many names", tlsid.Evidence{TLS: true, Verified: true, Names: append(manyNames(maxCertNames), "mail.contoso.com")}, "attr.cert.too-many-names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Attribute(d, Connection{RemoteAddr: x, TLS: tc.tls, MailFrom: "a@vendor.example", RcptTo: []string{"x@gmail.com"}}, AttributeOptions{})
			if a.Recipients[0].Accepted || a.Recipients[0].Direction == Originating {
				t.Errorf("recipient %+v, want rejected", a.Recipients[0])
			}
			if !strings.Contains(strings.Join(reasonCodes(a.Reasons), " "), tc.code) {
				t.Errorf("reasons %v, want %s", reasonCodes(a.Reasons), tc.code)
			}
		})
	}
}

// manyNames returns n distinct host names that no connector of testDirectory names.
func manyNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%d.unrelated.example", i)
	}
	return out
}

// TestAttributeEnhancedFilteringNotSkipped: a Partner connector with EFSkipIPs that does not
// list the connecting IP skips nothing: the connecting IP is the last source and the first one
// not skipped, so it stays the source and Enhanced Filtering does not apply (the Received hops
// beyond it are never looked at).
func TestAttributeEnhancedFilteringNotSkipped(t *testing.T) {
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" } ],
      "inbound": [ { "name": "from-gateway", "senderIPAddresses": ["198.51.100.10", "198.51.100.20"],
          "restrictDomainsToIPAddresses": true, "efSkipIPs": ["198.51.100.20"] } ] } ],
  "gateway": { "name": "gw.provider.example" } }`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	top, err := headers.ParseReceived("from mta.sender.example (mta.sender.example [203.0.113.7]) by gw.provider.example; Thu, 26 Nov 2026 10:00:00 +0000")
	if err != nil {
		t.Fatal(err)
	}
	gw := netip.MustParseAddr("198.51.100.10")
	a := Attribute(d, Connection{RemoteAddr: gw, MailFrom: "s@sender.example", RcptTo: []string{"u@contoso.com"}, Received: []headers.Received{top}}, AttributeOptions{})
	if len(a.Recipients) != 1 || !a.Recipients[0].Accepted {
		t.Fatalf("recipients %+v, want u@contoso.com accepted", a.Recipients)
	}
	if len(a.Stamps) != 1 {
		t.Fatalf("stamps %+v, want one", a.Stamps)
	}
	ef := a.Stamps[0].EnhancedFiltering
	if !ef.Enabled || ef.SkipListed || ef.Applied || a.OriginalClientIP != gw {
		t.Errorf("enhanced filtering %+v, original client IP %s; want enabled, nothing skip listed, source %s", ef, a.OriginalClientIP, gw)
	}
	if got := reasonCodes(a.Reasons); !slices.Contains(got, "attr.ef.not-skipped") {
		t.Errorf("reasons %v, want attr.ef.not-skipped", got)
	}
}

// TestAttributeZero: no recipients, zero connection — no panic, nothing accepted.
func TestAttributeZero(t *testing.T) {
	a := Attribute(testDirectory(t), Connection{}, AttributeOptions{})
	if a.Accepted() || len(a.Recipients) != 0 || len(a.Stamps) != 0 {
		t.Errorf("Attribute(zero) = %+v", a)
	}
}

// FuzzAttribute: Attribute never panics, answers every recipient, and never lets a connection
// relay to a domain nobody hosts unless an OnPremises connector matched and the relay rule held.
func FuzzAttribute(f *testing.F) {
	d := testDirectory(f)
	f.Add("203.0.113.7", "a@contoso.com", "x@gmail.com", "mail.contoso.com", true, "from a ([203.0.113.7]) by b; Thu, 26 Nov 2026 10:00:00 +0000")
	f.Add("198.51.100.10", "", "u@contoso.com", "", false, "")
	f.Add("2001:db8::1", "<>", "u@eu.sub.contoso.net", "*.contoso.com", true, "garbage")
	f.Fuzz(func(t *testing.T, ip, from, rcpt, name string, verified bool, received string) {
		addr, _ := netip.ParseAddr(ip)
		c := Connection{RemoteAddr: addr, MailFrom: from, RcptTo: []string{rcpt, rcpt},
			TLS: tlsid.Evidence{TLS: name != "", Verified: verified, Names: []string{name}}}
		if r, err := headers.ParseReceived(received); err == nil {
			c.Received = []headers.Received{r}
		}
		a := Attribute(d, c, AttributeOptions{})
		if len(a.Recipients) != 2 {
			t.Fatalf("%d recipients", len(a.Recipients))
		}
		if err := checkDeclared(a.Reasons); err != nil {
			t.Error(err)
		}
		for _, r := range a.Recipients {
			if r.Accepted != (r.Reply.Code == 250) {
				t.Errorf("accepted %v with reply %q", r.Accepted, r.Reply)
			}
			dom, err := tenantgate.AddressDomain(r.Rcpt)
			if !r.Accepted || err != nil {
				continue
			}
			if _, _, hosted := d.Owner(dom); !hosted && (r.Direction != Originating || !verified || !strings.HasSuffix(strings.ToLower(name), "contoso.com")) {
				// Only the OnPremises certificate connector grants relay in this directory
				// (mail.contoso.com, or a wildcard "*.contoso.com" standing for it; names compare
				// case-insensitively).
				t.Errorf("relay to %s granted: %+v", dom, r)
			}
		}
	})
}

// TestAttributeCertificateNamesFollowTlsid checks that Attribute reads certificate names exactly as
// tlsid.MatchConnectorName does (one implementation of docs/exchange-online.md#certificate-names):
// a presented "*.X" stands for one label under X, but a wildcard over a single label ("*.com")
// stands for nothing, even though crypto/x509 would accept it. MAIL FROM is an accepted domain, so
// a certificate match relays (the 2023 rule) and shows its connector.
func TestAttributeCertificateNamesFollowTlsid(t *testing.T) {
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" }, { "name": "mail.contoso.com" } ],
      "inbound": [ { "name": "apex", "connectorType": "OnPremises", "tlsSenderCertificateName": "contoso.com" },
                   { "name": "mail", "connectorType": "OnPremises", "tlsSenderCertificateName": "mail.contoso.com" } ] } ],
  "gateway": { "name": "gw.example.net" } }`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		cert      string
		connector string // "" = no certificate match
	}{
		{"wildcard one label up", "*.contoso.com", "mail"},
		{"single-label wildcard", "*.com", ""},
		{"exact", "contoso.com", "apex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := tlsid.Evidence{TLS: true, Verified: true, Names: []string{tc.cert}}
			a := Attribute(d, Connection{RemoteAddr: netip.MustParseAddr("203.0.113.7"), TLS: ev,
				MailFrom: "a@contoso.com", RcptTo: []string{"x@gmail.com"}}, AttributeOptions{})
			r := a.Recipients[0]
			if tc.connector == "" {
				if r.Method == MethodCertificate {
					t.Errorf("%s matched connector %q by certificate; want no match", tc.cert, r.Connector)
				}
				return
			}
			if r.Method != MethodCertificate || r.Connector != tc.connector {
				t.Errorf("%s: got %+v; want a certificate match on %q", tc.cert, r, tc.connector)
			}
		})
	}
}
