package exoimport

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// The readers below follow the cmdlets' parameter names
// (docs/exchange-online.md#configuration-exports).

func (imp *importer) readInbound(r *record) {
	c := tenantgate.InboundConnector{
		Name:                         cmp.Or(r.str("Name"), r.str("Identity")),
		ConnectorType:                tenantgate.ConnectorType(r.enum("ConnectorType", "Partner", "OnPremises")),
		Enabled:                      r.boolp("Enabled"),
		SenderDomains:                r.senderDomains("SenderDomains"),
		SenderIPAddresses:            r.ips("SenderIPAddresses", senderIP),
		TLSSenderCertificateName:     r.pattern("TlsSenderCertificateName"),
		RequireTLS:                   r.bool("RequireTls"),
		RestrictDomainsToCertificate: r.bool("RestrictDomainsToCertificate"),
		RestrictDomainsToIPAddresses: r.bool("RestrictDomainsToIPAddresses"),
		CloudServicesMailEnabled:     r.bool("CloudServicesMailEnabled"),
		TreatMessagesAsInternal:      r.bool("TreatMessagesAsInternal"),
		AssociatedAcceptedDomains:    r.domains("AssociatedAcceptedDomains"),
		ConnectorSource:              r.str("ConnectorSource"),
		EFSkipLastIP:                 r.bool("EFSkipLastIP"),
		EFSkipIPs:                    r.ips("EFSkipIPs", ipRange),
		EFTestMode:                   r.boolp("EFTestMode"),
		EFSkipMailGateway:            r.ips("EFSkipMailGateway", ipAddr),
	}
	c.TrustedOrganizations, _ = r.strs("TrustedOrganizations")
	c.EFUsers, _ = r.strs("EFUsers")
	if c.Name == "" && !r.ambiguous {
		r.errf(member(r.path, "Name"), "required (the connector's Name or Identity)")
	}
	for _, k := range []string{"ScanAndDropRecipients", "ClientHostNames"} {
		if v, _ := r.strs(k); len(v) > 0 {
			imp.warn(member(r.path, k), WarnNotApplied, "connector %q: %s is not modelled; its effect on mail flow is ignored", c.Name, k)
		}
	}
	// The Microsoft365DSC schema has no EFTestMode, EFSkipMailGateway or TrustedOrganizations
	// (Microsoft365DSC): the warning says so instead of the model guessing false.
	r.absent("inbound connector "+quote(c.Name), "Enabled", "ConnectorType", "SenderDomains", "SenderIPAddresses",
		"TlsSenderCertificateName", "RestrictDomainsToCertificate", "RestrictDomainsToIPAddresses", "RequireTls",
		"CloudServicesMailEnabled", "TreatMessagesAsInternal", "EFSkipLastIP", "EFSkipIPs", "EFUsers", "EFTestMode",
		"EFSkipMailGateway", "TrustedOrganizations")
	imp.inbound = append(imp.inbound, c)
}

func (imp *importer) readOutbound(r *record) {
	c := tenantgate.OutboundConnector{
		Name:                          cmp.Or(r.str("Name"), r.str("Identity")),
		ConnectorType:                 tenantgate.ConnectorType(r.enum("ConnectorType", "Partner", "OnPremises")),
		Enabled:                       r.boolp("Enabled"),
		RecipientDomains:              r.patterns("RecipientDomains"),
		UseMXRecord:                   r.boolp("UseMXRecord"),
		TLSSettings:                   tenantgate.TLSSettings(r.enum("TlsSettings", "EncryptionOnly", "CertificateValidation", "DomainValidation")),
		TLSDomain:                     r.pattern("TlsDomain"),
		IsTransportRuleScoped:         r.bool("IsTransportRuleScoped"),
		RouteAllMessagesViaOnPremises: r.bool("RouteAllMessagesViaOnPremises"),
		CloudServicesMailEnabled:      r.bool("CloudServicesMailEnabled"),
		AllAcceptedDomains:            r.bool("AllAcceptedDomains"),
		SenderRewritingEnabled:        r.bool("SenderRewritingEnabled"),
		TestMode:                      r.bool("TestMode"),
	}
	c.SmartHosts, _ = r.strs("SmartHosts")
	if c.Name == "" && !r.ambiguous {
		r.errf(member(r.path, "Name"), "required (the connector's Name or Identity)")
	}
	r.absent("outbound connector "+quote(c.Name), "Enabled", "ConnectorType", "UseMXRecord", "SmartHosts", "RecipientDomains",
		"TlsSettings", "IsTransportRuleScoped", "RouteAllMessagesViaOnPremises", "AllAcceptedDomains")
	imp.outbound = append(imp.outbound, c)
}

// acceptedDomain remembers InitialDomain, which names the tenant.
type acceptedDomain struct {
	tenantgate.AcceptedDomain
	initial bool
}

