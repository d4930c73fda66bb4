package topology

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// Finding codes of the ORCA-parity checks. Each is a descriptive code (what is wrong), and the
// finding's ORCA field names the ORCA check whose logic it follows ("ORCA-233", "ORCA-233_1", …:
// "ORCA-" and the suffix of the check's file name, Checks/check-ORCA<suffix>.ps1). The codes are
// stable: scripts and scenario files compare them. They are additions to the codes of
// testdata/scenarios/README.md.
const (
	// FindingEnhancedFilteringDomain (ORCA-233, info): an accepted domain's MX does not point to
	// Exchange Online, and not every enabled catch-all inbound connector has Enhanced Filtering
	// (or there is none).
	FindingEnhancedFilteringDomain = "enhanced-filtering-domain"
	// FindingEnhancedFilteringConnector (ORCA-233_1, warning): an MX of the tenant does not point
	// to Exchange Online and an enabled catch-all inbound connector has Enhanced Filtering off, in
	// test mode, or limited to some users (EFUsers).
	FindingEnhancedFilteringConnector = "enhanced-filtering-connector"
	// FindingEnhancedFilteringNoConnector (ORCA-233_1, warning): an MX of the tenant does not
	// point to Exchange Online and the tenant has no enabled catch-all inbound connector at all —
	// the branch of ORCA 233_1 that never fires because of its $Connector/$Connectors typo.
	FindingEnhancedFilteringNoConnector = "enhanced-filtering-no-connector"
	// FindingARCNoTrustedSealer (ORCA-243, warning): an accepted domain's MX does not point to
	// Exchange Online and the ARC configuration trusts no sealer.
	FindingARCNoTrustedSealer = "arc-no-trusted-sealer"
	// FindingSCLBypassSender (ORCA-118_2, warning): an SCL -1 mail flow rule allow-lists sender
	// domains (SenderDomainIs, or From address words or patterns without "@") without checking
	// Authentication-Results or the sender's IP ranges.
	FindingSCLBypassSender = "scl-bypass-sender"
	// FindingSCLBypassIP (ORCA-118_2, warning): an SCL -1 mail flow rule is keyed on sender IP
	// ranges alone — typically the gateway's addresses, where Enhanced Filtering belongs.
	FindingSCLBypassIP = "scl-bypass-ip"
	// FindingSCLBypassOwnDomain (ORCA-118_4, error): an SCL -1 mail flow rule allow-lists one of
	// the tenant's own accepted domains: anyone who spoofs the tenant skips spam filtering.
	FindingSCLBypassOwnDomain = "scl-bypass-own-domain"
	// FindingIPAllowList (ORCA-114, warning): a connection filter policy allow-lists IP addresses.
	FindingIPAllowList = "ip-allow-list"
	// FindingRejectDirectSendOff (ORCA-249, info): RejectDirectSend is off.
	FindingRejectDirectSendOff = "reject-direct-send-off"
)

// ORCA check IDs, as Finding.ORCA carries them. The names keep the underscore of ORCA's own
// IDs (ORCA-233_1) so that each reads as the check it names.
const (
	ORCA233 = "ORCA-233"
	//lint:ignore ST1003 the underscore is part of ORCA's own check ID.
	ORCA233_1 = "ORCA-233_1"
	ORCA243   = "ORCA-243"
	//lint:ignore ST1003 the underscore is part of ORCA's own check ID.
	ORCA118_2 = "ORCA-118_2"
	//lint:ignore ST1003 the underscore is part of ORCA's own check ID.
	ORCA118_4 = "ORCA-118_4"
	ORCA114   = "ORCA-114"
	ORCA249   = "ORCA-249"
)

// LintORCA runs the ORCA-parity checks (ORCA 233, 233_1, 243, 118_2, 118_4, 114 and the
// preview's 249; see docs/topology.md) on one tenant's configuration alone, without a
// gateway: it is what Microsoft's ORCA report says about the connector and third-party MX
// settings of an exported tenant (exoimport.Import), including one whose ID is still zero.
//
// With no gateway to say where the MX points, LintORCA reads the MX the way ORCA does: a domain
// is "not pointed at Exchange Online" only when its Get-MxRecordReport has a row with
// PointsToService false; a domain without a report counts as pointed at the service. Lint runs
// the same checks for every served tenant, where a domain without a report counts as pointed at
// the gateway instead. Fix commands name the gateway by placeholders ("<gateway IPv4
// addresses>") because the gateway is not known here.
//
// The result is in check order (233, 233_1, 243, 118_2, 118_4, 114, 249), and within a check in
// configuration order; nil means no findings.
func LintORCA(t *tenantgate.Tenant) []Finding {
	if t == nil {
		return nil
	}
	var out []Finding
	c := orcaCheck{t: t, thirdParty: orcaThirdParty, emit: func(f Finding) { out = append(out, f) }}
	c.run()
	return out
}

