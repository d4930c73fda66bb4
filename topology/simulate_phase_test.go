package topology

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/classify"
)

// TestSimulatePhase: the trace shows when Exchange Online refuses (issue 15 item 7). An
// on-premises server of contoso that no OnPremises connector identifies relays mail from its own domain to the
// Internet: 5.7.64, answered 250 at RCPT and refused after DATA, so the attribution carries phase
// "data" and the step says so. Before, neither the attribution nor the summary had a phase.
func TestSimulatePhase(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	tr := Simulate(d, Injection{Origin: PartyOnPremises, From: "app@contoso.com", To: []string{"x@gmail.example"},
		Tenant: d.Tenants()[0].ID}, Options{})
	var st *Step
	for i := range tr.Steps {
		if tr.Steps[i].Stage == StageExchangeIngress {
			st = &tr.Steps[i]
		}
	}
	if st == nil || st.Attribution == nil {
		t.Fatalf("no Exchange Online step in %+v", tr.Steps)
	}
	if st.Attribution.Reply != classify.ReplyTenantAttribution || st.Attribution.Phase != classify.PhaseDATA {
		t.Fatalf("attribution %+v, want 5.7.64 in phase data", st.Attribution)
	}
	if !strings.Contains(st.Summary, "after DATA") {
		t.Errorf("summary %q does not say the refusal comes after DATA", st.Summary)
	}
}
