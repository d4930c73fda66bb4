package tenantgate

// RuleMode is a transport rule's Mode. Only Enforce rules act; Audit and AuditAndNotify rules
// only log (and notify).
type RuleMode string

// Transport rule modes. The zero value means Enforce, the PowerShell default.
const (
	ModeEnforce        RuleMode = "Enforce"
	ModeAudit          RuleMode = "Audit"
	ModeAuditAndNotify RuleMode = "AuditAndNotify"
)

// SCLBypass is the SCL value that makes Exchange Online skip spam filtering (-SetSCL -1).
const SCLBypass = -1

// SCLRule is a mail flow rule that sets the spam confidence level (New-TransportRule -SetSCL),
// with the sender, IP and header conditions ORCA's checks 118_2 and 118_4 read. SCL rules are
// kept in Tenant.SCLRules, apart from the routing rules in Tenant.Rules: a routing rule holds
// exactly the conditions route evaluates, and adding sender conditions to it would let a router
// that does not read them match more mail than Exchange Online does. A rule that both routes and
// sets the SCL appears in both lists.
type SCLRule struct {
	// Name labels the rule. Required.
	Name string `json:"name"`
	// Enabled is nil or true for an enabled rule (State Enabled).
	Enabled *bool `json:"enabled,omitempty"`
	// Mode is Enforce (the zero value), Audit or AuditAndNotify.
	Mode RuleMode `json:"mode,omitempty"`
	// SetSCL is the SCL the rule sets, -1 (bypass spam filtering) to 9. Always written: 0 is SCL 0.
	SetSCL int `json:"setSCL"`
	// FromScope: "" (any sender), InOrganization or NotInOrganization.
	FromScope Scope `json:"fromScope,omitempty"`
	// SenderDomainIs matches the sender's domain.
	SenderDomainIs []Domain `json:"senderDomainIs,omitempty"`
	// FromAddressContainsWords and FromAddressMatchesPatterns match the sender address by words
	// and by regular expressions.
	FromAddressContainsWords   []string `json:"fromAddressContainsWords,omitempty"`
	FromAddressMatchesPatterns []string `json:"fromAddressMatchesPatterns,omitempty"`
	// SenderIPRanges (the rule's SenderIpRanges) matches the connecting IP: addresses,
	// "first-last" ranges or CIDRs.
	SenderIPRanges []string `json:"senderIpRanges,omitempty"`
	// HeaderContainsMessageHeader with HeaderContainsWords, and HeaderMatchesMessageHeader with
	// HeaderMatchesPatterns, are header conditions; the ExceptIf… forms are exceptions.
	HeaderContainsMessageHeader         string   `json:"headerContainsMessageHeader,omitempty"`
	HeaderContainsWords                 []string `json:"headerContainsWords,omitempty"`
	HeaderMatchesMessageHeader          string   `json:"headerMatchesMessageHeader,omitempty"`
	HeaderMatchesPatterns               []string `json:"headerMatchesPatterns,omitempty"`
	ExceptIfHeaderContainsMessageHeader string   `json:"exceptIfHeaderContainsMessageHeader,omitempty"`
	ExceptIfHeaderContainsWords         []string `json:"exceptIfHeaderContainsWords,omitempty"`
	ExceptIfHeaderMatchesMessageHeader  string   `json:"exceptIfHeaderMatchesMessageHeader,omitempty"`
	ExceptIfHeaderMatchesPatterns       []string `json:"exceptIfHeaderMatchesPatterns,omitempty"`
}

// IsEnabled reports whether the rule is enabled (Enabled nil or true).
func (r *SCLRule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// ARCConfig mirrors Get-ArcConfig.
type ARCConfig struct {
	// ARCTrustedSealers are the domains whose ARC seals Exchange Online trusts (Set-ArcConfig
	// -ArcTrustedSealers). Empty: none.
	ARCTrustedSealers []Domain `json:"arcTrustedSealers,omitempty"`
}

// ConnectionFilterPolicy mirrors one Get-HostedConnectionFilterPolicy entry.
type ConnectionFilterPolicy struct {
	// Name labels the policy ("Default"). Required.
	Name string `json:"name"`
	// IPAllowList lists addresses, "first-last" ranges and CIDRs whose mail skips spam filtering
	// (ORCA 114 fails on every entry).
	IPAllowList []string `json:"ipAllowList,omitempty"`
}

// MXRecord is one row of Get-MxRecordReport.
type MXRecord struct {
	// HighestPriorityMailhost is the MX target with the lowest preference value.
	HighestPriorityMailhost string `json:"highestPriorityMailhost,omitempty"`
	// HighestPriorityMailhostIPAddress (the report's HighestPriorityMailhostIpAddress) is its
	// address, when reported.
	HighestPriorityMailhostIPAddress string `json:"highestPriorityMailhostIpAddress,omitempty"`
	// PointsToService reports whether the MX targets Exchange Online. Its zero value, false, is
	// the answer that makes ORCA 233, 233_1 and 243 require Enhanced Filtering and ARC.
	PointsToService bool `json:"pointsToService"`
	// RecordExists reports whether the domain has an MX record at all.
	RecordExists bool `json:"recordExists,omitempty"`
}
