package tenantgate

// ConnectorType is an Exchange Online connector's type.
type ConnectorType string

// Connector types: ConnectorPartner and ConnectorOnPremises are the PowerShell values Partner and
// OnPremises. The zero value means ConnectorPartner: Microsoft's cmdlet help states no default
// for New-InboundConnector (docs/exchange-online.md#ambiguities (8)); Partner is the type that
// grants no rights, so an unspecified type fails closed.
const (
	ConnectorPartner    ConnectorType = "Partner"
	ConnectorOnPremises ConnectorType = "OnPremises"
)

// InboundConnector mirrors New-InboundConnector / Get-InboundConnector. JSON field names are the
// PowerShell parameter names in lowerCamelCase; every zero value is the PowerShell default.
type InboundConnector struct {
	// Name labels the connector. Required, unique within the tenant.
	Name string `json:"name"`
	// ConnectorType is Partner (the zero value) or OnPremises.
	ConnectorType ConnectorType `json:"connectorType,omitempty"`
	// Enabled is nil or true for an enabled connector; false disables it (a disabled connector
	// never matches).
	Enabled *bool `json:"enabled,omitempty"`
	// SenderDomains scopes a Partner connector to MAIL FROM domains. nil means ["*"].
	SenderDomains []DomainPattern `json:"senderDomains,omitempty"`
	// SenderIPAddresses lists IPv4 addresses and CIDR ranges from /24 to /32. IPv6 is not
	// supported by Exchange Online and is refused.
	SenderIPAddresses []string `json:"senderIPAddresses,omitempty"`
	// TLSSenderCertificateName (PowerShell TlsSenderCertificateName) is the certificate name
	// expected from the sending server, "*.contoso.com" meaning contoso.com and all subdomains.
	// Empty: no certificate identification.
	TLSSenderCertificateName DomainPattern `json:"tlsSenderCertificateName,omitempty"`
	// RequireTLS (PowerShell RequireTls; Partner only) rejects mail that did not arrive over TLS.
	// Default false here: Microsoft's help calls $true the default, but its own examples pass it
	// explicitly and the claim is unverified (docs/exchange-online.md#ambiguities (9)).
	RequireTLS bool `json:"requireTls,omitempty"`
	// RestrictDomainsToCertificate (Partner only) rejects in-scope mail whose certificate does not
	// match TLSSenderCertificateName.
	RestrictDomainsToCertificate bool `json:"restrictDomainsToCertificate,omitempty"`
	// RestrictDomainsToIPAddresses (Partner only) rejects in-scope mail from outside
	// SenderIPAddresses.
	RestrictDomainsToIPAddresses bool `json:"restrictDomainsToIPAddresses,omitempty"`
	// CloudServicesMailEnabled promotes X-MS-Exchange-CrossPremises-* headers to
	// X-MS-Exchange-Organization-* (true) or removes them (false, the default).
	CloudServicesMailEnabled bool `json:"cloudServicesMailEnabled,omitempty"`
	// TreatMessagesAsInternal (OnPremises only, never with CloudServicesMailEnabled) makes mail
	// whose sender domain is accepted internal.
	TreatMessagesAsInternal bool `json:"treatMessagesAsInternal,omitempty"`
	// AssociatedAcceptedDomains limits the connector to these accepted domains of the tenant.
	AssociatedAcceptedDomains []Domain `json:"associatedAcceptedDomains,omitempty"`
	// TrustedOrganizations lists other Microsoft 365 organisations trusted as sources.
	TrustedOrganizations []string `json:"trustedOrganizations,omitempty"`
	// ConnectorSource is informational: Default, HybridWizard or Migrated.
	ConnectorSource string `json:"connectorSource,omitempty"`
	// EFSkipLastIP turns Enhanced Filtering on, skipping only the connecting IP.
	EFSkipLastIP bool `json:"efSkipLastIP,omitempty"`
	// EFSkipIPs (used when EFSkipLastIP is false) lists IPs, ranges "a-b" and CIDRs to skip; empty
	// with EFSkipLastIP false means Enhanced Filtering is off.
	EFSkipIPs []string `json:"efSkipIPs,omitempty"`
	// EFUsers restricts Enhanced Filtering to messages whose recipients are all listed. nil: all.
	EFUsers []string `json:"efUsers,omitempty"`
	// EFTestMode runs Enhanced Filtering in test mode: it is evaluated but not applied. nil means
	// not known (Microsoft365DSC does not export it); the PowerShell default is $false.
	EFTestMode *bool `json:"efTestMode,omitempty"`
	// EFSkipMailGateway lists the IP addresses of further gateways Enhanced Filtering skips.
	EFSkipMailGateway []string `json:"efSkipMailGateway,omitempty"`
}

