package headers

// Codes of Message.Problems (Problem.Reason.Code): what Parse could not read, one code per field
// kind and defect. Their string values are a public contract that callers and golden files
// compare, so they never change; the Detail next to them is prose that may.
// TestProblemCodesDeclared keeps this list and the code in step.
const (
	// ProblemNameSpaceBeforeColon: white space between a field name and its colon, the obsolete
	// syntax of RFC 5322 §4.5 that Exchange Online never writes (the field is still read).
	ProblemNameSpaceBeforeColon = "headers.name.space-before-colon"
	// ProblemCrossTenantIDInvalid: X-MS-Exchange-CrossTenant-Id is not a bare canonical GUID.
	ProblemCrossTenantIDInvalid = "headers.crosstenant-id.invalid"
	// ProblemRMSPersistedConsumerOrgInvalid: X-MS-Exchange-CrossTenant-Rms-Persistedconsumerorg
	// is not a bare canonical GUID.
	ProblemRMSPersistedConsumerOrgInvalid = "headers.rms-persistedconsumerorg.invalid"
	// ProblemNetworkMessageIDInvalid: X-MS-Exchange-CrossTenant-Network-Message-Id is not a GUID.
	ProblemNetworkMessageIDInvalid = "headers.network-message-id.invalid"
	// ProblemOriginalArrivalTimeInvalid: X-MS-Exchange-CrossTenant-Originalarrivaltime does not
	// parse (ParseArrivalTime).
	ProblemOriginalArrivalTimeInvalid = "headers.original-arrival-time.invalid"
	// ProblemConnectingIPInvalid:
	// X-MS-Exchange-CrossTenant-Originalattributedtenantconnectingip does not parse
	// (ParseTenantConnectingIP).
	ProblemConnectingIPInvalid = "headers.connecting-ip.invalid"
	// ProblemEOPTenantAttributedInvalid: X-EOPTenantAttributedMessage does not start with a GUID.
	ProblemEOPTenantAttributedInvalid = "headers.eop-tenant-attributed.invalid"
	// ProblemAntispamReportInvalid: X-Forefront-Antispam-Report (or its -Untrusted copy) does not
	// parse (ParseAntispamReport).
	ProblemAntispamReportInvalid = "headers.antispam-report.invalid"
	// ProblemMicrosoftAntispamInvalid: X-Microsoft-Antispam does not parse
	// (ParseMicrosoftAntispam).
	ProblemMicrosoftAntispamInvalid = "headers.microsoft-antispam.invalid"
	// ProblemAuthResultsInvalid: an Authentication-Results field (or its Exchange, ARC or Original
	// variant) does not parse.
	ProblemAuthResultsInvalid = "headers.auth-results.invalid"
	// ProblemReceivedInvalid: a Received field does not parse (ParseReceived).
	ProblemReceivedInvalid = "headers.received.invalid"
	// ProblemReceivedNoDate: a Received field parses but carries no parsable date.
	ProblemReceivedNoDate = "headers.received.no-date"
	// ProblemFromInvalid: a From field's address list does not parse.
	ProblemFromInvalid = "headers.from.invalid"
	// ProblemFromEmpty: a From field holds no mailbox.
	ProblemFromEmpty = "headers.from.empty"
	// ProblemMailboxDeliveryInvalid: X-Microsoft-Antispam-Mailbox-Delivery does not parse
	// (ParseMailboxDelivery).
	ProblemMailboxDeliveryInvalid = "headers.mailbox-delivery.invalid"
	// ProblemMailboxDeliveryFoldingLost: X-Microsoft-Antispam-Mailbox-Delivery is empty and the
	// next field is its value with the folding white space lost (a field named "abwl", "ucf"…);
	// Analyze reads the folder from it.
	ProblemMailboxDeliveryFoldingLost = "headers.mailbox-delivery.folding-lost"
	// ProblemCrossTenantIDConflict: the X-MS-Exchange-CrossTenant-Id fields name different tenants
	// (Message.CrossTenantID fails with ErrConflictTenantID). Analyze reports it.
	ProblemCrossTenantIDConflict = "headers.crosstenant-id.conflict"
	// ProblemEncodedWordUndecodable: an RFC 2047 encoded-word in Subject or a display name names
	// a charset no decoder knows or is not valid base64/quoted-printable; it is kept as written.
	ProblemEncodedWordUndecodable = "headers.encoded-word.undecodable"
	// ProblemToInvalid: a To field exists but its address list does not parse (RFC 5322 §3.4).
	// Analyze reports it.
	ProblemToInvalid = "headers.to.invalid"
	// ProblemCcInvalid: a Cc field exists but its address list does not parse. Analyze reports it.
	ProblemCcInvalid = "headers.cc.invalid"
	// ProblemReplyToInvalid: a Reply-To field exists but its address list does not parse.
	// Analyze reports it.
	ProblemReplyToInvalid = "headers.reply-to.invalid"
	// ProblemMessageIDInvalid: Message-ID is not one msg-id "<left@right>" (RFC 5322 §3.6.4).
	// Analyze reports it.
	ProblemMessageIDInvalid = "headers.message-id.invalid"
	// ProblemDateInvalid: the Date field does not parse as an RFC 5322 §3.3 date-time. Analyze
	// reports it.
	ProblemDateInvalid = "headers.date.invalid"
)
