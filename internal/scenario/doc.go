// Package scenario runs scenario files: the end-to-end behaviour contract of DESIGN §6, documented
// with complete examples in testdata/scenarios/README.md. TestScenarios runs every
// testdata/scenarios/*.json of the repository; the mailflow command (examples/mailflow) runs
// operators' files through Run.
//
// Files are parsed strictly (tenantgate.DecodeStrict: unknown fields and trailing data are
// errors). Expected values compare only the fields a file names; replies compare by prefix;
// reasons list codes that must all be present. Each section is evaluated by one field of
// Evaluator, set by Default from the section's own file (exchange.go, …); a section without an
// evaluator fails every case it holds, and a file without cases fails, so nothing passes
// silently.
//
// The package is internal: its API may change with the scenario format's implementation. The
// examples module may import it because its module path lies under this repository's root
// (github.com/tenantgate/tenantgate/examples), which Go's internal rule allows.
package scenario
