package topology

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// FuzzLintORCA decodes a tenant (our configuration JSON) and lints it alone. Invariants: no
// panic; every finding carries a code, an ORCA ID, a summary, a detail, a fix and a command, and
// no flow; the result is deterministic; and its size is bounded by the configuration (at most
// two ORCA 233/243 findings per accepted domain, one 233_1 per inbound connector or one in all,
// two per SCL rule, one per connection filter policy, one for 249).
func FuzzLintORCA(f *testing.F) {
	files, _ := filepath.Glob("testdata/lint/tenants/orca-*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"acceptedDomains":[{"name":"a.example","mxReport":[{"pointsToService":false}]}],"inbound":[{"name":"x","enabled":false}],"arcConfig":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		var tn tenantgate.Tenant
		if err := jsonstrict.Decode(data, &tn); err != nil {
			return
		}
		got := LintORCA(&tn)
		for _, fd := range got {
			if fd.Code == "" || fd.ORCA == "" || fd.Summary == "" || fd.Detail == "" || fd.Fix == "" || fd.PowerShell == "" || fd.Flow != "" {
				t.Fatalf("incomplete finding: %+v", fd)
			}
		}
		bound := 2*len(tn.AcceptedDomains) + len(tn.Inbound) + 1 + 2*len(tn.SCLRules) + len(tn.ConnectionFilterPolicies) + 1
		if len(got) > bound {
			t.Fatalf("%d findings for a tenant that allows at most %d", len(got), bound)
		}
		if diff := cmp.Diff(got, LintORCA(&tn)); diff != "" {
			t.Fatalf("not deterministic (-first +second):\n%s", diff)
		}
	})
}
