package scenario

import (
	"path/filepath"
	"testing"
)

// TestScenarios runs every scenario file of the repository (README.md#scenario-files,
// testdata/scenarios/README.md).
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenario files in testdata/scenarios")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rep, err := Run(path, Default())
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Cases) == 0 {
				t.Fatal("no cases")
			}
			for _, c := range rep.Cases {
				t.Run(c.Section+"/"+c.Name, func(t *testing.T) {
					for _, f := range c.Failures {
						t.Errorf("%s (source: %s)", f, c.Source)
					}
				})
			}
		})
	}
}