// orcaCheck runs the ORCA-parity checks of one tenant.
type orcaCheck struct {
	t *tenantgate.Tenant
	// thirdParty reports whether an accepted domain's MX points elsewhere than Exchange Online.
	thirdParty func(*tenantgate.AcceptedDomain) bool
	// gw is what is known of the gateway, for fix commands; nil for a tenant alone.
	gw *gatewayView
	// directSendUnmatched reports that no connector matches the gateway's traffic (Lint only),
	// so turning RejectDirectSend on would reject the gateway's mail from the tenant's domains.
	directSendUnmatched bool
	emit                func(Finding)
}

// gatewayView is what fix commands need of the gateway.
type gatewayView struct {
	name     string
	certName string       // first certificate name of the identity presented to the tenant
	addrs    []netip.Addr // IPv4 egress addresses
}

// orcaThirdParty is ORCA's reading (check-ORCA233.ps1): a domain is not at the service when one
// of its MX report rows says PointsToService false.
func orcaThirdParty(ad *tenantgate.AcceptedDomain) bool {
	points, known := mxPointsToService(ad)
	return known && !points
}

// servedThirdParty is Lint's reading for a tenant the gateway serves: as ORCA when the domain has
// an MX report; without one, the MX is taken to point at the gateway (as the simulator does),
// except for the <name>.onmicrosoft.com domain, whose MX Microsoft runs.
func servedThirdParty(ad *tenantgate.AcceptedDomain) bool {
	points, known := mxPointsToService(ad)
	if known {
		return !points
	}
	return !ad.Name.IsSubdomainOf("onmicrosoft.com")
}

func (c *orcaCheck) run() {
	c.enhancedFilteringDomains()
	c.enhancedFilteringConnectors()
	c.arc()
	c.sclRules()
	c.ipAllowList()
	c.rejectDirectSend()
}

// catchAll reports whether a connector's SenderDomains hold the catch-all "*" (stored by Exchange
// Online as smtp:*;<n>, the form ORCA 233 matches). nil means ["*"] in the model.
func catchAll(c *tenantgate.InboundConnector) bool {
	if c.SenderDomains == nil {
		return true
	}
	for _, p := range c.SenderDomains {
		if p == tenantgate.PatternAll {
			return true
		}
	}
	return false
}

// efProblems lists what keeps Enhanced Filtering from applying on a connector, the way ORCA 233
// and 233_1 judge it: neither EFSkipLastIP nor EFSkipIPs, EFTestMode on, EFUsers non-empty.
// EFTestMode nil (not exported) is taken as the PowerShell default, off.
func efProblems(c *tenantgate.InboundConnector) []string {
	var p []string
	if !c.EnhancedFiltering() {
		p = append(p, "Enhanced Filtering is not configured (EFSkipLastIP is off and EFSkipIPs is empty)")
	}
	if c.EFTestMode != nil && *c.EFTestMode {
		p = append(p, "Enhanced Filtering is in test mode (EFTestMode)")
	}
	if len(c.EFUsers) > 0 {
		p = append(p, fmt.Sprintf("Enhanced Filtering applies only to the %d recipients listed in EFUsers", len(c.EFUsers)))
	}
	return p
}

// catchAllConnectors returns the tenant's enabled catch-all inbound connectors, in order.
func (c *orcaCheck) catchAllConnectors() []*tenantgate.InboundConnector {
	var out []*tenantgate.InboundConnector
	for i := range c.t.Inbound {
		ic := &c.t.Inbound[i]
		if ic.IsEnabled() && catchAll(ic) {
			out = append(out, ic)
		}
	}
	return out
}

// thirdPartyDomains returns the accepted domains whose MX does not point to Exchange Online.
func (c *orcaCheck) thirdPartyDomains() []*tenantgate.AcceptedDomain {
	var out []*tenantgate.AcceptedDomain
	for i := range c.t.AcceptedDomains {
		if ad := &c.t.AcceptedDomains[i]; c.thirdParty(ad) {
			out = append(out, ad)
		}
	}
	return out
}

