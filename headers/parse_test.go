package headers

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

const (
	guid1 = "11111111-1111-1111-1111-111111111111"
	guid2 = "22222222-2222-2222-2222-222222222222"
)

// parse reads and parses a header block written with LF line ends.
func parse(t *testing.T, block string) *Message {
	t.Helper()
	block = strings.ReplaceAll(block, "\n", "\r\n")
	h, err := Read(strings.NewReader(block), Limits{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return Parse(h)
}

func codes(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Reason.Code)
	}
	return out
}

// TestCrossTenantIDVariants covers docs/threat-model.md#threat-10 and #threat-11, and
// docs/headers.md#reading-the-header-block and #tenant-id: exact name, case-insensitive; unfold,
// then a bare canonical GUID only.
func TestCrossTenantIDVariants(t *testing.T) {
	type idView struct {
		Name  string
		Valid bool
		Space bool
	}
	tests := []struct {
		name     string
		block    string
		wantIDs  []idView
		wantErr  error // of CrossTenantID
		wantCode []string
	}{
		{"lower-case-name", "x-ms-exchange-crosstenant-id: " + guid1 + "\n",
			[]idView{{"x-ms-exchange-crosstenant-id", true, false}}, nil, nil},
		{"two-casings-same-value", "X-MS-Exchange-CrossTenant-id: " + guid1 + "\nX-MS-Exchange-CrossTenant-Id: " + guid1 + "\n",
			[]idView{{"X-MS-Exchange-CrossTenant-id", true, false}, {"X-MS-Exchange-CrossTenant-Id", true, false}}, nil, nil},
		// Obsolete WSP before the colon: the value is read, but it is suspicious (threat 10).
		{"space-before-colon", "X-MS-Exchange-CrossTenant-Id : " + guid1 + "\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", true, true}}, ErrInvalidTenantID, []string{"headers.name.space-before-colon"}},
		// Similar names are other fields (threat 10).
		{"id2-ids", "X-MS-Exchange-CrossTenant-Id2: " + guid1 + "\nX-MS-Exchange-CrossTenant-Ids: " + guid1 + "\n",
			nil, ErrNoTenantID, nil},
		// Folded and tab-separated values unfold to the bare GUID (threat 11).
		{"folded", "X-MS-Exchange-CrossTenant-Id:\n " + guid1 + "\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", true, false}}, nil, nil},
		{"tab", "X-MS-Exchange-CrossTenant-Id:\t" + guid1 + "\t\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", true, false}}, nil, nil},
		// Upper case is accepted (docs/headers.md#tenant-id: upper case accepted, written in lower
		// case).
		{"upper-case", "X-MS-Exchange-CrossTenant-Id: AAAAAAAA-1111-1111-1111-111111111111\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", true, false}}, nil, nil},
		// Everything else is invalid and counts as missing (threat 11).
		{"comment", "X-MS-Exchange-CrossTenant-Id: " + guid1 + " (ours)\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", false, false}}, ErrInvalidTenantID, []string{"headers.crosstenant-id.invalid"}},
		{"braces", "X-MS-Exchange-CrossTenant-Id: {" + guid1 + "}\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", false, false}}, ErrInvalidTenantID, []string{"headers.crosstenant-id.invalid"}},
		{"extra-char", "X-MS-Exchange-CrossTenant-Id: " + guid1 + "x\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", false, false}}, ErrInvalidTenantID, []string{"headers.crosstenant-id.invalid"}},
		{"encoded-word", "X-MS-Exchange-CrossTenant-Id: =?utf-8?q?" + guid1 + "?=\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", false, false}}, ErrInvalidTenantID, []string{"headers.crosstenant-id.invalid"}},
		// A fold inside the GUID leaves a space in it.
		{"fold-inside", "X-MS-Exchange-CrossTenant-Id: 11111111-1111-\n 1111-1111-111111111111\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", false, false}}, ErrInvalidTenantID, []string{"headers.crosstenant-id.invalid"}},
		{"empty", "X-MS-Exchange-CrossTenant-Id:\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", false, false}}, ErrInvalidTenantID, []string{"headers.crosstenant-id.invalid"}},
		// One invalid occurrence spoils a valid one: fail closed (docs/threat-model.md#rule-2).
		{"valid-and-invalid", "X-MS-Exchange-CrossTenant-Id: " + guid1 + "\nX-MS-Exchange-CrossTenant-Id: {" + guid1 + "}\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", true, false}, {"X-MS-Exchange-CrossTenant-Id", false, false}}, ErrInvalidTenantID, []string{"headers.crosstenant-id.invalid"}},
		{"conflict", "X-MS-Exchange-CrossTenant-Id: " + guid1 + "\nX-MS-Exchange-CrossTenant-Id: " + guid2 + "\n",
			[]idView{{"X-MS-Exchange-CrossTenant-Id", true, false}, {"X-MS-Exchange-CrossTenant-Id", true, false}}, ErrConflictTenantID, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parse(t, tc.block)
			var got []idView
			for _, f := range m.CrossTenant.ID {
				got = append(got, idView{f.Name, f.Valid, f.SpaceBeforeColon})
			}
			if diff := cmp.Diff(tc.wantIDs, got); diff != "" {
				t.Errorf("ID fields (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCode, codes(m.Problems)); diff != "" {
				t.Errorf("problems (-want +got)\n%s", diff)
			}
			id, err := m.CrossTenantID()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("CrossTenantID error = %v, want %v", err, tc.wantErr)
			}
			if err == nil && id == (tenantgate.TenantID{}) {
				t.Errorf("CrossTenantID returned the zero tenant without error")
			}
		})
	}
}

