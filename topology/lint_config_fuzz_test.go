package topology

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// configChecks runs the configuration checks alone on every served tenant of d.
func configChecks(d *tenantgate.Directory) []Finding {
	l := &linter{d: d, sim: newSimulator(d, Options{}), seen: map[string]bool{}}
	for i := range d.Tenants() {
		if t := &d.Tenants()[i]; d.Serves(t.ID) {
			l.tenantConfig(t)
		}
	}
	return l.findings
}

// FuzzLintConfig loads a configuration (README.md#configuration), compiles it and runs the
// configuration checks. Invariants: no panic; every finding has a summary, a detail and a fix, no
// flow, and concerns a served tenant; the result is deterministic.
func FuzzLintConfig(f *testing.F) {
	files, _ := filepath.Glob("../testdata/config/*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		cfg, err := tenantgate.LoadConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		d, err := tenantgate.Compile(cfg)
		if err != nil {
			return
		}
		got := configChecks(d)
		for _, fd := range got {
			if fd.Code == "" || fd.Summary == "" || fd.Detail == "" || fd.Fix == "" || fd.Flow != "" || !d.Serves(fd.Tenant) {
				t.Fatalf("bad finding: %+v", fd)
			}
		}
		if diff := cmp.Diff(got, configChecks(d)); diff != "" {
			t.Fatalf("not deterministic (-first +second):\n%s", diff)
		}
	})
}
