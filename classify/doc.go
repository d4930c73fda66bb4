// Package classify decides who a message belongs to, from two points of view: Policy is how the
// gateway classifies a transaction it receives; Attribute is how Exchange Online attributes a
// connection arriving at a tenant's *.mail.protection.outlook.com endpoint.
//
// A gateway builds one Policy per configuration with NewPolicy and calls it as the SMTP dialogue
// goes: Peer after connect and STARTTLS (is the client verified Exchange Online?), Recipient at
// each RCPT TO (inbound, refuse now, or wait for the header), and Decide once the header block is
// read (with the caller's DKIM results). The Verdict says per recipient whether to deliver
// inbound, relay to the Internet or refuse (with the SMTP reply), whether and for which domain to
// DKIM-sign, and Verdict.Apply removes forged trust fields and adds the verdict header. Attribute
// predicts Exchange Online's decision for the linter and the simulator. Both are pure functions
// over plain values: no network, no clock, no globals.
//
// Every result explains itself with tenantgate.Reasons whose Code is one of the Reason*
// constants. The rules followed and the choices made where Microsoft is silent are in
// docs/classify.md, with their sources in docs/exchange-online.md and docs/threat-model.md.
package classify