// efFixCommand is the command that turns Enhanced Filtering on, as ORCA 233_1 requires it, on
// connector ic.
func efFixCommand(ic *tenantgate.InboundConnector) string {
	cmd := "Set-InboundConnector -Identity " + psName(ic.Name)
	if !ic.EnhancedFiltering() {
		cmd += " -EFSkipLastIP $true"
	}
	if ic.EFTestMode != nil && *ic.EFTestMode {
		cmd += " -EFTestMode $false"
	}
	if len(ic.EFUsers) > 0 {
		cmd += " -EFUsers $null"
	}
	return cmd
}

// newGatewayConnectorCommand creates the Partner connector Microsoft's third-party scenario 1
// prescribes (docs/exchange-online.md#third-party-gateways), with Enhanced Filtering: by the
// gateway's certificate when the gateway presents one to the tenant, else by its addresses.
func (c *orcaCheck) newGatewayConnectorCommand() string {
	const head = "New-InboundConnector -Name 'from-gateway' -ConnectorType Partner -SenderDomains *"
	switch {
	case c.gw != nil && c.gw.certName != "":
		return head + " -TlsSenderCertificateName " + psName(c.gw.certName) + " -RequireTls $true -RestrictDomainsToCertificate $true -EFSkipLastIP $true"
	case c.gw != nil && len(c.gw.addrs) > 0:
		return head + " -SenderIPAddresses " + psAddrs(c.gw.addrs) + " -RequireTls $true -RestrictDomainsToIPAddresses $true -EFSkipLastIP $true"
	}
	return head + " -SenderIPAddresses <gateway IPv4 addresses> -RequireTls $true -RestrictDomainsToIPAddresses $true -EFSkipLastIP $true"
}

func psAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

// enhancedFilteringDomains is ORCA 233 (check-ORCA233.ps1, https://github.com/cammurray/orca):
// Enhanced Filtering counts as on when there is at least one enabled catch-all connector and each
// of them has it (skip listing configured, not in test mode, no EFUsers). Each accepted domain
// whose MX does not point to Exchange Online fails while it is off; ORCA records that failure as
// Informational, and so does this check (SeverityInfo).
func (c *orcaCheck) enhancedFilteringDomains() {
	conns := c.catchAllConnectors()
	var off []*tenantgate.InboundConnector
	for _, ic := range conns {
		if len(efProblems(ic)) > 0 {
			off = append(off, ic)
		}
	}
	if len(conns) > 0 && len(off) == 0 {
		return
	}
	for _, ad := range c.thirdPartyDomains() {
		f := Finding{Code: FindingEnhancedFilteringDomain, Severity: SeverityInfo, ORCA: ORCA233, Tenant: c.t.ID,
			Objects: []string{"accepted domain " + string(ad.Name)},
			Summary: fmt.Sprintf("the MX of %s does not point to Exchange Online and Enhanced Filtering is not on every catch-all inbound connector", ad.Name),
			Detail:  "Mail for this domain reaches Exchange Online through another service, which hides the original sender's IP address: without Enhanced Filtering on every connector for all sender domains, Exchange Online judges SPF, DMARC and reputation against that service, with more false positives and false negatives (ORCA 233; https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors).",
			Fix:     "Point the MX to Exchange Online, or turn Enhanced Filtering on for every inbound connector that takes all sender domains."}
		if len(conns) == 0 {
			f.Detail += " The tenant has no enabled inbound connector for all sender domains."
			f.PowerShell = c.newGatewayConnectorCommand()
		} else {
			for _, ic := range off {
				f.Objects = append(f.Objects, "inbound connector "+ic.Name)
			}
			f.PowerShell = efFixCommand(off[0])
		}
		c.emit(f)
	}
}

