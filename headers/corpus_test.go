package headers

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusFile is one header block of the test corpus.
type corpusFile struct {
	Path string // as globbed, e.g. testdata/headers/x.eml
	Data []byte // as stored
}

// corpus returns the .eml files of dirs (testdata/headers, the real Exchange Online blocks,
// when none is given). tb fails when there are none or one cannot be read: a test or fuzz seed
// that silently read nothing would test nothing.
func corpus(tb testing.TB, dirs ...string) []corpusFile {
	tb.Helper()
	if len(dirs) == 0 {
		dirs = []string{"testdata/headers"}
	}
	var out []corpusFile
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, corpusFile{Path: f, Data: b})
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no .eml files in %q", dirs)
	}
	return out
}
