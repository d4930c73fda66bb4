// Command mailflow is the administrator's view of tenantgate: it lints and simulates a topology
// of Exchange Online tenants and a gateway, explains a message's Exchange Online headers and the
// gateway's verdict on it, converts Exchange Online exports, and runs scenario files.
//
// Usage:
//
//	mailflow [--format text|json|mermaid] [-v]
//	        lint and simulate the embedded demo topology (testdata/config/demo.json)
//	mailflow lint [--flows] [--format …] CONFIG.json | EXPORT.json…
//	mailflow simulate CONFIG.json --from ADDR --to ADDR [--origin mailbox|on-premises|internet[:IP]]
//	mailflow explain --config CONFIG.json [--peer-ip IP] [--peer-cert PEM | --peer-cert-name NAME --verified] MESSAGE.eml
//	mailflow headers MESSAGE.eml
//	mailflow test [--config CONFIG.json] SCENARIO.json…
//	mailflow import --tenant-id ID [--config CONFIG.json] EXPORT.json… > config.json
//
// `mailflow COMMAND -h` lists every flag of a command.
//
// # What each command calls
//
//   - The demo and lint: topology.Lint on the compiled configuration, and with --flows (always for
//     the demo and for --format mermaid) topology.Simulate of topology.CanonicalFlows. For Exchange
//     Online exports (exoimport.Detect tells them from a configuration) exoimport.Import and
//     topology.LintORCA on the tenant alone, or, with --config and --tenant-id, topology.Lint of the
//     configuration with the tenant merged in.
//   - simulate: topology.Simulate of one injection.
//   - explain: headers.Read within the header limits, classify.Policy.Decide with the session the
//     flags describe, then the summary of what the Exchange Online headers claim (as `headers`).
//   - headers: headers.Read and headers.Parse.
//   - test: package scenario's runner (the same as TestScenarios); --config replaces each file's
//     configuration with the operator's.
//   - import: exoimport.Import, given the tenant ID, merged into --config (replacing the tenant of
//     that ID but keeping its sendAs, a gateway setting no export carries; else appended) and
//     compiled before it is printed.
//
// # Output
//
// Text states the verdict on its first line, fits a 100-column terminal (long values wrap; a
// PowerShell fix wraps with PowerShell's backtick continuation so that it can still be pasted),
// and is coloured only when standard output is a terminal and NO_COLOR is unset. Control
// characters from messages and configurations are printed as U+FFFD. --format json is a contract
// for scripts, described by the JSON Schemas in schema/ and the README's "JSON output" section:
// every document starts with schemaVersion and ok; the demo and lint print {source, tenant,
// counts, flows, findings}, simulate the fields of the topology.Trace, explain {message, session,
// mailFrom, rcptTo, headerError, verdict}, test {cases, failed, notLoaded, files}; every tenant,
// also inside the library's types, is {id, name}; fields are only ever added. --format mermaid prints Mermaid sequence diagrams: simulate
// one bare diagram (for a Markdown fence, mermaid-cli or mermaid.live), the demo and lint a
// Markdown page with one fenced diagram per flow and the findings as a list.
//
// # Decisions
//
//   - Exit status: 0 success; 1 when the check failed (lint found a finding of severity error, a
//     simulated recipient was not delivered, a scenario case failed or a file could not be
//     loaded) or when an input cannot be read or is invalid; 2 on a usage error. Warnings and
//     notes do not fail lint.
//   - A rejected internet-to-tenant-direct, internet-relay-attempt, other-tenant-relay or
//     direct-send-relay flow is shown as the outcome wanted: these flows test that the gateway
//     cannot be bypassed and is no open relay (lint reports mx-bypass and relay-hole otherwise).
//   - simulate: without --origin, the sender's domain decides — a configured tenant's accepted
//     domain starts at a mailbox of that tenant, any other domain on the Internet.
//   - explain: a message carries no envelope, so MAIL FROM defaults to Return-Path, else the first
//     From address, and the recipients to the To and Cc addresses (--mail-from and --rcpt
//     override). Without --peer-ip the peer has no address and cannot be Exchange Online;
//     --peer-cert-name without --verified is an unverified certificate (fail closed, like
//     tlsid.FromMacros without {cert_subject}); --peer-cert verifies the chain with tlsid.Verify
//     against --roots (default: the system's roots) at --at (default: now). mailflow verifies no
//     DKIM signature itself (no DNS): --dkim DOMAIN=RESULT supplies the results your MTA
//     verified, and --policy sets classify's options (dkimFallback, dkimRequired, relayKinds, …)
//     as the JSON object of the relay's "policy" section.
//   - import and lint --config read the configuration without compiling it first: it may already
//     name the tenant the exports bring (gateway.serves, an identity's for). The merged result is
//     compiled, and its errors carry the paths of the merged configuration.
//   - import drops exoimport's warning that the exports carry no tenant ID when --tenant-id
//     gave it; every other warning goes to standard error.
//   - The demo configuration is embedded as testdata/demo.json, a copy of the repository's
//     testdata/config/demo.json that a test keeps equal.
package main