// enhancedFilteringConnectors is ORCA 233_1 (check-ORCA233_1.ps1): when any MX of the tenant
// does not point to Exchange Online, each enabled catch-all connector fails unless Enhanced
// Filtering is configured, not in test mode and not limited to EFUsers. ORCA also means to fail
// when there is no such connector at all, but tests the leftover loop variable ($Connector.Count)
// instead of $Connectors.Count, so that branch does not fire reliably; here it does,
// as FindingEnhancedFilteringNoConnector.
func (c *orcaCheck) enhancedFilteringConnectors() {
	domains := c.thirdPartyDomains()
	if len(domains) == 0 {
		return
	}
	conns := c.catchAllConnectors()
	if len(conns) == 0 {
		c.emit(Finding{Code: FindingEnhancedFilteringNoConnector, Severity: SeverityWarning, ORCA: ORCA233_1, Tenant: c.t.ID,
			Objects:    []string{"accepted domain " + string(domains[0].Name)},
			Summary:    fmt.Sprintf("the MX of %s does not point to Exchange Online and the tenant has no enabled inbound connector for all sender domains", domains[0].Name),
			Detail:     "Enhanced Filtering is a setting of an inbound connector: with no connector for all sender domains (SenderDomains *), nothing tells Exchange Online to skip the third-party hop, and every Internet message is judged by that service's IP address. ORCA 233_1 means to fail this case but never does (its $Connector/$Connectors typo).",
			Fix:        "Create a Partner inbound connector for all sender domains that identifies the service in front of Exchange Online, with Enhanced Filtering.",
			PowerShell: c.newGatewayConnectorCommand()})
		return
	}
	for _, ic := range conns {
		p := efProblems(ic)
		if len(p) == 0 {
			continue
		}
		c.emit(Finding{Code: FindingEnhancedFilteringConnector, Severity: SeverityWarning, ORCA: ORCA233_1, Tenant: c.t.ID,
			Objects:    []string{"inbound connector " + ic.Name},
			Summary:    fmt.Sprintf("inbound connector %s takes all sender domains while an MX points elsewhere than Exchange Online, and %s", ic.Name, strings.Join(p, "; ")),
			Detail:     fmt.Sprintf("The MX of %s does not point to Exchange Online, so Internet mail arrives through the service in front of it. Enhanced Filtering must be configured on every connector for all sender domains, out of test mode and for all recipients, or Exchange Online filters by the service's IP address (ORCA 233_1; https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors).", domains[0].Name),
			Fix:        "Turn Enhanced Filtering on for this connector, for all recipients and out of test mode.",
			PowerShell: efFixCommand(ic)})
	}
}

// arc is ORCA 243 (check-ORCA243.ps1): each domain whose MX does not point to Exchange Online
// fails when Get-ArcConfig lists no trusted sealer. Like ORCA, it only checks that some sealer is
// trusted, not that the service in front seals with that domain. A tenant whose ARC
// configuration is not known (ARCConfig nil: Get-ArcConfig not exported, or no arcConfig in our
// JSON) is not judged: ORCA always collects it, and the model keeps "not known" apart from "no
// sealers".
func (c *orcaCheck) arc() {
	if c.t.ARCConfig == nil || len(c.t.ARCConfig.ARCTrustedSealers) > 0 {
		return
	}
	for _, ad := range c.thirdPartyDomains() {
		f := Finding{Code: FindingARCNoTrustedSealer, Severity: SeverityWarning, ORCA: ORCA243, Tenant: c.t.ID,
			Objects:    []string{"accepted domain " + string(ad.Name), "arc config"},
			Summary:    fmt.Sprintf("the MX of %s does not point to Exchange Online and no trusted ARC sealer is configured", ad.Name),
			Detail:     "A service in front of Exchange Online may modify messages and break DKIM, and it sends from addresses that are not in the sender's SPF. If it ARC-seals the messages and its sealing domain is a trusted ARC sealer, Exchange Online can use the service's authentication results (ORCA 243; https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud).",
			Fix:        "Have the service ARC-seal the mail it passes on, and trust its sealing domain (the d= of its ARC-Seal).",
			PowerShell: "Set-ArcConfig -Identity Default -ArcTrustedSealers <sealing domain of the gateway>"}
		c.emit(f)
	}
}