func (imp *importer) readAcceptedDomain(r *record, dsc bool) {
	key := "DomainName"
	if dsc {
		key = "Identity" // the DSC schema has no DomainName
	}
	var d acceptedDomain
	if s := r.str(key); s == "" {
		r.errf(member(r.path, key), "required")
	} else if n, err := tenantgate.ParseDomain(s); err != nil {
		r.errf(member(r.path, key), "%v", err)
	} else {
		d.Name = n
	}
	if v, p := r.get("DomainType"); v != nil && v.kind == kString && strings.EqualFold(v.s, "ExternalRelay") {
		r.errf(p, "ExternalRelay exists only in on-premises Exchange; Exchange Online has Authoritative and InternalRelay")
	} else {
		d.DomainType = tenantgate.DomainType(r.enum("DomainType", "Authoritative", "InternalRelay"))
	}
	d.MatchSubDomains = r.bool("MatchSubDomains")
	d.initial = r.bool("InitialDomain")
	r.absent("accepted domain "+quote(string(d.Name)), "DomainType", "MatchSubDomains")
	imp.domains = append(imp.domains, d)
}

// rule is one Get-TransportRule object: its routing part, its SCL part, or both.
type rule struct {
	priority int
	route    *tenantgate.TransportRule
	scl      *tenantgate.SCLRule
}

// Predicates the routing model holds: FromScope and SentToScope conditions, the
// ExceptIfHeaderContains exception (the type names are those of Conditions/Exceptions, sample A).
var (
	routeConditions = []string{"FromScopePredicate", "SentToScopePredicate"}
	routeExceptions = []string{"HeaderContainsPredicate"}
)

func (imp *importer) readRule(r *record, dsc bool) {
	name := cmp.Or(r.str("Name"), r.str("Identity"))
	if name == "" && !r.ambiguous {
		r.errf(member(r.path, "Name"), "required")
	}
	q := quote(name)
	var enabled *bool
	if dsc {
		enabled = r.boolp("Enabled") // DSC maps State to Enabled
	} else if st := r.enum("State", "Enabled", "Disabled"); st != "" {
		enabled = new(st == "Enabled")
	}
	mode := tenantgate.RuleMode(r.enum("Mode", "Audit", "AuditAndNotify", "Enforce"))
	prio := math.MaxInt
	if p := r.intp("Priority"); p != nil {
		prio = *p
	}
	from := tenantgate.Scope(r.enum("FromScope", "InOrganization", "NotInOrganization"))
	act, okAct := r.date("ActivationDate")
	exp, okExp := r.date("ExpiryDate")
	if okAct || okExp {
		var when []string
		if okAct {
			when = append(when, "from "+act.Format("2006-01-02T15:04:05Z"))
		}
		if okExp {
			when = append(when, "until "+exp.Format("2006-01-02T15:04:05Z"))
		}
		imp.warn(r.path, WarnRuleDates, "rule %s is active only %s; imported as always active", q, strings.Join(when, " "))
	}
	out := rule{priority: prio}

	if scl := r.intp("SetSCL"); scl != nil {
		s := &tenantgate.SCLRule{
			Name: name, Enabled: enabled, Mode: mode, SetSCL: *scl, FromScope: from,
			SenderDomainIs:                      r.domains("SenderDomainIs"),
			SenderIPRanges:                      r.ips("SenderIpRanges", ipRange),
			HeaderContainsMessageHeader:         r.str("HeaderContainsMessageHeader"),
			HeaderMatchesMessageHeader:          r.str("HeaderMatchesMessageHeader"),
			ExceptIfHeaderContainsMessageHeader: r.str("ExceptIfHeaderContainsMessageHeader"),
			ExceptIfHeaderMatchesMessageHeader:  r.str("ExceptIfHeaderMatchesMessageHeader"),
		}
		if *scl < -1 || *scl > 9 {
			_, p := r.get("SetSCL")
			r.errf(p, "%d is not an SCL from -1 to 9", *scl)
		}
		s.FromAddressContainsWords, _ = r.strs("FromAddressContainsWords")
		s.FromAddressMatchesPatterns, _ = r.strs("FromAddressMatchesPatterns")
		s.HeaderContainsWords, _ = r.strs("HeaderContainsWords")
		s.HeaderMatchesPatterns, _ = r.strs("HeaderMatchesPatterns")
		s.ExceptIfHeaderContainsWords, _ = r.strs("ExceptIfHeaderContainsWords")
		s.ExceptIfHeaderMatchesPatterns, _ = r.strs("ExceptIfHeaderMatchesPatterns")
		out.scl = s
	}

	if conn := r.str("RouteMessageOutboundConnector"); conn != "" {
		to := r.enum("SentToScope", "InOrganization", "NotInOrganization", "ExternalPartner", "ExternalNonPartner")
		switch {
		case mode != "" && mode != tenantgate.ModeEnforce:
			imp.warn(r.path, WarnRuleIgnored, "routing rule %s is in %s mode, which does not route; not imported as a routing rule", q, mode)
		case to == "ExternalPartner" || to == "ExternalNonPartner":
			imp.warn(member(r.path, "SentToScope"), WarnRuleIgnored, "routing rule %s: SentToScope %s is not modelled; not imported as a routing rule", q, to)
		default:
			t := &tenantgate.TransportRule{
				Name: name, Enabled: enabled, FromScope: from, SentToScope: tenantgate.Scope(to),
				RouteMessageOutboundConnector:       conn,
				ExceptIfHeaderContainsMessageHeader: r.str("ExceptIfHeaderContainsMessageHeader"),
			}
			t.ExceptIfHeaderContainsWords, _ = r.strs("ExceptIfHeaderContainsWords")
			imp.routeConditions(r, q)
			out.route = t
		}
	}
	if out.route == nil && out.scl == nil {
		if !r.has("RouteMessageOutboundConnector") {
			imp.warn(r.path, WarnRuleIgnored, "rule %s: the export has neither RouteMessageOutboundConnector nor SetSCL; ignored", q)
		} else {
			imp.warn(r.path, WarnRuleIgnored, "rule %s neither routes to a connector nor sets the SCL; ignored", q)
		}
	}
	imp.rules = append(imp.rules, out)
}

