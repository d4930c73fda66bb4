package topology

import (
	"os"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// onlyServedTenants is the demo topology without its unserved tenant (woodgrove): what an
// operator who imported only their own tenants lints.
func onlyServedTenants(t *testing.T) *tenantgate.Directory {
	t.Helper()
	f, err := os.Open("../testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := tenantgate.LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	var kept []tenantgate.Tenant
	for _, ten := range c.Tenants {
		if ten.Name != "woodgrove" {
			kept = append(kept, ten)
		}
	}
	c.Tenants = kept
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStandInTenant: with no unserved tenant in the configuration, mail to "another Office 365
// customer" goes to the stand-in other-tenant.example. The demo's gateway presents no certificate
// towards other tenants (Plan: Internet identity), so the stand-in's Exchange Online takes it as
// ordinary Incoming mail — delivered, and Lint must not call it a misattribution.
func TestStandInTenant(t *testing.T) {
	d := onlyServedTenants(t)
	for _, f := range Lint(d, Options{}) {
		if f.Code == FindingMisattribution || f.Code == FindingUndeliverable {
			t.Errorf("finding %s: %s", f.Code, f.Summary)
		}
	}
	var flow *Flow
	for _, fl := range CanonicalFlows(d) {
		if fl.Name == FlowTenantToOffice365 {
			flow = &fl
			break
		}
	}
	if flow == nil {
		t.Fatal("no tenant-to-office365 flow")
	}
	if got := flow.Injection.To[0]; !strings.HasSuffix(got, "@"+otherDomain) {
		t.Fatalf("recipient %s; want one at the stand-in %s", got, otherDomain)
	}
	tr := Simulate(d, flow.Injection, Options{})
	if tr.Outcome != OutcomeDelivered {
		t.Errorf("Simulate(%s) = %s %s; want delivered", flow.Name, tr.Outcome, tr.Reply)
	}
	// The caller's Directory is not changed.
	if _, _, ok := d.Owner(otherDomain); ok {
		t.Error("the stand-in leaked into the caller's Directory")
	}
}
