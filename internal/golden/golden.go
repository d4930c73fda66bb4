// Package golden compares test output with golden files under a package's testdata, and rewrites
// them when the test binary runs with -update (then review the diff before committing). Every
// package of the repository that keeps golden files uses it, so there is one -update flag and one
// way to report a difference. Library results are kept with Decision, which leaves out their prose
// (documented as free to change), so that a golden file pins decisions: codes and structured
// fields. Output that is the product, a CLI's text and JSON, is kept whole with Check and JSON.
package golden

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output (review the diff)")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Check compares got with the golden file at path. With -update it writes got there instead
// (creating the directory) and passes.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it, then review it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; run with -update and review the diff if the change is right):\n%s", path, diff)
	}
}

// JSON is Check for v marshalled as indented JSON with a final newline.
func JSON(t testing.TB, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Check(t, path, append(got, '\n'))
}