// routeConditions warns when a routing rule has conditions or exceptions the model does not
// hold: the imported rule then matches more mail than Exchange Online's does.
func (imp *importer) routeConditions(r *record, q string) {
	if !r.has("Conditions") {
		imp.warn(r.path, WarnRuleConditions, "routing rule %s: the export does not list the rule's Conditions; only FromScope, SentToScope and ExceptIfHeaderContains were read", q)
		return
	}
	var extra []string
	for _, set := range []struct {
		key   string
		known []string
	}{{"Conditions", routeConditions}, {"Exceptions", routeExceptions}} {
		vals, _ := r.strs(set.key)
		for _, v := range vals {
			short := v[strings.LastIndexByte(v, '.')+1:]
			if !slices.Contains(set.known, short) {
				extra = append(extra, set.key+" "+short)
			}
		}
	}
	if len(extra) > 0 {
		imp.warn(r.path, WarnRuleConditions, "routing rule %s: %s not modelled; the imported rule matches more mail than Exchange Online's", q, strings.Join(extra, ", "))
	}
}

// readArc reads ArcTrustedSealers: an array, or the one comma-separated string Set-ArcConfig
// takes and Get-ArcConfig may return.
func (imp *importer) readArc(r *record) {
	if imp.arc != nil {
		r.errf(r.path, "a second Get-ArcConfig object; the tenant has one")
		return
	}
	arc := &tenantgate.ARCConfig{}
	vals, paths := r.strs("ArcTrustedSealers")
	for i, v := range vals {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			d, err := tenantgate.ParseDomain(s)
			if err != nil {
				r.errf(paths[i], "%v", err)
				continue
			}
			arc.ARCTrustedSealers = append(arc.ARCTrustedSealers, d)
		}
	}
	imp.arc = arc
}

type mxRow struct {
	file, path string
	domain     tenantgate.Domain
	row        tenantgate.MXRecord
}

func (imp *importer) readMX(r *record) {
	m := mxRow{file: imp.fileName, path: r.path}
	if s := r.str("Domain"); s == "" {
		r.errf(member(r.path, "Domain"), "required")
	} else if d, err := tenantgate.ParseDomain(s); err != nil {
		r.errf(member(r.path, "Domain"), "%v", err)
	} else {
		m.domain = d
	}
	// PointsToService decides ORCA 233/233_1/243; a row without it says nothing.
	if pts := r.boolp("PointsToService"); pts == nil {
		r.errf(member(r.path, "PointsToService"), "required (true or false)")
	} else {
		m.row.PointsToService = *pts
	}
	m.row.RecordExists = r.bool("RecordExists")
	if h := strings.TrimSuffix(r.str("HighestPriorityMailhost"), "."); h != "" {
		d, err := tenantgate.ParseDomain(h)
		if err != nil {
			r.errf(member(r.path, "HighestPriorityMailhost"), "%v", err)
		}
		m.row.HighestPriorityMailhost = string(d)
	}
	if a := r.str("HighestPriorityMailhostIpAddress"); a != "" {
		if err := ipAddr(a); err != nil {
			r.errf(member(r.path, "HighestPriorityMailhostIpAddress"), "%v", err)
		}
		m.row.HighestPriorityMailhostIPAddress = a
	}
	imp.mx = append(imp.mx, m)
}

func quote(s string) string { return "\"" + s + "\"" }
