package route

import (
	"strings"

	"github.com/tenantgate/tenantgate"
)

// Parents of the tenant MX hosts in the sovereign clouds (docs/exchange-online.md#clouds).
const (
	// EXOHostSuffixUSGov is the parent of every tenant's MX host in Microsoft 365 GCC High and
	// DoD: <tenant>.mail.protection.office365.us.
	EXOHostSuffixUSGov = "mail.protection.office365.us"
	// EXOHostSuffixChina is the parent of every domain's MX host in Microsoft 365 operated by
	// 21Vianet: <domain-key>.mail.protection.partner.outlook.cn.
	EXOHostSuffixChina = "mail.protection.partner.outlook.cn"
)

// SmartHostForCloud returns the Exchange Online host that receives mail for dom in cloud c, in
// the form Microsoft publishes as the domain's MX there, or "" where that form does not follow
// from the domain:
//   - worldwide: SmartHostFor;
//   - GCC High and DoD: Microsoft names the MX host after the tenant, not the domain — "the MX
//     record value for your accepted domains follows a standard format:
//     tenant.mail.protection.office365.us, replacing tenant with the first part of your default
//     tenant name" (the DNS records pages cited at tenantgate.InitialDomainParentFor). So only the initial
//     domain <name>.onmicrosoft.us gives one, <name>.mail.protection.office365.us; for any other
//     domain use TenantSmartHost, which knows the tenant's name;
//   - 21Vianet: Microsoft publishes <domain-key>.mail.protection.partner.outlook.cn, the form of
//     the worldwide <domain-key>.mail.protection.outlook.com with the key from the admin center
//     (Microsoft's 21Vianet DNS-host instructions, "Points to address"); the key is derived as
//     worldwide (dots become dashes: contoso.com → contoso-com.mail.protection.partner.outlook.cn,
//     inferred as for worldwide). Microsoft documents no form for the initial domain
//     <name>.partner.onmschina.cn, so none is guessed for it ("").
//
// Like SmartHostFor it is the documented default, not a DNS lookup; an unknown cloud gives "".
func SmartHostForCloud(c tenantgate.Cloud, dom tenantgate.Domain) string {
	switch c {
	case "", tenantgate.CloudWorldwide:
		return SmartHostFor(dom)
	case tenantgate.CloudUSGovGCCHigh, tenantgate.CloudUSGovDoD:
		d, err := tenantgate.ParseDomain(string(dom))
		if err != nil {
			return ""
		}
		if name, ok := strings.CutSuffix(string(d), "."+string(tenantgate.InitialDomainParentFor(c))); ok && !strings.Contains(name, ".") {
			return validHost(name + "." + EXOHostSuffixUSGov)
		}
		return ""
	case tenantgate.CloudChina:
		d, err := tenantgate.ParseDomain(string(dom))
		if err != nil || d.IsSubdomainOf(tenantgate.InitialDomainParentFor(c)) {
			return ""
		}
		return validHost(strings.ReplaceAll(string(d), ".", "-") + "." + EXOHostSuffixChina)
	}
	return ""
}

// tenantSmartHostUSGov is the MX host of every accepted domain of the tenant named name in GCC
// High and DoD: <name>.mail.protection.office365.us (SmartHostForCloud).
func tenantSmartHostUSGov(name string) string {
	return validHost(strings.ToLower(strings.TrimSpace(name)) + "." + EXOHostSuffixUSGov)
}

// validHost returns h when it is a valid, normalised host name, else "" (a label over 63
// octets, an invalid IDNA label).
func validHost(h string) string {
	d, err := tenantgate.ParseDomain(h)
	if err != nil || string(d) != h {
		return ""
	}
	return h
}

// isInitialDomain reports whether dom is at or below the initial-domain parent of any cloud
// (tenantgate.InitialDomainParentFor): no organisation owns those as a custom domain.
func isInitialDomain(dom tenantgate.Domain) bool {
	for _, c := range tenantgate.Clouds() {
		if dom.IsSubdomainOf(tenantgate.InitialDomainParentFor(c)) {
			return true
		}
	}
	return false
}
