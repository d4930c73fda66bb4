package headers

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/textproto"
	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// randCrossTenant builds a CrossTenant with each field present or absent at random. Values stay
// within what the grammars of docs/headers.md#crosstenant-fields can carry: times at EXO's 100 µs
// precision, tokens without ';', ']' or white space.
func randCrossTenant(r *rand.Rand) CrossTenant {
	word := func() string {
		const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-"
		n := 1 + r.IntN(20)
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	}
	maybe := func(s string) string {
		if r.IntN(3) == 0 {
			return ""
		}
		return s
	}
	id := func() tenantgate.TenantID {
		var t tenantgate.TenantID
		for i := range t {
			t[i] = byte(r.UintN(256))
		}
		return t
	}
	var c CrossTenant
	c.OriginatorOrg = maybe(word())
	if r.IntN(3) > 0 {
		c.OriginalArrivalTime = time.Unix(r.Int64N(4e9), r.Int64N(1e4)*1e5).UTC()
	}
	c.NetworkMessageID = maybe(id().String())
	if r.IntN(3) > 0 {
		c.ID = id()
	}
	if r.IntN(2) == 0 {
		ip := &TenantConnectingIP{TenantID: id(), HELO: maybe(word())}
		switch r.IntN(3) {
		case 0:
			ip.IP = netip.AddrFrom4([4]byte{byte(r.UintN(256)), 1, 2, 3})
		case 1:
			ip.IP = netip.MustParseAddr("2001:db8::" + strings.ToLower(string("0123456789abcdef"[r.IntN(16)])))
		}
		if r.IntN(3) == 0 {
			ip.Unknown = []Param{{Key: "X" + word(), Value: word()}}
		}
		c.ConnectingIP = ip
	}
	c.AuthSource = maybe(word())
	c.AuthAs = maybe([]string{"Internal", "Anonymous"}[r.IntN(2)])
	c.FromEntityHeader = maybe([]string{"Hosted", "HybridOnPrem", "Internet"}[r.IntN(3)])
	c.MailboxType = maybe("HOSTED")
	c.UserPrincipalName = maybe(word())
	if r.IntN(3) == 0 {
		o := id()
		c.RMSPersistedConsumerOrg = &o
	}
	c.Stamped = maybe(strings.ToUpper(word()))
	return c
}

// TestStampRoundTrip is the property Parse(Stamp(x)).LatestPass() == x, over a header that
// already holds fields, so the stamp must land at the bottom (docs/headers.md#passes).
func TestStampRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		want := randCrossTenant(r)
		var h textproto.Header
		h.Add("Subject", "x")
		h.Add("Received", "from a by b; Thu, 26 Nov 2026 10:00:00 +0000")
		if err := want.Stamp(&h); err != nil {
			t.Fatalf("case %d: Stamp: %v", i, err)
		}
		m := Parse(h)
		if len(m.Problems) != 0 {
			t.Fatalf("case %d: problems %v", i, m.Problems)
		}
		if diff := cmp.Diff(want, m.LatestPass(), cmpOpts); diff != "" {
			t.Fatalf("case %d: (-want +got)\n%s", i, diff)
		}
		if f := h.Fields(); f.Next() && f.Key() != "Received" {
			t.Fatalf("case %d: top field is %s, want Received (stamps go to the bottom)", i, f.Key())
		}
	}
}