// TestLatestPass covers docs/headers.md#passes and #edge-cases.
func TestLatestPass(t *testing.T) {
	// docs/headers.md#passes: a first pass (Stamped AAA) higher up, a Stripped marker, the
	// -Untrusted report, then the last pass appended at the bottom. docs/headers.md#edge-cases:
	// AuthSource folded onto a tab line, upper case. docs/headers.md#reading-the-header-block:
	// RMS-PersistedConsumerOrg twice in two casings.
	m := parse(t, `Received: from a by b; Thu, 26 Nov 2026 10:00:02 +0000
X-MS-Exchange-Transport-CrossTenantHeadersStamped: AAA1
X-MS-Exchange-Transport-CrossTenantHeadersStripped: x.eop-EUR03.prod.protection.outlook.com
X-Forefront-Antispam-Report-Untrusted: CIP:255.255.255.255;SCL:-1;DIR:OUT;
X-Forefront-Antispam-Report: CIP:63.35.35.123; IPV:CAL; SCL:-1;
X-OriginatorOrg: arm.com
X-MS-Exchange-CrossTenant-OriginalArrivalTime: 03 Jul 2019 13:59:31.3061
 (UTC)
X-MS-Exchange-CrossTenant-Network-Message-Id: 66abf6a0-cecb-4db4-8f4f-08d6ffbeac04
X-MS-Exchange-CrossTenant-Id: `+guid1+`
X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: TenantId=`+guid1+`; Ip=[63.35.35.123];
 Helo=[relay.example]
X-MS-Exchange-CrossTenant-AuthSource:
	AM5EUR03FT031.EOP-EUR03.PROD.PROTECTION.OUTLOOK.COM
X-MS-Exchange-CrossTenant-AuthAs: Anonymous
X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem
X-MS-Exchange-CrossTenant-RMS-PersistedConsumerOrg: 00000000-0000-0000-0000-000000000000
X-MS-Exchange-CrossTenant-rms-persistedconsumerorg: 00000000-0000-0000-0000-000000000000
X-MS-Exchange-Transport-CrossTenantHeadersStamped: BBB2
`)
	zero := tenantgate.TenantID{}
	want := CrossTenant{
		OriginatorOrg:       "arm.com",
		OriginalArrivalTime: time.Date(2019, 7, 3, 13, 59, 31, 306100000, time.UTC),
		NetworkMessageID:    "66abf6a0-cecb-4db4-8f4f-08d6ffbeac04",
		ID:                  tenantgate.MustParseTenantID(guid1),
		ConnectingIP: &TenantConnectingIP{TenantID: tenantgate.MustParseTenantID(guid1),
			IP: netip.MustParseAddr("63.35.35.123"), HELO: "relay.example"},
		AuthSource:              "AM5EUR03FT031.EOP-EUR03.PROD.PROTECTION.OUTLOOK.COM",
		AuthAs:                  "Anonymous",
		FromEntityHeader:        "HybridOnPrem",
		RMSPersistedConsumerOrg: &zero,
		Stamped:                 "BBB2", // the bottom-most Stamped is the latest pass (§4.4)
	}
	if diff := cmp.Diff(want, m.LatestPass(), cmpOpts); diff != "" {
		t.Errorf("LatestPass (-want +got)\n%s", diff)
	}
	if got := len(m.CrossTenant.RMSPersistedConsumerOrg); got != 2 {
		t.Errorf("RMS-PersistedConsumerOrg occurrences = %d, want 2 (two casings, §4.1)", got)
	}
	var untrusted []bool
	for _, r := range m.Antispam {
		untrusted = append(untrusted, r.Untrusted)
	}
	if diff := cmp.Diff([]bool{true, false}, untrusted); diff != "" {
		t.Errorf("antispam Untrusted flags (-want +got)\n%s", diff)
	}
	if len(m.Problems) != 0 {
		t.Errorf("problems: %v", m.Problems)
	}
	// docs/headers.md#crosstenant-fields: the CrossTenant block is not tied to its position; moving
	// it above the Received field changes only indexes.
}

