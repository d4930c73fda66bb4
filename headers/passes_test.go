package headers

import (
	"path/filepath"
	"testing"
)

// TestLatestPassIsBottomMost reads the order of the passes off the real two-pass blocks of
// testdata/headers (issue 15 item 8: code, docs and tests say one thing — the bottom-most copy of
// an Exchange Online field belongs to the latest pass, docs/headers.md#passes). In each block the
// first pass's …HeadersStamped stands above the …HeadersStripped marker and its report was
// demoted to -Untrusted, also above; the surviving CrossTenant set, the trusted report and the
// second …HeadersStamped stand below the marker. So Exchange Online appends, and
// Message.LatestPass must return the bottom-most values.
func TestLatestPassIsBottomMost(t *testing.T) {
	files, err := filepath.Glob("testdata/headers/*two-pass*.eml")
	if err != nil || len(files) != 3 {
		t.Fatalf("want the three two-pass corpus blocks, got %v (%v)", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			m := parseFile(t, file)
			ct := m.CrossTenant
			if len(ct.Stamped) != 2 || len(ct.Stripped) != 1 || len(ct.ID) == 0 {
				t.Fatalf("%d Stamped, %d Stripped, %d Id fields; want 2, 1, some", len(ct.Stamped), len(ct.Stripped), len(ct.ID))
			}
			first, marker, latest := ct.Stamped[0].Index, ct.Stripped[0].Index, ct.Stamped[1].Index
			if first >= marker || marker >= latest {
				t.Errorf("Stamped at %d, Stripped at %d, Stamped at %d: want the marker between the passes", first, marker, latest)
			}
			for _, id := range ct.ID {
				if id.Index <= marker {
					t.Errorf("CrossTenant-Id at %d survives above the Stripped marker at %d", id.Index, marker)
				}
			}
			var untrusted, trusted int = -1, -1
			for _, a := range m.Antispam {
				if a.Untrusted {
					untrusted = a.Index
				} else {
					trusted = a.Index
				}
			}
			if untrusted < 0 || trusted < 0 || untrusted > trusted {
				t.Errorf("-Untrusted report at %d, report at %d: want the earlier pass's above", untrusted, trusted)
			}
			if got := m.LatestPass().Stamped; got != ct.Stamped[1].Value {
				t.Errorf("LatestPass().Stamped = %q, want the bottom-most %q", got, ct.Stamped[1].Value)
			}
		})
	}
}
