package benchconfig

import (
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/topology"
)

// TestConfig: the generated configuration is what Config promises, a clean topology, so that the
// benchmarks measure the work of a valid configuration rather than of error reporting.
func TestConfig(t *testing.T) {
	cfg := Config(50)
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, ten := range cfg.Tenants {
		if !d.Serves(ten.ID) {
			t.Errorf("tenant %s is not served", ten.Name)
		}
		if _, ok := d.TenantIdentity(ten.ID); !ok {
			t.Errorf("tenant %s has no gateway identity", ten.Name)
		}
	}
	if fs := topology.Lint(d, topology.Options{}); len(fs) != 0 {
		t.Errorf("Lint found %d findings, the first %+v; want none", len(fs), fs[0])
	}
}
