package topology_test

import (
	"fmt"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/topology"
)

// The demo topology lints clean. Turning Enhanced Filtering off on contoso's connector, while
// the MX still points at the gateway, yields one finding with its fix.
func ExampleLint() {
	d := demoDirectory()
	fmt.Println("demo findings:", len(flowFindings(topology.Lint(d, topology.Options{}))))

	cfg := *d.Config()
	tenants := append([]tenantgate.Tenant(nil), cfg.Tenants...)
	contoso := tenants[0]
	contoso.Inbound = append([]tenantgate.InboundConnector(nil), contoso.Inbound...)
	contoso.Inbound[0].EFSkipLastIP = false
	tenants[0] = contoso
	cfg.Tenants = tenants
	broken, err := tenantgate.Compile(cfg)
	if err != nil {
		panic(err)
	}
	for _, f := range flowFindings(topology.Lint(broken, topology.Options{})) {
		fmt.Println(f.Severity, f.Code, f.ORCA, strings.Join(f.Objects, ", "))
		fmt.Println(f.PowerShell)
	}
	// Output:
	// demo findings: 0
	// error missing-enhanced-filtering ORCA-233 inbound connector from-gateway
	// Set-InboundConnector -Identity 'from-gateway' -EFSkipLastIP $true
}

// flowFindings keeps the findings of the flow checks; the configuration checks (ORCA parity,
// connectors against the gateway) are shown in ExampleLintORCA.
func flowFindings(fs []topology.Finding) []topology.Finding {
	var out []topology.Finding
	for _, f := range fs {
		if f.Flow != "" {
			out = append(out, f)
		}
	}
	return out
}
