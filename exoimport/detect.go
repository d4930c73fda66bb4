package exoimport

// Format is what a JSON file holds.
type Format int

// Formats Detect tells apart.
const (
	// FormatUnknown: not JSON, or JSON that is neither our configuration nor a known export.
	FormatUnknown Format = iota
	// FormatConfig: tenantgate's own configuration (README.md#configuration), an object with
	// "tenants" or "gateway". Read it with tenantgate.LoadConfig, not Import.
	FormatConfig
	// FormatCmdlet: `Get-… | ConvertTo-Json` output: one bare object, an array of objects, null,
	// or nothing.
	FormatCmdlet
	// FormatREST: an Exchange Online admin API response, {"value": […]}.
	FormatREST
	// FormatORCA: Invoke-ORCA -Output Config (keys InboundConnector, AcceptedDomains, …).
	FormatORCA
	// FormatScubaGear: ScubaGear's ProviderSettingsExport.json (keys inbound_connectors, …).
	FormatScubaGear
	// FormatM365DSC: New-M365DSCReportFromConfiguration -Type JSON (objects with ResourceName).
	FormatM365DSC
)

func (f Format) String() string {
	switch f {
	case FormatConfig:
		return "tenantgate configuration"
	case FormatCmdlet:
		return "ConvertTo-Json output"
	case FormatREST:
		return "Exchange Online admin API response"
	case FormatORCA:
		return "ORCA -Output Config"
	case FormatScubaGear:
		return "ScubaGear provider export"
	case FormatM365DSC:
		return "Microsoft365DSC JSON report"
	}
	return "unknown"
}

// Detect tells which Format data holds, so that a command can take our configuration and
// exports alike. It reads the top-level shape only and never fails: unreadable input is
// FormatUnknown.
func Detect(data []byte) Format {
	t, err := text(data)
	if err != nil || len(t) > MaxFileBytes {
		return FormatUnknown
	}
	n, err := parse(t)
	if err != nil {
		return FormatUnknown
	}
	return detect(n)
}

func detect(n *node) Format {
	if n == nil || n.kind == kNull {
		return FormatCmdlet
	}
	switch n.kind {
	case kArray:
		for _, e := range n.arr {
			if e.hasAny("ResourceName") {
				return FormatM365DSC
			}
		}
		for _, e := range n.arr {
			if e.kind != kNull && (e.kind != kObject || classify(e) == kindUnknown) {
				return FormatUnknown
			}
		}
		return FormatCmdlet
	case kObject:
		for _, k := range n.keys {
			if k == "tenants" || k == "gateway" {
				return FormatConfig
			}
		}
		if v, _, _ := n.lookup("value"); v != nil && v.kind == kArray {
			return FormatREST
		}
		for _, k := range n.keys {
			if _, ok := bundleKey(scubaKeys, k); ok {
				return FormatScubaGear
			}
		}
		for _, k := range n.keys {
			if _, ok := bundleKey(orcaKeys, k); ok {
				return FormatORCA
			}
		}
		if classify(n) != kindUnknown {
			return FormatCmdlet
		}
	}
	return FormatUnknown
}

// objKind is which cmdlet wrote an object.
type objKind int

const (
	kindUnknown objKind = iota
	kindInbound
	kindOutbound
	kindAcceptedDomain
	kindTransportRule
	kindOrgConfig
	kindArc
	kindConnFilter
	kindMX
)

var kindCmdlet = [...]string{
	kindUnknown:        "unknown",
	kindInbound:        "Get-InboundConnector",
	kindOutbound:       "Get-OutboundConnector",
	kindAcceptedDomain: "Get-AcceptedDomain",
	kindTransportRule:  "Get-TransportRule",
	kindOrgConfig:      "Get-OrganizationConfig",
	kindArc:            "Get-ArcConfig",
	kindConnFilter:     "Get-HostedConnectionFilterPolicy",
	kindMX:             "Get-MxRecordReport",
}

func (k objKind) String() string { return kindCmdlet[k] }

// classify tells which cmdlet wrote a bare object by the keys only its output has
// (docs/exchange-online.md#configuration-exports: outbound records lack every inbound field). The
// keys unique to one cmdlet come first, so that Get-OrganizationConfig's hundreds of keys cannot
// pass for a connector's.
func classify(n *node) objKind {
	switch {
	case n == nil || n.kind != kObject:
		return kindUnknown
	case n.hasAny("RejectDirectSend"):
		return kindOrgConfig
	case n.hasAny("PointsToService"):
		return kindMX
	case n.hasAny("ArcTrustedSealers"):
		return kindArc
	case n.hasAny("IPAllowList"):
		return kindConnFilter
	case n.hasAny("SenderDomains", "SenderIPAddresses", "TlsSenderCertificateName", "EFSkipLastIP", "RestrictDomainsToCertificate"):
		return kindInbound
	case n.hasAny("SmartHosts", "UseMXRecord", "RecipientDomains", "TlsSettings"):
		return kindOutbound
	case n.hasAny("DomainName") && n.hasAny("DomainType"):
		return kindAcceptedDomain
	case n.hasAny("SetSCL", "RouteMessageOutboundConnector", "Conditions") || n.hasAny("State") && n.hasAny("Priority"):
		return kindTransportRule
	}
	return kindUnknown
}

// Bundle keys: the same cmdlet objects under the wrapper keys each tool uses (ORCA, ScubaGear,
// Microsoft365DSC).
var scubaKeys = map[string]objKind{
	"inbound_connectors":  kindInbound,
	"outbound_connectors": kindOutbound,
	"accepted_domains":    kindAcceptedDomain,
	"transport_rule":      kindTransportRule,
	"org_config":          kindOrgConfig,
	"conn_filter":         kindConnFilter,
}

var orcaKeys = map[string]objKind{
	"InboundConnector":             kindInbound,
	"AcceptedDomains":              kindAcceptedDomain,
	"TransportRules":               kindTransportRule,
	"MXReports":                    kindMX,
	"ARCConfig":                    kindArc,
	"HostedConnectionFilterPolicy": kindConnFilter,
	"OrganizationConfig":           kindOrgConfig,
}

// dscResources maps Microsoft365DSC resource names (https://microsoft365dsc.com).
var dscResources = map[string]objKind{
	"EXOInboundConnector":             kindInbound,
	"EXOOutboundConnector":            kindOutbound,
	"EXOAcceptedDomain":               kindAcceptedDomain,
	"EXOTransportRule":                kindTransportRule,
	"EXOOrganizationConfig":           kindOrgConfig,
	"EXOArcConfig":                    kindArc,
	"EXOHostedConnectionFilterPolicy": kindConnFilter,
}

func bundleKey(m map[string]objKind, key string) (objKind, bool) {
	for k, v := range m {
		if fold(k) == fold(key) {
			return v, true
		}
	}
	return kindUnknown, false
}
