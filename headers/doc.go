// Package headers parses the header block of one message into the Exchange Online values a
// gateway reasons about. It reports what the header says; it decides nothing about trust.
//
// Read the header block with Read (strict CRLF, bounded by Limits; it refuses what two parsers
// could split differently), then Parse it into a Message: the X-MS-Exchange-CrossTenant-*
// fields, the antispam reports, Authentication-Results, the Received chain and From, each
// occurrence kept with its position. Message.CrossTenantID gives the tenant ID fail-closed (all
// occurrences must agree) and Message.LatestPass the values of the latest pass through Exchange
// Online; what did not parse is in Message.Problems with a Problem* code, and Parse never fails.
// The Parse* functions read single field values; Explain, ExplainAuth, ExplainCompAuthReason and
// ExplainDelivery give the meaning of antispam, authentication and mailbox-delivery codes.
//
// Analyze adds what a person reading the header asks first: the envelope fields (Subject and
// names decoded in every charset, Date and delivery time, Reply-To, To, Cc, Message-ID),
// X-Microsoft-Antispam-Mailbox-Delivery, and a Verdict (direction, spam level, folder, and the
// findings of Microsoft's Message Header Analyzer's rules) drawn from every verdict source.
//
// ScanEvidence is the gateway's fast path and the one reading of the evidence a policy decides
// on: a single pass over a textproto.Header for the tenant fields, the kind fields and DIR, From,
// copies of the gateway's own verdict header (with their hop count) and the Microsoft trust
// fields (IsTrustField); Message.CrossTenantID applies the same tenant rule. ScanEvidenceBlock
// is the same pass over a block in memory that CheckBytes accepted, without building the
// textproto.Header.
//
// The formats, their sources and the deliberate divergences are in docs/headers.md.
package headers
