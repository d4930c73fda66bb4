package topology_test

import (
	"fmt"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/topology"
)

// A tenant as exported (its ID is not in the exports, so it stays zero): fabrikam.com's MX points
// at a third-party gateway (Get-MxRecordReport says PointsToService false) and the connector for
// all sender domains identifies the gateway by IP but has no Enhanced Filtering. ORCA 233 reports
// the domain (as information) and ORCA 233_1 the connector; the ARC configuration was not
// exported, so ORCA 243 is not judged, and RejectDirectSend is on, so ORCA 249 passes.
func ExampleLintORCA() {
	t := tenantgate.Tenant{Name: "fabrikam",
		AcceptedDomains: []tenantgate.AcceptedDomain{{Name: "fabrikam.com",
			MXReport: []tenantgate.MXRecord{{HighestPriorityMailhost: "mx.gw.example.net", PointsToService: false, RecordExists: true}}}},
		Inbound: []tenantgate.InboundConnector{{Name: "Gateway", SenderDomains: []tenantgate.DomainPattern{"*"},
			SenderIPAddresses: []string{"198.51.100.25"}, RequireTLS: true, RestrictDomainsToIPAddresses: true}},
		RejectDirectSend: true}
	for _, f := range topology.LintORCA(&t) {
		fmt.Println(f.Severity, f.Code, f.ORCA, strings.Join(f.Objects, ", "))
		fmt.Println(f.PowerShell)
	}
	// Output:
	// info enhanced-filtering-domain ORCA-233 accepted domain fabrikam.com, inbound connector Gateway
	// Set-InboundConnector -Identity 'Gateway' -EFSkipLastIP $true
	// warning enhanced-filtering-connector ORCA-233_1 inbound connector Gateway
	// Set-InboundConnector -Identity 'Gateway' -EFSkipLastIP $true
}
