package route

import (
	"strings"

	"github.com/tenantgate/tenantgate"
)

// Suffixes of the host names Exchange Online receives mail on
// (docs/exchange-online.md#accepted-domains).
const (
	// EXOHostSuffix is the parent of every tenant's MX host: <domain-with-dashes>.mail.protection.outlook.com.
	EXOHostSuffix = "mail.protection.outlook.com"
	// EXODANEHostSuffix is the parent of the DNSSEC-signed MX hosts Microsoft gives domains since
	// March 2024: <domain-with-dashes>.<random>.mx.microsoft.
	EXODANEHostSuffix = "mx.microsoft"
)

// SmartHostFor returns the Exchange Online host that receives mail for dom, in the form Microsoft
// publishes as the domain's MX (docs/exchange-online.md#accepted-domains, "MX host form"):
//   - <name>.onmicrosoft.com (the MOERA domain) → <name>.mail.protection.outlook.com;
//   - <name>.mail.onmicrosoft.com (the hybrid routing domain) → <name>.mail.protection.outlook.com
//     as well (inferred: the same tenant host; Microsoft does not say);
//   - any other domain: its dots become dashes, existing dashes stay, and
//     ".mail.protection.outlook.com" is appended: contoso.com → contoso-com.mail.protection.outlook.com,
//     my-company.co.uk → my-company-co-uk.mail.protection.outlook.com.
//
// The result is "" when dom is empty or not a valid domain, or when the rule makes no valid host
// name: a first label longer than 63 octets, or an internationalised domain whose dashed
// A-labels are not valid IDNA (Microsoft's name for these is not documented; configure
// Gateway.SmartHosts).
// Microsoft may assign other names ("check your value"), and newer domains may use
// <dashes>.<random>.mx.microsoft: this is the documented default, not a DNS lookup.
func SmartHostFor(dom tenantgate.Domain) string {
	d, err := tenantgate.ParseDomain(string(dom))
	if err != nil {
		return ""
	}
	s := string(d)
	if name, ok := strings.CutSuffix(s, ".mail.onmicrosoft.com"); ok && !strings.Contains(name, ".") {
		return name + "." + EXOHostSuffix
	}
	if name, ok := strings.CutSuffix(s, ".onmicrosoft.com"); ok && !strings.Contains(name, ".") {
		return name + "." + EXOHostSuffix
	}
	h := strings.ReplaceAll(s, ".", "-") + "." + EXOHostSuffix
	if _, err := tenantgate.ParseDomain(h); err != nil {
		// A first label over 63 octets, or an IDN domain whose dashed A-label is no valid
		// IDNA label ("xn--mnchen-3ya-example"): Microsoft's name for these is not documented.
		return ""
	}
	return h
}

// TenantSmartHost returns the host a gateway delivers tenant id's mail to, and whether the
// tenant is in d. It follows the gateway's cloud (gateway.exchangeOnline.cloud,
// SmartHostForCloud):
//  1. the tenant's entry in Gateway.SmartHosts, when configured;
//  2. in GCC High and DoD, <Name>.mail.protection.office365.us: Microsoft names every accepted
//     domain's MX host after the tenant there;
//  3. else SmartHostForCloud of the tenant's first Authoritative accepted domain that is not an
//     initial domain of any cloud (its custom domain, whose MX the administrator points at Exchange Online
//     or at the gateway);
//  4. else SmartHostForCloud of the initial domain, <Name>.onmicrosoft.com worldwide
//     (tenantgate.InitialDomainParentFor).
//
// It answers for any tenant of d, served or not (Compile allows Gateway.SmartHosts entries only
// for served tenants); the host is "" when no name can be derived (see SmartHostForCloud).
func TenantSmartHost(d *tenantgate.Directory, id tenantgate.TenantID) (string, bool) {
	t, ok := d.Tenant(id)
	if !ok {
		return "", false
	}
	if h, ok := d.GatewaySmartHost(id); ok && h != "" {
		return h, true
	}
	cloud := d.Gateway().ExchangeOnline.Cloud
	switch cloud {
	case tenantgate.CloudUSGovGCCHigh, tenantgate.CloudUSGovDoD:
		return tenantSmartHostUSGov(t.Name), true
	}
	for i := range t.AcceptedDomains {
		ad := &t.AcceptedDomains[i]
		if ad.Type() == tenantgate.Authoritative && !isInitialDomain(ad.Name) {
			return SmartHostForCloud(cloud, ad.Name), true
		}
	}
	parent := tenantgate.InitialDomainParentFor(cloud)
	if parent == "" {
		return "", true
	}
	initial, err := tenantgate.ParseDomain(strings.TrimSpace(t.Name) + "." + string(parent))
	if err != nil {
		return "", true
	}
	return SmartHostForCloud(cloud, initial), true
}

// IsEXOHost reports whether host names an Exchange Online inbound host of any cloud: a name
// below mail.protection.outlook.com, mx.microsoft, mail.protection.office365.us (GCC High, DoD)
// or mail.protection.partner.outlook.cn (21Vianet), in any case, with or without the trailing
// dot. The parents themselves and anything unparsable are not.
func IsEXOHost(host string) bool {
	d, err := tenantgate.ParseDomain(host)
	if err != nil {
		return false
	}
	for _, p := range []tenantgate.Domain{EXOHostSuffix, EXODANEHostSuffix, EXOHostSuffixUSGov, EXOHostSuffixChina} {
		if d.IsSubdomainOf(p) && d != p {
			return true
		}
	}
	return false
}