// TestStampedOnly covers docs/headers.md#passes and #edge-cases: Stamped without CrossTenant-Id
// (submission only), and CrossTenant-Id without any antispam report (outlook.com).
func TestStampedOnly(t *testing.T) {
	m := parse(t, "x-forefront-antispam-report: CIP:255.255.255.255;CTRY:;SCL:1;DIR:OUT;\nX-MS-Exchange-Transport-CrossTenantHeadersStamped: DM6PR11MB4531\n")
	if _, err := m.CrossTenantID(); !errors.Is(err, ErrNoTenantID) {
		t.Errorf("CrossTenantID error = %v, want ErrNoTenantID", err)
	}
	if got := m.LatestPass().Stamped; got != "DM6PR11MB4531" {
		t.Errorf("Stamped = %q", got)
	}
	m = parse(t, "X-MS-Exchange-CrossTenant-Id: "+guid1+"\n")
	if len(m.Antispam) != 0 {
		t.Errorf("antispam reports = %d, want 0", len(m.Antispam))
	}
}

func TestParseArrivalTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: error expected
	}{
		// docs/headers.md#originalarrivaltime: the observed form, and folded before (UTC)
		// (#edge-cases).
		{"14 Jul 2020 18:41:21.6249 (UTC)", time.Date(2020, 7, 14, 18, 41, 21, 624900000, time.UTC)},
		{"14 Jul 2020 18:41:21.6249\r\n (UTC)", time.Date(2020, 7, 14, 18, 41, 21, 624900000, time.UTC)},
		// docs/headers.md#originalarrivaltime: missing (UTC), 1 and 7 fractional digits, a
		// one-digit day, no fraction.
		{"14 Jul 2020 18:41:21.6249", time.Date(2020, 7, 14, 18, 41, 21, 624900000, time.UTC)},
		{"4 Jul 2020 18:41:21.5 (UTC)", time.Date(2020, 7, 4, 18, 41, 21, 500000000, time.UTC)},
		{"04 Jul 2020 18:41:21.1234567 (UTC)", time.Date(2020, 7, 4, 18, 41, 21, 123456700, time.UTC)},
		{"04 Jul 2020 18:41:21 (UTC)", time.Date(2020, 7, 4, 18, 41, 21, 0, time.UTC)},
		{"04 Jul 2020 18:41:21.12345678 (UTC)", time.Time{}}, // 8 digits
		{"04 Jul 2020 18:41:21.6249 (CEST)", time.Time{}},
		{"2020-07-04 18:41:21", time.Time{}},
		{"104 Jul 2020 18:41:21", time.Time{}},
		{"", time.Time{}},
	}
	for _, tc := range tests {
		got, err := ParseArrivalTime(tc.in)
		if tc.want.IsZero() {
			if err == nil {
				t.Errorf("ParseArrivalTime(%q) = %v, want error", tc.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseArrivalTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseTenantConnectingIP(t *testing.T) {
	id := tenantgate.MustParseTenantID(guid1)
	want := TenantConnectingIP{TenantID: id, IP: netip.MustParseAddr("188.184.36.50"), HELO: "cernmxgwlb4.cern.ch"}
	tests := []struct {
		name    string
		in      string
		want    TenantConnectingIP
		wantErr bool
	}{
		// docs/headers.md#originalattributedtenantconnectingip and #edge-cases: the older "; " form
		// folded after Ip, and the compact form.
		{"spaced-folded", "TenantId=" + guid1 + "; Ip=[188.184.36.50];\r\n Helo=[cernmxgwlb4.cern.ch]", want, false},
		{"compact", "TenantId=" + guid1 + ";Ip=[188.184.36.50];Helo=[cernmxgwlb4.cern.ch]", want, false},
		// docs/headers.md#originalattributedtenantconnectingip: brackets optional, order not relied
		// on, keys case-insensitive, trailing ';'.
		{"unbracketed-reordered", "helo=cernmxgwlb4.cern.ch;IP=188.184.36.50;tenantid=" + guid1 + ";", want, false},
		{"ipv6-unknown-key", "TenantId=" + guid1 + ";Ip=[2001:db8::1];Helo=[];Via=[x]",
			TenantConnectingIP{TenantID: id, IP: netip.MustParseAddr("2001:db8::1"), Unknown: []Param{{"Via", "x"}}}, false},
		{"no-tenant", "Ip=[188.184.36.50]", TenantConnectingIP{IP: netip.MustParseAddr("188.184.36.50")}, true},
		{"bad-tenant", "TenantId={" + guid1 + "}", TenantConnectingIP{}, true},
		{"bad-ip", "TenantId=" + guid1 + ";Ip=[300.1.1.1]", TenantConnectingIP{TenantID: id}, true},
		{"no-equals", "TenantId=" + guid1 + ";garbage", TenantConnectingIP{TenantID: id}, true},
		{"twice", "TenantId=" + guid1 + ";TenantId=" + guid2, TenantConnectingIP{TenantID: id}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTenantConnectingIP(tc.in)
			if (err != nil) != tc.wantErr {
				t.Errorf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func intp(n int) *int { return &n }

func TestParseAntispamReport(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    AntispamReport
		wantErr bool
	}{
		// docs/headers.md#antispam-reports and #edge-cases: 255.255.255.255, empty values, no
		// trailing ';'.
		{"submission", "CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:host.prod.outlook.com;PTR:;CAT:NONE;SFS:(13230040)(366016);DIR:OUT;SFP:1101",
			AntispamReport{CIP: netip.MustParseAddr("255.255.255.255"), LANG: "en", SCL: intp(1), IPV: "NLI", SFV: "NSPM",
				H: "host.prod.outlook.com", CAT: "NONE", SFS: "(13230040)(366016)", DIR: "OUT", SFP: "1101"}, false},
		// IPv6 CIP survives: the key is cut at the first ':' only (MHA's lazy split,
		// docs/headers.md#antispam-reports).
		{"ipv6-cip", "CIP:2001:db8::25; SCL:-1; SFV:SKN; DIR:INB;",
			AntispamReport{CIP: netip.MustParseAddr("2001:db8::25"), SCL: intp(-1), SFV: "SKN", DIR: "INB"}, false},
		// "(null)" is deleted first (MHA step 1): "UIP:(null);(null);(null)SFV:SKI" → UIP:;SFV:SKI.
		{"null", "UIP:(null);(null);(null)SFV:SKI;;", AntispamReport{SFV: "SKI", Unknown: []Param{{"UIP", ""}}}, false},
		// Older reports carry EFV, SRVR, FPR, SPF, A, MX: kept in order; lower-case keys typed.
		{"old-unknown", "cip:63.35.35.123; EFV:NLI; SFV:NSPM; SRVR:AB1; FPR:; SPF:None;",
			AntispamReport{CIP: netip.MustParseAddr("63.35.35.123"), SFV: "NSPM",
				Unknown: []Param{{"EFV", "NLI"}, {"SRVR", "AB1"}, {"FPR", ""}, {"SPF", "None"}}}, false},
		{"bracketed-cip", "CIP:[192.0.2.1];", AntispamReport{CIP: netip.MustParseAddr("192.0.2.1")}, false},
		{"bad-scl", "SCL:high;SFV:SPM;", AntispamReport{SFV: "SPM"}, true},
		{"scl-out-of-range", "SCL:10;", AntispamReport{}, true},
		{"bad-cip", "CIP:nowhere;DIR:INB;", AntispamReport{DIR: "INB"}, true},
		{"no-colon", "SFV:NSPM;junk;", AntispamReport{SFV: "NSPM"}, true},
		{"duplicate", "DIR:OUT;DIR:INB;", AntispamReport{DIR: "OUT", Unknown: []Param{{"DIR", "INB"}}}, true},
		{"empty", "", AntispamReport{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAntispamReport(tc.in)
			if (err != nil) != tc.wantErr {
				t.Errorf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseMicrosoftAntispam(t *testing.T) {
	got, err := ParseMicrosoftAntispam("BCL:0; PCL:0;\r\n RULEID:(2390118)(7020095); SRVR:VI1PR08MB3966; ARA:1|2|3;UIP:(null);")
	if err != nil {
		t.Fatal(err)
	}
	want := MicrosoftAntispam{BCL: intp(0), PCL: intp(0), RULEID: "(2390118)(7020095)", SRVR: "VI1PR08MB3966", ARA: "1|2|3", Unknown: []Param{{"UIP", ""}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if _, err := ParseMicrosoftAntispam("BCL:12;"); err == nil {
		t.Error("BCL:12 accepted")
	}
}

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    AuthResults
		wantErr bool
	}{{
		// Microsoft's form, which go-msgauth's authres.Parse refuses: no authserv-id, stray
		// "outlook.com" segments, ';' without space.
		name: "exo",
		in: "spf=pass (sender IP is 208.75.123.162)\r\n smtp.mailfrom=in.constantcontact.com; outlook.com; dkim=pass (signature was\r\n verified) header.d=pbscharlotte.ccsend.com;outlook.com; dmarc=none\r\n" +
			" action=none header.from=wtvi.org;compauth=fail reason=001",
		want: AuthResults{
			Results: []AuthResult{
				{Method: "spf", Result: "pass", Props: []AuthProp{{"smtp", "mailfrom", "in.constantcontact.com"}}, Comments: []string{"sender IP is 208.75.123.162"}},
				{Method: "dkim", Result: "pass", Props: []AuthProp{{"header", "d", "pbscharlotte.ccsend.com"}}, Comments: []string{"signature was verified"}},
				{Method: "dmarc", Result: "none", Props: []AuthProp{{"", "action", "none"}, {"header", "from", "wtvi.org"}}},
				{Method: "compauth", Result: "fail", Reason: "001"},
			},
			Stray: []string{"outlook.com", "outlook.com"},
		},
	}, {
		// ARC-Authentication-Results: instance, authserv-id with version.
		name: "arc",
		in:   "i=1; mx.microsoft.com 1; spf=none; dmarc=none;\r\n dkim=none; arc=none",
		want: AuthResults{Instance: 1, ServID: "mx.microsoft.com", Results: []AuthResult{
			{Method: "spf", Result: "none"}, {Method: "dmarc", Result: "none"}, {Method: "dkim", Result: "none"}, {Method: "arc", Result: "none"}}},
	}, {
		// RFC 8601 form with a comment after the authserv-id, a ';' inside a comment and a
		// quoted reason holding ';'; amavisd's bare word after the result.
		name: "rfc-comments-quotes",
		in:   `mx.example (a; b); dkim=softfail (fail; altered) user@example.com header.i=@example.com; spf=fail reason="x; y" smtp.mailfrom="a b@example.com"`,
		want: AuthResults{ServID: "mx.example", Results: []AuthResult{
			{Method: "dkim", Result: "softfail", Props: []AuthProp{{"header", "i", "@example.com"}}, Comments: []string{"fail; altered"}, Words: []string{"user@example.com"}},
			{Method: "spf", Result: "fail", Reason: "x; y", Props: []AuthProp{{"smtp", "mailfrom", "a b@example.com"}}},
		}},
	}, {
		name: "none",
		in:   "mx.example 1; none",
		want: AuthResults{ServID: "mx.example"},
	}, {
		// Original-Authentication-Results of the two-pass corpus files.
		name: "spf-none-empty-comment",
		in:   "spf=none (sender IP is ) user@arm.com; ",
		want: AuthResults{Results: []AuthResult{{Method: "spf", Result: "none", Comments: []string{"sender IP is"}, Words: []string{"user@arm.com"}}}},
	}, {
		name: "method-version",
		in:   "dkim/1=PASS header.d=example.com",
		want: AuthResults{Results: []AuthResult{{Method: "dkim", Result: "pass", Props: []AuthProp{{"header", "d", "example.com"}}}}},
	}, {
		name:    "empty",
		in:      "",
		wantErr: true,
	}, {
		name:    "comment-only",
		in:      "(nothing here)",
		wantErr: true,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAuthResults(tc.in)
			if (err != nil) != tc.wantErr {
				t.Errorf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestFrom checks the From accounting the policy needs before DKIM signing.
func TestFrom(t *testing.T) {
	tests := []struct {
		name     string
		block    string
		wantOK   bool
		wantAddr string
		wantCode []string
	}{
		{"one", "From: Carol <carol@contoso.com>\n", true, "carol@contoso.com", nil},
		{"two-fields", "From: carol@contoso.com\nFrom: eve@evil.example\n", false, "", nil},
		{"two-mailboxes", "From: carol@contoso.com, eve@evil.example\n", false, "", nil},
		{"unparsable", "From: carol@@contoso.com\n", false, "", []string{"headers.from.invalid"}},
		{"empty", "From:\n", false, "", []string{"headers.from.empty"}},
		{"none", "Subject: x\n", false, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parse(t, tc.block)
			mb, ok := m.FromMailbox()
			if ok != tc.wantOK || mb.Address != tc.wantAddr {
				t.Errorf("FromMailbox = %+v, %v; want %q, %v", mb, ok, tc.wantAddr, tc.wantOK)
			}
			if diff := cmp.Diff(tc.wantCode, codes(m.Problems)); diff != "" {
				t.Errorf("problems (-want +got)\n%s", diff)
			}
		})
	}
}

// TestHops checks MHA's delay rules (docs/headers.md#hop-delays): oldest first, a hop
// without a date is listed but skipped, negative delays kept, percent of positive delays.
func TestHops(t *testing.T) {
	m := parse(t, `Received: from c by d; Thu, 26 Nov 2026 10:00:05 +0000
Received: from x by y; no date here
Received: from b by c; Thu, 26 Nov 2026 11:00:07 +0100
Received: from a by b; Thu, 26 Nov 2026 10:00:00 +0000
`)
	// Oldest first: a→b at 10:00:00Z; b→c at 10:00:07Z (+7s); x→y undated; c→d at 10:00:05Z (−2s).
	// Positive sum 7s, so b→c has 100%. Total = 10:00:05 − 10:00:00 = 5s.
	want := Hops{List: []Hop{
		{Number: 1, Index: 3, From: "a", By: "b", Date: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)},
		{Number: 2, Index: 2, From: "b", By: "c", Date: time.Date(2026, 11, 26, 10, 0, 7, 0, time.UTC), Delay: 7 * time.Second, HasDelay: true, Percent: 100},
		{Number: 3, Index: 1, From: "x", By: "y"},
		{Number: 4, Index: 0, From: "c", By: "d", Date: time.Date(2026, 11, 26, 10, 0, 5, 0, time.UTC), Delay: -2 * time.Second, HasDelay: true},
	}, Total: 5 * time.Second}
	if diff := cmp.Diff(want, m.Hops, cmpOpts); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{"headers.received.no-date"}, codes(m.Problems)); diff != "" {
		t.Errorf("problems (-want +got)\n%s", diff)
	}
}

// TestDirection covers docs/headers.md#edge-cases (inbound against outbound) on two corpus blocks:
// inbound (DIR:INB, FromEntityHeader Internet, AuthAs Anonymous) and outbound (DIR:OUT, Hosted,
// Internal).
func TestDirection(t *testing.T) {
	tests := []struct {
		file                string
		dir, entity, authAs string
		tenant              string
	}{
		{"github-microsoft-MHA-ut-parseHeaders-2020-07-outlookcom-inbound.eml", "INB", "Internet", "Anonymous", "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa"},
		{"lore-linux-hyperv-2026-07-intel.com-outbound-hosted.eml", "OUT", "Hosted", "Internal", "46c98d88-e344-4ed4-8496-4ed7712e255d"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m := parseFile(t, "testdata/headers/"+tc.file)
			p := m.LatestPass()
			got := []string{m.Antispam[len(m.Antispam)-1].DIR, p.FromEntityHeader, p.AuthAs, p.ID.String()}
			if diff := cmp.Diff([]string{tc.dir, tc.entity, tc.authAs, tc.tenant}, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestNamed checks the generic access to Organization and CrossPremises fields.
func TestNamed(t *testing.T) {
	m := parse(t, "X-MS-Exchange-Organization-AuthAs: Anonymous\nx-ms-exchange-organization-authas: Internal\nX-MS-Exchange-CrossPremises-SCL: 1\nX-MS-Exchange-CrossTenant-Id2: x\n")
	if got := len(m.Named("X-MS-Exchange-Organization-AuthAs")); got != 2 {
		t.Errorf("Named: %d fields, want 2", got)
	}
	// The bottom-most occurrence is the later one.
	if v, ok := m.LastValue("X-MS-EXCHANGE-ORGANIZATION-AUTHAS"); v != "Internal" || !ok {
		t.Errorf("LastValue = %q, %v", v, ok)
	}
	if v, _ := m.LastValue("X-MS-Exchange-CrossPremises-SCL"); v != "1" {
		t.Errorf("CrossPremises SCL = %q", v)
	}
	if v, _ := m.LastValue("X-MS-Exchange-CrossTenant-Id2"); v != "x" {
		t.Errorf("CrossTenant-Id2 = %q", v)
	}
	if _, ok := m.LastValue("X-Nope"); ok {
		t.Error("LastValue found an absent field")
	}
}
