package msendpoints

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// TestMailNetworksWorldwide reads the checked-in worldwide list (testdata/SOURCES.md) and expects
// endpoint set 10: the Exchange set on TCP port 25, *.mail.protection.outlook.com, whose ranges
// are those Microsoft's endpoint page lists for ID 10 and tenantgate.DefaultEXONetworks holds
// (https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges). Set 9
// (*.protection.outlook.com, TCP 443) has overlapping ranges and must not be taken.
func TestMailNetworksWorldwide(t *testing.T) {
	data, err := os.ReadFile("testdata/worldwide.json")
	if err != nil {
		t.Fatal(err)
	}
	sets, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 107 {
		t.Errorf("%d endpoint sets; the file has 107", len(sets))
	}
	m, err := MailNetworks(sets)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.SetIDs, []int{10}) {
		t.Errorf("SetIDs = %v; want [10]", m.SetIDs)
	}
	if !slices.Equal(m.URLs, []string{"*.mail.protection.outlook.com"}) {
		t.Errorf("URLs = %v", m.URLs)
	}
	want := tenantgate.DefaultEXONetworks()
	if !slices.Equal(m.Networks, want) {
		t.Errorf("Networks = %v; want %v", m.Networks, want)
	}
	if _, err := MailNetworks(sets, 10); err != nil {
		t.Errorf("pinned to 10: %v", err)
	}
	if _, err := MailNetworks(sets, 9); err == nil || !strings.Contains(err.Error(), "[10]") {
		t.Errorf("pinned to 9: err = %v; want one naming the sets found, [10]", err)
	}
}

// TestMailNetworksSovereign: the GCC High list's mail set is ID 6 with ports "25, 443" and
// *.protection.office365.us (Microsoft's GCC High endpoint table, version 2023073100); ID 5 has
// port 25 but no ranges (client submission names only) and adds nothing.
func TestMailNetworksSovereign(t *testing.T) {
	sets, err := Parse([]byte(`[
 {"id":5,"serviceArea":"Exchange","urls":["outlook.office365.us"],"tcpPorts":"143,25,587,993,995","category":"Default","required":true},
 {"id":6,"serviceArea":"Exchange","urls":["*.protection.office365.us"],
  "ips":["23.103.191.0/24","23.103.208.0/22","2001:489a:2202:4::/62"],"tcpPorts":"25,443","category":"Allow","required":true,"someNewField":{}},
 {"id":26,"serviceArea":"Common","ips":["52.127.240.0/20"],"tcpPorts":"25"}]`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := MailNetworks(sets)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("23.103.191.0/24"), netip.MustParsePrefix("23.103.208.0/22"), netip.MustParsePrefix("2001:489a:2202:4::/62")}
	if !slices.Equal(m.SetIDs, []int{6}) || !slices.Equal(m.Networks, want) {
		t.Errorf("got sets %v networks %v; want [6] %v", m.SetIDs, m.Networks, want)
	}
}

// TestMinimal: duplicates and ranges inside another go; the order is by address.
func TestMinimal(t *testing.T) {
	in := []netip.Prefix{
		netip.MustParsePrefix("2a01:111:f403::/48"), netip.MustParsePrefix("40.107.0.0/16"),
		netip.MustParsePrefix("40.92.0.0/15"), netip.MustParsePrefix("40.107.3.0/24"), netip.MustParsePrefix("40.92.0.0/15"),
	}
	want := []netip.Prefix{netip.MustParsePrefix("40.92.0.0/15"), netip.MustParsePrefix("40.107.0.0/16"), netip.MustParsePrefix("2a01:111:f403::/48")}
	if got := minimal(in); !slices.Equal(got, want) {
		t.Errorf("minimal = %v; want %v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bad cidr", `[{"id":10,"serviceArea":"Exchange","ips":["40.92.0.0/33"],"tcpPorts":"25"}]`, `endpoint set [0] (id 10): ips[0] "40.92.0.0/33" is not a CIDR range`},
		{"bare address", `[{"id":10,"ips":["40.92.0.1"]}]`, `ips[0] "40.92.0.1"`},
		{"no id", `[{"serviceArea":"Exchange"}]`, "endpoint set [0]: id missing"},
		{"duplicate id", `[{"id":1},{"id":1}]`, "endpoint set [1] (id 1): id also used by endpoint set [0]"},
		{"bad ports", `[{"id":2,"tcpPorts":"25,x"}]`, `endpoint set [0] (id 2): tcpPorts: "x"`},
		{"port zero", `[{"id":2,"tcpPorts":"0"}]`, `tcpPorts: "0"`},
		{"reversed range", `[{"id":2,"tcpPorts":"30-20"}]`, `tcpPorts: "30-20"`},
		{"service error", `{"error":"Too many requests"}`, "answered with an error"},
		{"object", `{"instance":"Worldwide","latest":"2024063000"}`, "not the endpoint list"},
		{"wrong type", "[\n{\"id\":\"ten\"}]", "line 2"},
		{"trailing", `[] []`, "unexpected data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := MailNetworks(nil); err == nil {
		t.Error("MailNetworks of an empty list: no error; an empty list must never become empty networks")
	}
	if _, err := Parse(make([]byte, MaxBytes+1)); err == nil {
		t.Error("oversized input accepted")
	}
}

func TestHasTCPPort(t *testing.T) {
	s := EndpointSet{TCPPorts: []PortRange{{80, 80}, {20, 30}}}
	for p, want := range map[uint16]bool{25: true, 80: true, 443: false, 19: false, 30: true} {
		if s.HasTCPPort(p) != want {
			t.Errorf("HasTCPPort(%d) = %v", p, !want)
		}
	}
}

// TestMatchesCloud: the worldwide list belongs to the worldwide cloud only; a GCC High mail set
// (*.protection.office365.us) to GCC High and DoD, whose certificate name is
// mail.protection.office365.us (docs/exchange-online.md#clouds).
func TestMatchesCloud(t *testing.T) {
	ww := Mail{URLs: []string{"*.mail.protection.outlook.com"}}
	gov := Mail{URLs: []string{"*.manage.office365.us", "*.protection.office365.us"}}
	cn := Mail{URLs: []string{"*.protection.partner.outlook.cn"}}
	for _, tc := range []struct {
		m     Mail
		cloud tenantgate.Cloud
		want  bool
	}{
		{ww, "", true}, {ww, tenantgate.CloudWorldwide, true}, {ww, tenantgate.CloudUSGovGCCHigh, false}, {ww, tenantgate.CloudChina, false},
		{gov, tenantgate.CloudUSGovGCCHigh, true}, {gov, tenantgate.CloudUSGovDoD, true}, {gov, tenantgate.CloudWorldwide, false},
		{cn, tenantgate.CloudChina, true}, {cn, tenantgate.CloudWorldwide, false},
	} {
		if got := tc.m.MatchesCloud(tc.cloud); got != tc.want {
			t.Errorf("%v.MatchesCloud(%q) = %v", tc.m.URLs, tc.cloud, got)
		}
	}
}
