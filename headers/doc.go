// Package headers parses the header block of one message into the Exchange Online values a
// gateway reasons about. It reports what the header says; it decides nothing about trust.
//
// # What is implemented
//
// Read reads one header block under Limits (bytes, fields, line length) into go-message's
// textproto.Header — the same fields, keys, values and CRLF raw bytes textproto.ReadHeader
// gives — and refuses, with an error naming the limit or the line, what it will not parse:
// NUL bytes, bare CRs, non-ASCII or empty field names, lines that are neither field nor
// continuation. Parse turns the textproto.Header into a Message:
//
//   - the X-MS-Exchange-CrossTenant-* family (Id, Network-Message-Id, OriginalArrivalTime,
//     OriginalAttributedTenantConnectingIp, AuthSource, AuthAs, FromEntityHeader, MailboxType,
//     UserPrincipalName, RMS-PersistedConsumerOrg), X-MS-Exchange-Transport-CrossTenantHeaders-
//     Stamped/Stripped, X-OriginatorOrg and X-EOPTenantAttributedMessage, every occurrence kept
//     with its position and name as written;
//   - every X-MS-Exchange-Organization-* and X-MS-Exchange-CrossPremises-* field;
//   - X-Forefront-Antispam-Report (and -Untrusted) and X-Microsoft-Antispam, documented items
//     typed, unknown ones kept in order; Explain and ExplainField give the meaning of codes;
//   - Authentication-Results, X-MS-Exchange-Authentication-Results, ARC-Authentication-Results
//     and Original-Authentication-Results, with a tolerant parser of its own; AuthServID reads
//     the authserv-id strictly as RFC 8601 §2.2 defines it, in the form ids compare in (the
//     gateway's policy uses it to find forged copies of its verdict header);
//   - the Received chain (ParseReceived) and its hop delays (ComputeHops);
//   - the From fields and their mailboxes.
//
// What does not parse is listed in Message.Problems with a stable dotted code, one of the
// Problem* constants (ProblemCrossTenantIDInvalid is "headers.crosstenant-id.invalid"); Parse
// never fails. Message.CrossTenantID gives the tenant fail-closed; Message.LatestPass the values of
// the latest pass through Exchange Online. CrossTenant.Stamp, StampAntispam and
// StampMicrosoftAntispam write what EXO stamps, for simulators and tests.
//
// # Rules followed
//
//   - Field names are compared case-insensitively and exactly (RFC 5322 §1.2.2): EXO writes
//     "-id" and "-Id" in one message (docs/headers.md#crosstenant-fields), and -Id2 is another field.
//   - Values are unfolded (RFC 5322 §2.2.3) and trimmed, never RFC 2047-decoded: a tenant ID must
//     be a bare 8-4-4-4-12 GUID (tenantgate.ParseTenantID), so braces, comments, encoded-words
//     or extra characters make it invalid (docs/threat-model.md#threat-11). Upper-case hexadecimal is accepted
//     (docs/headers.md#crosstenant-fields "accept A-F, emit lower").
//   - EXO appends its CrossTenant fields at the bottom of the block (docs/headers.md#crosstenant-fields, docs/headers.md#passes),
//     so the bottom-most occurrence is the latest pass. docs/exchange-online.md#header-firewall advises the
//     top-most instance instead; CrossTenantID avoids the choice by requiring every occurrence
//     to agree.
//   - Received fields are read the way Microsoft's Message Header Analyzer reads them
//     (docs/headers.md#received): the date after the last ';' or, failing that, from the first
//     weekday or yyyy-mm-dd; keywords outside comments only; hop delays as computeDeltas does.
//   - Antispam reports follow MHA's item grammar: "(null)" removed, split at ';', key cut at the
//     first ':' so an IPv6 CIP survives (docs/headers.md#crosstenant-fields).
//
// # Deliberate divergences
//
//   - Read refuses a bare CR or NUL anywhere and a non-ASCII field name, where textproto and
//     MHA would go on: different readers split such input differently, which is how header
//     smuggling works (docs/threat-model.md#threat-30).
//   - White space before a field's colon (RFC 5322 §4.5 obsolete syntax) is read, reported as a
//     problem, and makes CrossTenantID fail (docs/threat-model.md#threat-10).
//   - ParseReceived keeps the first occurrence of a repeated keyword, where MHA joins them; a
//     date with an unknown alphabetic zone is left unparsed rather than read as UTC; a missing
//     zone is read as UTC, as MHA does.
//   - Authentication-Results: segments that are not "method=result" (EXO's stray "outlook.com")
//     are kept in AuthResults.Stray instead of failing the field as go-msgauth does.
//   - Explain's meanings for DIR OUB/OTB and ARC AAR/AMS/AS are not documented by Microsoft
//     (docs/headers.md#antispam-reports).
package headers