// TestStampOrder checks EXO's order and spelling (docs/headers.md#crosstenant-fields).
func TestStampOrder(t *testing.T) {
	zero := tenantgate.TenantID{}
	c := CrossTenant{
		OriginatorOrg: "contoso.com", OriginalArrivalTime: time.Date(2026, 11, 26, 9, 5, 1, 123400000, time.UTC),
		NetworkMessageID: guid2, ID: tenantgate.MustParseTenantID(guid1),
		ConnectingIP: &TenantConnectingIP{TenantID: tenantgate.MustParseTenantID(guid1), IP: netip.MustParseAddr("198.51.100.25"), HELO: "gw.example.net"},
		AuthSource:   "AM0PR01MB1234.eurprd01.prod.outlook.com", AuthAs: "Anonymous", FromEntityHeader: "HybridOnPrem",
		MailboxType: "HOSTED", UserPrincipalName: "abc=", RMSPersistedConsumerOrg: &zero, Stamped: "AM0PR01MB1234",
	}
	var h textproto.Header
	if err := c.Stamp(&h); err != nil {
		t.Fatal(err)
	}
	var got []string
	for f := h.Fields(); f.Next(); {
		raw, _ := f.Raw()
		got = append(got, strings.TrimSuffix(string(raw), "\r\n"))
	}
	want := []string{
		"X-OriginatorOrg: contoso.com",
		"X-MS-Exchange-CrossTenant-OriginalArrivalTime: 26 Nov 2026 09:05:01.1234 (UTC)",
		"X-MS-Exchange-CrossTenant-Network-Message-Id: " + guid2,
		"X-MS-Exchange-CrossTenant-Id: " + guid1,
		"X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: TenantId=" + guid1 + ";Ip=[198.51.100.25];Helo=[gw.example.net]",
		"X-MS-Exchange-CrossTenant-AuthSource: AM0PR01MB1234.eurprd01.prod.outlook.com",
		"X-MS-Exchange-CrossTenant-AuthAs: Anonymous",
		"X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem",
		"X-MS-Exchange-CrossTenant-MailboxType: HOSTED",
		"X-MS-Exchange-CrossTenant-UserPrincipalName: abc=",
		"X-MS-Exchange-CrossTenant-RMS-PersistedConsumerOrg: 00000000-0000-0000-0000-000000000000",
		"X-MS-Exchange-Transport-CrossTenantHeadersStamped: AM0PR01MB1234",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	bad := CrossTenant{AuthAs: "Internal\r\nX-MS-Exchange-CrossTenant-Id: " + guid2}
	if err := bad.Stamp(&h); err == nil {
		t.Error("Stamp accepted a value with a line break")
	}
}

// TestStampAntispamRoundTrip is Parse(StampAntispam(x)) == x for the reports EXO writes.
func TestStampAntispamRoundTrip(t *testing.T) {
	reports := []AntispamReport{
		{CIP: netip.MustParseAddr("255.255.255.255"), LANG: "en", SCL: intp(1), IPV: "NLI", SFV: "NSPM", H: "h.prod.outlook.com", CAT: "NONE", SFS: "(1)(2)", DIR: "OUT", SFP: "1101"},
		{CIP: netip.MustParseAddr("2001:db8::25"), SCL: intp(-1), SFV: "SKN", DIR: "INB", CTRY: "DE", PTR: "mx.example", SFTY: "9.25", SRV: "BULK", ARC: "AAR"},
		{Untrusted: true, SCL: intp(9), SFV: "SPM", CAT: "HPHSH", Unknown: []Param{{"EFV", "NLI"}, {"MLV", "x"}}},
	}
	for i, want := range reports {
		var h textproto.Header
		if err := StampAntispam(&h, want); err != nil {
			t.Fatal(err)
		}
		m := Parse(h)
		if len(m.Antispam) != 1 || len(m.Problems) != 0 {
			t.Fatalf("case %d: %d reports, problems %v", i, len(m.Antispam), m.Problems)
		}
		got := m.Antispam[0]
		got.Field = Field{}
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Errorf("case %d: (-want +got)\n%s", i, diff)
		}
	}
	ms := MicrosoftAntispam{BCL: intp(1), PCL: intp(3), RULEID: "(1)(2)", ARA: "1|2", Unknown: []Param{{"X", "y"}}}
	var h textproto.Header
	if err := StampMicrosoftAntispam(&h, ms); err != nil {
		t.Fatal(err)
	}
	got := Parse(h).MicrosoftAntispam[0]
	got.Field = Field{}
	if diff := cmp.Diff(ms, got); diff != "" {
		t.Errorf("X-Microsoft-Antispam (-want +got)\n%s", diff)
	}
}
