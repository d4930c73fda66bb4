package tenantgate

// Tenant is one Microsoft 365 organisation as Exchange Online sees it: its accepted domains, its
// inbound and outbound connectors, its routing rules and its organisation settings.
type Tenant struct {
	// ID is the tenant GUID (X-MS-Exchange-CrossTenant-Id). Required.
	ID TenantID `json:"id"`
	// Name is the initial domain's first label: "contoso" of contoso.onmicrosoft.com. Required.
	Name string `json:"name"`
	// AcceptedDomains mirror Get-AcceptedDomain. The initial (MOERA) domain every tenant has,
	// <Name>.onmicrosoft.com — in the sovereign clouds <Name>.onmicrosoft.us or
	// <Name>.partner.onmschina.cn, as Gateway.ExchangeOnline.Cloud says (InitialDomainParentFor) —
	// is implied by Compile when absent.
	AcceptedDomains []AcceptedDomain `json:"acceptedDomains,omitempty"`
	// Inbound mirrors Get-InboundConnector, in the tenant's order.
	Inbound []InboundConnector `json:"inbound,omitempty"`
	// Outbound mirrors Get-OutboundConnector, in the tenant's order.
	Outbound []OutboundConnector `json:"outbound,omitempty"`
	// Rules holds the mail flow rules that route (New-TransportRule -RouteMessageOutboundConnector),
	// in priority order (the first is priority 0).
	Rules []TransportRule `json:"rules,omitempty"`
	// RejectDirectSend mirrors Set-OrganizationConfig -RejectDirectSend (default $false).
	RejectDirectSend bool `json:"rejectDirectSend,omitempty"`
	// DKIMSigningDomains are the domains whose DKIM signatures (d=) Exchange Online makes for this
	// tenant (Get-DkimSigningConfig with Enabled $true). A gateway may accept a DKIM pass for one of
	// them as tenant evidence; a pass for any other domain proves nothing about this tenant.
	DKIMSigningDomains []Domain `json:"dkimSigningDomains,omitempty"`
	// SCLRules holds the mail flow rules that set the spam confidence level (New-TransportRule
	// -SetSCL), in priority order. They live apart from Rules because they do not route: see
	// SCLRule.
	SCLRules []SCLRule `json:"sclRules,omitempty"`
	// ARCConfig mirrors Get-ArcConfig. nil means not known (not exported), which is not the same
	// as a configuration with no trusted sealers.
	ARCConfig *ARCConfig `json:"arcConfig,omitempty"`
	// ConnectionFilterPolicies mirror Get-HostedConnectionFilterPolicy (Exchange Online has one,
	// "Default"). nil means not known (not exported).
	ConnectionFilterPolicies []ConnectionFilterPolicy `json:"connectionFilterPolicies,omitempty"`
	// SendAs names the third-party domains the tenant may send as through the gateway besides its
	// own accepted domains ("partner.example", "*.partner.example" for the domain and every
	// subdomain). It is a gateway setting with no Exchange Online counterpart: Exchange Online lets
	// a mailbox put any domain in MAIL FROM and From, and the gateway relays an own-tenant message
	// only when those domains are the tenant's (Directory.SenderDomain). Compile refuses "*", a
	// public suffix, another tenant's initial domain of any cloud (<name>.onmicrosoft.com, …), and
	// any domain at or below an accepted domain of another served tenant; a wildcard that covers
	// one still never matches it.
	SendAs []DomainPattern `json:"sendAs,omitempty"`
	// OnPremises describes the tenant's on-premises (hybrid) organisation: which recipients have
	// their mailbox there, and how its servers connect to Exchange Online. nil: no on-premises
	// organisation is known, and every recipient of an Authoritative accepted domain is a cloud
	// mailbox.
	OnPremises *OnPremisesOrganization `json:"onPremises,omitempty"`
}

// DomainType is an accepted domain's type. Exchange Online knows only Authoritative and
// InternalRelay ("ExternalRelay" exists only on-premises and is refused by Compile).
type DomainType string

// Accepted domain types. The zero value means Authoritative, the PowerShell default.
const (
	Authoritative DomainType = "Authoritative"
	InternalRelay DomainType = "InternalRelay"
)

// AcceptedDomain mirrors one Get-AcceptedDomain entry.
type AcceptedDomain struct {
	// Name is the domain (DomainName). Required.
	Name Domain `json:"name"`
	// DomainType is Authoritative (default) or InternalRelay.
	DomainType DomainType `json:"domainType,omitempty"`
	// MatchSubDomains makes every subdomain of Name accepted too. Exchange Online allows it only on
	// InternalRelay domains; Compile refuses it elsewhere.
	MatchSubDomains bool `json:"matchSubDomains,omitempty"`
	// MXReport holds the rows Get-MxRecordReport -Domain <Name> returned. nil or empty means no
	// report, so whether the MX points to Exchange Online is not known.
	MXReport []MXRecord `json:"mxReport,omitempty"`
}

// Type returns DomainType with the zero value resolved to Authoritative.
func (a *AcceptedDomain) Type() DomainType {
	if a.DomainType == "" {
		return Authoritative
	}
	return a.DomainType
}
