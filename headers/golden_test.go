package headers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate/internal/golden"
)

// corpusFacts is what the parse of one real block must show, read off the block itself
// (testdata/headers/<name>.eml): the X-MS-Exchange-CrossTenant-Id, -FromEntityHeader and -AuthAs
// of the latest pass, the DIR of each X-Forefront-Antispam-Report in header order ("OUT
// untrusted" for an -Untrusted copy), how many Received and
// X-MS-Exchange-Transport-CrossTenantHeadersStamped fields it has, the From address and the codes
// of the problems found.
type corpusFacts struct {
	Tenant, Entity, AuthAs string
	DIR                    []string
	Received, Stamped      int
	From                   string
	Problems               []string
}

// corpusWant holds the facts of every block of testdata/headers, keyed by file name.
var corpusWant = map[string]corpusFacts{
	// Outlook.com consumer tenant, inbound from the Internet (DIR:INB, Internet, Anonymous).
	"github-microsoft-MHA-ut-parseHeaders-2020-07-outlookcom-inbound": {
		"84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa", "Internet", "Anonymous", []string{"INB"}, 4, 1, "memberservices@wtvi.org", nil},
	// Two Exchange Online passes (two Stamped fields); the first pass's CrossTenant fields were
	// stripped and its report demoted to -Untrusted. The second report gives SCL twice (SCL:-1 on
	// its first line, SCL:1 on its fourth): invalid.
	"lore-kvmarm-2019-07-arm.com-two-pass-stripped-untrusted": {
		"f34e5979-57d9-4aaa-ad4d-b122a662184d", "HybridOnPrem", "", []string{"OUT untrusted", "OUT"}, 15, 2, "user@arm.com",
		[]string{ProblemAntispamReportInvalid}},
	"lore-kvmarm-2020-02-cern.ch-hybridonprem-oatci": {
		"c80d3499-4a40-4a8c-986e-abce017d6b19", "HybridOnPrem", "", []string{"OUT"}, 12, 1, "user@cern.ch", nil},
	// Field names in lower case (-fromentityheader, -id); no antispam report.
	"lore-kvmarm-2021-06-outlook.com-consumer-fromentity-internet": {
		"84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa", "Internet", "Anonymous", nil, 11, 1, "user@outlook.com", nil},
	"lore-kvmarm-2022-12-arm.com-two-pass-stripped-untrusted": {
		"f34e5979-57d9-4aaa-ad4d-b122a662184d", "HybridOnPrem", "Anonymous", []string{"OUT untrusted", "OUT"}, 15, 2, "user@arm.com", nil},
	"lore-linux-cifs-2023-04-arm.com-two-pass-stripped-untrusted": {
		"f34e5979-57d9-4aaa-ad4d-b122a662184d", "HybridOnPrem", "Anonymous", []string{"OUT untrusted", "OUT"}, 16, 2, "user@arm.com", nil},
	"lore-linux-cifs-2024-04-axis.com-hybridonprem-oatci": {
		"78703d3c-b907-432f-b066-88f7af9ca3af", "HybridOnPrem", "Anonymous", []string{"OUT"}, 8, 1, "user@axis.com", nil},
	"lore-linux-cifs-2026-03-oracle.com-outbound-hosted": {
		"4e2c6054-71cb-48f1-bd6c-3a9705aca71b", "Hosted", "Internal", []string{"OUT"}, 11, 1, "user@oracle.com", nil},
	// Lower-case field names, no AuthAs.
	"lore-linux-hyperv-2019-04-microsoft.com-outbound-hosted-lowercase-names": {
		"72f988bf-86f1-41af-91ab-2d7cd011db47", "Hosted", "", []string{"OUT"}, 5, 1, "user@microsoft.com", nil},
	"lore-linux-hyperv-2019-06-mellanox.com-hybridonprem-oatci": {
		"a652971c-7d2e-4d9b-a6a4-d149256f461b", "HybridOnPrem", "", []string{"OUT"}, 9, 1, "user@mellanox.com", nil},
	// Stamped, with an antispam report, but no X-MS-Exchange-CrossTenant-* field at all.
	"lore-linux-hyperv-2022-08-microsoft.com-stamped-only-no-crosstenant-id": {
		"", "", "", []string{"OUT"}, 6, 1, "user@microsoft.com", nil},
	"lore-linux-hyperv-2026-07-amd.com-hybridonprem-oatci": {
		"3dd8961f-e488-4e60-8e11-a82d994e183d", "HybridOnPrem", "Anonymous", []string{"OUT"}, 11, 1, "user@amd.com", nil},
	"lore-linux-hyperv-2026-07-intel.com-outbound-hosted": {
		"46c98d88-e344-4ed4-8496-4ed7712e255d", "Hosted", "Internal", []string{"OUT"}, 12, 1, "user@intel.com", nil},
	// Outlook.com consumer submission: Hosted, Internal, no antispam report.
	"lore-linux-hyperv-2026-07-outlook.com-consumer-outbound-no-ffas": {
		"84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa", "Hosted", "Internal", nil, 7, 1, "user@outlook.com", nil},
	"public-testmsg-2021-07-onmicrosoft-inbound-dir-inb-internet": {
		"3beefe83-fe68-4852-80fc-ddda38916366", "Internet", "Anonymous", []string{"INB"}, 5, 1, "user@163.com", nil},
}

// factsOf reads the corpusFacts of a parse.
func factsOf(m *Message) corpusFacts {
	p := m.LatestPass()
	f := corpusFacts{Entity: p.FromEntityHeader, AuthAs: p.AuthAs, Received: len(m.Received), Stamped: len(m.CrossTenant.Stamped)}
	if !p.ID.IsZero() {
		f.Tenant = p.ID.String()
	}
	for _, a := range m.Antispam {
		d := a.DIR
		if a.Untrusted {
			d += " untrusted"
		}
		f.DIR = append(f.DIR, d)
	}
	if mb, ok := m.FromMailbox(); ok {
		f.From = mb.Address
	}
	for _, pr := range m.Problems {
		f.Problems = append(f.Problems, pr.Reason.Code)
	}
	return f
}

// TestGolden parses every real header block in testdata/headers (copied from the shared corpus,
// see testdata/headers/SOURCES.md), checks the facts of corpusWant, and compares the JSON of the
// result, without the problems' prose, with the .golden.json file beside it (run with -update
// only after a change whose effect on them you have read).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/headers/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	if len(files) != len(corpusWant) {
		t.Errorf("%d corpus blocks, %d entries in corpusWant: every block needs one, every entry a block", len(files), len(corpusWant))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			m := parseFile(t, file)
			want, ok := corpusWant[name]
			if !ok {
				t.Fatalf("no entry for %s in corpusWant: state its facts from the block", name)
			}
			if diff := cmp.Diff(want, factsOf(m)); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
			golden.Decision(t, strings.TrimSuffix(file, ".eml")+".golden.json", m)
		})
	}
}

func parseFile(t testing.TB, file string) *Message {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := Read(f, Limits{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return Parse(h)
}
