package headers

import (
	"github.com/tenantgate/tenantgate/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden parses every real header block in testdata/headers (copied from the shared corpus,
// see testdata/headers/SOURCES.md) and compares the JSON of the result with the .golden.json
// file beside it. Each golden file was checked by hand against its block once (see the
// package's report); run with -update only after a change whose effect on them you have read.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/headers/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h, err := Read(f, Limits{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			golden.Decision(t, strings.TrimSuffix(file, ".eml")+".golden.json", Parse(h))
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