// IsEnabled reports whether the connector is enabled (Enabled nil or true).
func (c *InboundConnector) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Type returns ConnectorType with the zero value resolved to ConnectorPartner.
func (c *InboundConnector) Type() ConnectorType { return connectorType(c.ConnectorType) }

// EnhancedFiltering reports whether Enhanced Filtering for Connectors is on.
func (c *InboundConnector) EnhancedFiltering() bool { return c.EFSkipLastIP || len(c.EFSkipIPs) > 0 }

func connectorType(t ConnectorType) ConnectorType {
	if t == "" {
		return ConnectorPartner
	}
	return t
}

// TLSSettings (PowerShell TlsSettings) is an outbound connector's TLS requirement.
type TLSSettings string

// Outbound TLS settings. The zero value is $null: opportunistic TLS.
const (
	TLSOpportunistic         TLSSettings = ""
	TLSEncryptionOnly        TLSSettings = "EncryptionOnly"
	TLSCertificateValidation TLSSettings = "CertificateValidation"
	TLSDomainValidation      TLSSettings = "DomainValidation"
)

// OutboundConnector mirrors New-OutboundConnector / Get-OutboundConnector.
type OutboundConnector struct {
	// Name labels the connector. Required, unique within the tenant.
	Name string `json:"name"`
	// ConnectorType is Partner (the zero value) or OnPremises.
	ConnectorType ConnectorType `json:"connectorType,omitempty"`
	// Enabled is nil or true for an enabled connector.
	Enabled *bool `json:"enabled,omitempty"`
	// RecipientDomains selects recipients: exact, "*.x" (x and its subdomains) or "*".
	RecipientDomains []DomainPattern `json:"recipientDomains,omitempty"`
	// SmartHosts are the next hops when UseMXRecord is false: names, IPs or CIDRs.
	SmartHosts []string `json:"smartHosts,omitempty"`
	// UseMXRecord selects DNS MX routing. nil means the PowerShell default ($true) unless
	// SmartHosts is set, in which case it means $false (PowerShell requires -UseMXRecord $false
	// with -SmartHosts; we spare the JSON author the redundancy).
	UseMXRecord *bool `json:"useMXRecord,omitempty"`
	// TLSSettings: "" (opportunistic), EncryptionOnly, CertificateValidation, DomainValidation.
	TLSSettings TLSSettings `json:"tlsSettings,omitempty"`
	// TLSDomain (PowerShell TlsDomain) is the name the next hop's certificate must carry under
	// DomainValidation.
	TLSDomain DomainPattern `json:"tlsDomain,omitempty"`
	// IsTransportRuleScoped makes the connector usable only through a mail flow rule.
	IsTransportRuleScoped bool `json:"isTransportRuleScoped,omitempty"`
	// RouteAllMessagesViaOnPremises is centralized mail transport (OnPremises only).
	RouteAllMessagesViaOnPremises bool `json:"routeAllMessagesViaOnPremises,omitempty"`
	// CloudServicesMailEnabled converts X-MS-Exchange-Organization-* headers to
	// X-MS-Exchange-CrossPremises-* on the way out.
	CloudServicesMailEnabled bool `json:"cloudServicesMailEnabled,omitempty"`
	// AllAcceptedDomains applies the connector to the tenant's accepted domains (OnPremises only).
	AllAcceptedDomains bool `json:"allAcceptedDomains,omitempty"`
	// SenderRewritingEnabled applies SRS (OnPremises only).
	SenderRewritingEnabled bool `json:"senderRewritingEnabled,omitempty"`
	// TestMode marks the connector as in test mode (informational).
	TestMode bool `json:"testMode,omitempty"`
}

// IsEnabled reports whether the connector is enabled (Enabled nil or true).
func (c *OutboundConnector) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Type returns ConnectorType with the zero value resolved to ConnectorPartner.
func (c *OutboundConnector) Type() ConnectorType { return connectorType(c.ConnectorType) }

// UsesMX reports whether the connector routes by MX (see UseMXRecord for the nil rule).
func (c *OutboundConnector) UsesMX() bool {
	if c.UseMXRecord != nil {
		return *c.UseMXRecord
	}
	return len(c.SmartHosts) == 0
}
