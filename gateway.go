package tenantgate

import "net/netip"

// ForInternet is the Identity.For value of the identity used towards everything that is not a
// served tenant.
const ForInternet = "internet"

// Gateway describes the third-party gateway this library runs in: whose mail it relays, how it
// recognises Exchange Online, and which client identities it presents on each hop.
type Gateway struct {
	// Name is the gateway's host name (HELO, authserv-id default). Required as soon as any
	// gateway field is set; a configuration without a gateway describes tenants only.
	Name string `json:"name"`
	// Serves lists the tenants whose mail the gateway relays to the Internet. Empty means nobody's:
	// an empty list never means "everybody" (the EchoSpoofing root cause).
	Serves []TenantID `json:"serves,omitempty"`
	// Addresses are the gateway's own egress IPs (used by simulation and lint).
	Addresses []netip.Addr `json:"addresses,omitempty"`
	// ExchangeOnline says how the gateway recognises Exchange Online as an SMTP client.
	ExchangeOnline ExchangeOnlinePeer `json:"exchangeOnline"`
	// Identities are the client certificates the gateway can present. Compile adds an Internet
	// identity without a certificate when none is configured.
	Identities []Identity `json:"identities,omitempty"`
	// SmartHosts overrides the host the gateway delivers a served tenant's mail to. Absent, the
	// host is derived from the tenant's first Authoritative custom domain:
	// contoso.com → contoso-com.mail.protection.outlook.com, in the sovereign clouds as
	// ExchangeOnline.Cloud says (docs/routing.md#smart-hosts).
	SmartHosts map[TenantID]string `json:"smartHosts,omitempty"`
	// AuthServID is the authserv-id of the gateway's own Authentication-Results verdict header.
	// Empty: Name.
	AuthServID string `json:"authServID,omitempty"`
}

// ExchangeOnlinePeer is what makes an SMTP client "verified Exchange Online": its address in
// Networks and a verified TLS certificate carrying one of CertNames. Nil means Microsoft's
// published values for Cloud (DefaultEXOCertNamesFor, DefaultEXONetworksFor). An explicitly empty
// list ([] in JSON) means nothing matches: a stale or emptied list fails closed.
type ExchangeOnlinePeer struct {
	// Cloud is the Microsoft 365 cloud the served tenants live in (ParseCloud); empty: worldwide.
	// Compile stores the canonical name of a value given.
	Cloud     Cloud          `json:"cloud,omitempty"`
	CertNames []string       `json:"certNames,omitempty"`
	Networks  []netip.Prefix `json:"networks,omitempty"`
}

// DefaultEXOCertNames returns the certificate name Exchange Online presents when it connects to
// other servers (docs/exchange-online.md#outbound-connectors).
func DefaultEXOCertNames() []string { return []string{"mail.protection.outlook.com"} }

// DefaultEXONetworks returns the Exchange Online SMTP ranges of Microsoft's worldwide endpoint
// list, ID 10 (docs/threat-model.md#prior-art). Sovereign clouds use other ranges:
// DefaultEXONetworksFor.
func DefaultEXONetworks() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("40.92.0.0/15"),
		netip.MustParsePrefix("40.107.0.0/16"),
		netip.MustParsePrefix("52.100.0.0/14"),
		netip.MustParsePrefix("104.47.0.0/17"),
		netip.MustParsePrefix("2a01:111:f400::/48"),
		netip.MustParsePrefix("2a01:111:f403::/48"),
	}
}

// Identity is one client certificate the gateway can present, and whom it is for.
type Identity struct {
	// Name is how hops and the relay's key configuration refer to the identity. Required, unique.
	Name string `json:"name"`
	// CertNames are the DNS names the certificate carries. Empty: present no certificate.
	CertNames []string `json:"certNames,omitempty"`
	// For is a served tenant's ID (the identity is presented only to that tenant's Exchange
	// Online) or "internet" (presented to every other next hop).
	For string `json:"for"`
	// ClientAuth says whether the certificate carries the clientAuth extended key usage (or no
	// extended key usage at all). Public CAs stopped issuing it in 2026, and Exchange Online does
	// not take a certificate without it as the client's identity, so no inbound connector matches
	// it by name (docs/exchange-online.md#client-certificates-without-clientauth). nil: not known,
	// taken as present; tlsid.CheckIdentity reports the loaded certificate's.
	ClientAuth *bool `json:"clientAuth,omitempty"`
}