// sclRules is ORCA 118_2 and 118_4 (check-ORCA118_2.ps1, check-ORCA118_4.ps1) over the SCL -1
// rules, in priority order.
func (c *orcaCheck) sclRules() {
	var own []Finding
	for i := range c.t.SCLRules {
		r := &c.t.SCLRules[i]
		if r.SetSCL != tenantgate.SCLBypass {
			continue
		}
		senders := senderConditions(r)
		switch {
		case len(senders) > 0 && !orcaAuthResults(r) && len(r.SenderIPRanges) == 0:
			c.emit(c.sclFinding(r, FindingSCLBypassSender, ORCA118_2, SeverityWarning,
				fmt.Sprintf("mail flow rule %s bypasses spam filtering for mail from %s", r.Name, strings.Join(senders, ", ")),
				"A sender domain is trivially spoofed: the rule lets anyone who claims it past spam filtering. ORCA 118_2 accepts such a rule only when it also checks Authentication-Results or the sender's IP ranges."))
			if mine := c.ownDomains(r); len(mine) > 0 {
				own = append(own, c.sclFinding(r, FindingSCLBypassOwnDomain, ORCA118_4, SeverityError,
					fmt.Sprintf("mail flow rule %s bypasses spam filtering for mail from the tenant's own domains %s", r.Name, strings.Join(mine, ", ")),
					"An attacker who spoofs any address of the organisation's own domains skips spam filtering: a direct phishing path (ORCA 118_4)."))
			}
		case len(senders) == 0 && len(r.SenderIPRanges) > 0:
			c.emit(c.sclFinding(r, FindingSCLBypassIP, ORCA118_2, SeverityWarning,
				fmt.Sprintf("mail flow rule %s bypasses spam filtering for mail from the IP ranges %s", r.Name, strings.Join(r.SenderIPRanges, ", ")),
				"This is how a third-party gateway is often let through, but the gateway's address is every sender's address: all Internet mail it passes on skips Exchange Online's spam filtering. Microsoft recommends Enhanced Filtering instead, and asks to disable SCL -1 rules for the connector once it is on (https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors)."))
		}
	}
	for _, f := range own {
		c.emit(f)
	}
}

// sclFinding builds a finding about SCL rule r; a rule that does not act (disabled, or in an
// audit mode) is reported as information, in case it is enabled by accident (as ORCA 118_4 does
// for disabled rules).
func (c *orcaCheck) sclFinding(r *tenantgate.SCLRule, code, orca string, sev Severity, summary, detail string) Finding {
	f := Finding{Code: code, Severity: sev, ORCA: orca, Tenant: c.t.ID,
		Objects:    []string{"transport rule " + r.Name},
		Summary:    summary,
		Detail:     detail,
		Fix:        "Do not bypass spam filtering by sender or address: use Enhanced Filtering for a gateway, and the Tenant Allow/Block List for senders; if the rule must stay, add a condition on Authentication-Results.",
		PowerShell: "Disable-TransportRule -Identity " + psName(r.Name) + " -Confirm:$false"}
	if !r.IsEnabled() || (r.Mode != "" && r.Mode != tenantgate.ModeEnforce) {
		f.Severity = SeverityInfo
		f.Summary += " (the rule does not act now: disabled or in audit mode)"
		f.PowerShell = "Remove-TransportRule -Identity " + psName(r.Name) + " -Confirm:$false"
	}
	return f
}

// senderConditions lists the sender-domain style conditions of ORCA 118_2: SenderDomainIs, and
// From address words and patterns without "@" (check-ORCA118_2.ps1: -notmatch ".+@").
func senderConditions(r *tenantgate.SCLRule) []string {
	var out []string
	for _, d := range r.SenderDomainIs {
		out = append(out, string(d))
	}
	for _, list := range [][]string{r.FromAddressContainsWords, r.FromAddressMatchesPatterns} {
		domainStyle := false
		for _, w := range list {
			if !hasLocalPart(w) {
				domainStyle = true
			}
		}
		if domainStyle {
			out = append(out, list...)
		}
	}
	return out
}

// hasLocalPart is the regular expression ".+@": an "@" after at least one character.
func hasLocalPart(s string) bool {
	i := strings.LastIndexByte(s, '@')
	return i > 0
}

// authenticationResultsHeader is the header ORCA 118_2/118_4 accept as the safeguard of an SCL -1
// rule: a rule that also checks it does not bypass filtering for spoofed senders.
const authenticationResultsHeader = "Authentication-Results"

// orcaAuthResults is ORCA 118_2's safeguard: a HeaderContains condition or exception on exactly
// Authentication-Results with words, or a HeaderMatches one whose header name contains
// Authentication-Results with patterns (case-insensitive, as PowerShell's -eq and -like).
func orcaAuthResults(r *tenantgate.SCLRule) bool {
	contains := func(h string, words []string) bool {
		return strings.EqualFold(strings.TrimSpace(h), authenticationResultsHeader) && len(words) > 0
	}
	matches := func(h string, pats []string) bool {
		return strings.Contains(strings.ToLower(h), strings.ToLower(authenticationResultsHeader)) && len(pats) > 0
	}
	return contains(r.HeaderContainsMessageHeader, r.HeaderContainsWords) ||
		matches(r.HeaderMatchesMessageHeader, r.HeaderMatchesPatterns) ||
		contains(r.ExceptIfHeaderContainsMessageHeader, r.ExceptIfHeaderContainsWords) ||
		matches(r.ExceptIfHeaderMatchesMessageHeader, r.ExceptIfHeaderMatchesPatterns)
}

