// Package topology simulates and lints a whole mail topology: the Internet, each tenant's
// Exchange Online and the gateway, composed from the decisions of packages classify and route.
//
// Simulate moves one Injection through the topology (Options for the decisions it composes) and
// returns a Trace of every hop with each recipient's outcome. Lint runs the
// CanonicalFlows of every served tenant and the configuration checks, and returns Findings with
// stable codes (the Finding… constants), a severity and the fix; LintORCA runs the checks of
// Microsoft's ORCA report on one exported tenant alone.
//
// What is modelled, every finding with its Microsoft source, and the decisions taken where the
// sources are silent are in docs/topology.md.
package topology
