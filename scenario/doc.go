// Package scenario runs scenario files, the public file format in which a configuration's
// expected behaviour is written down: how Exchange Online attributes a connection (exchange),
// the gateway's verdict on a transaction (gateway), a message's path through the topology
// (flows) and the lint findings (lint). The format is documented with complete examples in
// testdata/scenarios/README.md.
//
// Call Run(path, Default()) and read the Report: Report.Passed, and for each CaseResult its
// Failures ("what: want …, got …"). Load and Evaluator.Run split the two steps, so that a caller
// can replace Env.Dir with its own compiled configuration (as mailflow test --config does).
//
// Files are parsed strictly (unknown fields and trailing data are errors) and bounded
// (MaxFileBytes). Only the fields a case names are compared; replies compare by prefix; reasons
// list codes that must all be present. A section without an evaluator fails every case it holds
// and a file without cases fails, so nothing passes silently.
package scenario