// ownDomains lists the rule's SenderDomainIs and FromAddressContainsWords values that equal one of
// the tenant's accepted domains (ORCA 118_4 compares with -eq: case-insensitive equality, no
// subdomains).
func (c *orcaCheck) ownDomains(r *tenantgate.SCLRule) []string {
	var out []string
	vals := make([]string, 0, len(r.SenderDomainIs)+len(r.FromAddressContainsWords))
	for _, d := range r.SenderDomainIs {
		vals = append(vals, string(d))
	}
	vals = append(vals, r.FromAddressContainsWords...)
	for _, v := range vals {
		for i := range c.t.AcceptedDomains {
			if strings.EqualFold(strings.TrimSpace(v), string(c.t.AcceptedDomains[i].Name)) {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// ipAllowList is ORCA 114 (check-ORCA114.ps1): every IPAllowList entry fails.
func (c *orcaCheck) ipAllowList() {
	for i := range c.t.ConnectionFilterPolicies {
		p := &c.t.ConnectionFilterPolicies[i]
		if len(p.IPAllowList) == 0 {
			continue
		}
		f := Finding{Code: FindingIPAllowList, Severity: SeverityWarning, ORCA: ORCA114, Tenant: c.t.ID,
			Objects:    []string{"connection filter policy " + p.Name},
			Summary:    fmt.Sprintf("connection filter policy %s allow-lists %s", p.Name, strings.Join(p.IPAllowList, ", ")),
			Detail:     "Mail from an allow-listed address skips spam filtering. A gateway's address often ends up here instead of in Enhanced Filtering; then every message the gateway passes on is unfiltered (ORCA 114).",
			Fix:        "Remove the addresses from the IP allow list; identify a gateway with an inbound connector and Enhanced Filtering instead.",
			PowerShell: "Set-HostedConnectionFilterPolicy -Identity " + psName(p.Name) + " -IPAllowList $null"}
		if c.gw != nil {
			if gw := gatewayEntries(p.IPAllowList, c.gw.addrs); len(gw) > 0 {
				f.Detail += fmt.Sprintf(" The list holds the gateway's own address (%s).", strings.Join(gw, ", "))
			}
		}
		c.emit(f)
	}
}

// gatewayEntries returns the allow list entries that contain one of the gateway's addresses.
func gatewayEntries(list []string, addrs []netip.Addr) []string {
	var out []string
	for _, e := range list {
		r, err := tenantgate.ParseIPRange(e)
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if r.Contains(a) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// rejectDirectSend is the preview's ORCA 249 (check-ORCA249.ps1 on ORCA's dev branch):
// RejectDirectSend off is Informational, never a failure, because some tenants still rely on
// Direct Send.
func (c *orcaCheck) rejectDirectSend() {
	if c.t.RejectDirectSend {
		return
	}
	f := Finding{Code: FindingRejectDirectSendOff, Severity: SeverityInfo, ORCA: ORCA249, Tenant: c.t.ID,
		Objects:    []string{"organization config RejectDirectSend"},
		Summary:    "RejectDirectSend is off: anonymous mail claiming the tenant's own domains is accepted without a connector",
		Detail:     "With RejectDirectSend on, Exchange Online rejects (550 5.7.68) anonymous mail whose MAIL FROM is an accepted domain when no inbound connector matches its IP address or certificate (https://learn.microsoft.com/powershell/module/exchange/set-organizationconfig). Turn it on once nothing legitimate (printers, applications, a gateway without a matching connector) relies on Direct Send.",
		Fix:        "Make every legitimate sender of the tenant's domains match a connector, then turn RejectDirectSend on.",
		PowerShell: "Set-OrganizationConfig -RejectDirectSend $true"}
	if c.directSendUnmatched {
		f.Detail += " Not yet here: no inbound connector matches the gateway (see " + FindingDirectSendUnmatched + ")."
	}
	c.emit(f)
}
