package tenantgate

import (
	"fmt"
	"net/netip"
	"strings"
)

// Cloud names the Microsoft 365 cloud the served tenants live in. Exchange Online connects from
// other ranges and with other certificate names in each (docs/exchange-online.md#clouds). The
// names are the instance names of Microsoft's IP address and URL web service
// (https://learn.microsoft.com/microsoft-365/enterprise/microsoft-365-ip-web-service), lower-cased.
type Cloud string

// The clouds Compile knows. The empty Cloud is CloudWorldwide.
const (
	// CloudWorldwide is Microsoft 365 worldwide, including GCC.
	CloudWorldwide Cloud = "worldwide"
	// CloudUSGovGCCHigh is Microsoft 365 U.S. Government GCC High.
	CloudUSGovGCCHigh Cloud = "usgovgcchigh"
	// CloudUSGovDoD is Microsoft 365 U.S. Government DoD.
	CloudUSGovDoD Cloud = "usgovdod"
	// CloudChina is Microsoft 365 operated by 21Vianet.
	CloudChina Cloud = "china"
)

// Clouds returns the clouds Compile knows, worldwide first.
func Clouds() []Cloud {
	return []Cloud{CloudWorldwide, CloudUSGovGCCHigh, CloudUSGovDoD, CloudChina}
}

// ParseCloud returns the cloud s names, compared case-insensitively ("USGovGCCHigh", as the web
// service spells it, is usgovgcchigh). The empty string is CloudWorldwide.
func ParseCloud(s string) (Cloud, error) {
	if s == "" {
		return CloudWorldwide, nil
	}
	c := Cloud(strings.ToLower(s))
	for _, k := range Clouds() {
		if c == k {
			return c, nil
		}
	}
	names := make([]string, 0, 4)
	for _, k := range Clouds() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("unknown cloud %q: want one of %s", clip(s), strings.Join(names, ", "))
}

// DefaultEXOCertNamesFor returns the certificate name Exchange Online presents in cloud c when it
// connects to other servers: the parent of the cloud's tenant MX hosts, as
// mail.protection.outlook.com is worldwide (docs/exchange-online.md#clouds). An unknown cloud has
// none, so nothing matches.
func DefaultEXOCertNamesFor(c Cloud) []string {
	switch c {
	case "", CloudWorldwide:
		return DefaultEXOCertNames()
	case CloudUSGovGCCHigh, CloudUSGovDoD:
		return []string{"mail.protection.office365.us"}
	case CloudChina:
		return []string{"mail.protection.partner.outlook.cn"}
	}
	return []string{}
}

// DefaultEXONetworksFor returns the ranges of the endpoint set Exchange Online sends mail from
// (TCP port 25) in cloud c, as Microsoft's endpoint lists publish them: worldwide ID 10
// (DefaultEXONetworks), GCC High ID 6 (version 2023073100), DoD ID 6 (version 2023073100),
// 21Vianet ID 2 (version 2023062900) (docs/exchange-online.md#clouds). The lists change: load a
// current one with the msendpoints package. An unknown cloud has none, so nothing matches.
func DefaultEXONetworksFor(c Cloud) []netip.Prefix {
	var s []string
	switch c {
	case "", CloudWorldwide:
		return DefaultEXONetworks()
	case CloudUSGovGCCHigh:
		s = []string{"23.103.191.0/24", "23.103.199.128/25", "23.103.208.0/22", "52.227.182.149/32",
			"52.238.74.212/32", "52.244.65.13/32", "2001:489a:2202:4::/62", "2001:489a:2202:c::/62",
			"2001:489a:2202:2000::/63"}
	case CloudUSGovDoD:
		s = []string{"23.103.191.0/24", "23.103.199.0/25", "23.103.204.0/22", "2001:489a:2202::/62",
			"2001:489a:2202:8::/62", "2001:489a:2202:2000::/63"}
	case CloudChina:
		s = []string{"42.159.33.192/27", "42.159.36.0/24", "42.159.161.192/27", "42.159.164.0/24",
			"139.219.16.0/27", "139.219.17.0/24", "139.219.24.0/22", "139.219.145.0/27",
			"139.219.146.0/24", "139.219.156.0/22", "2406:e500:4420::/43", "2406:e500:4440::/43",
			"2406:e500:c020::/44", "2406:e500:c120::/44"}
	}
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// InitialDomainParentFor returns the parent of the tenants' initial domains in cloud c — the
// domain Microsoft 365 creates at sign-up, <name>.<parent>, which Compile implies as an accepted
// domain of every tenant — and "" for a cloud it does not know:
//   - worldwide: onmicrosoft.com;
//   - GCC High and DoD: onmicrosoft.us ("if your tenant name is contoso.onmicrosoft.us",
//     https://learn.microsoft.com/microsoft-365/enterprise/dns-records-for-office-365-gcc-high,
//     https://learn.microsoft.com/microsoft-365/enterprise/dns-records-for-office-365-dod);
//   - 21Vianet: partner.onmschina.cn ("your initial .partner.onmschina.cn domain",
//     https://learn.microsoft.com/microsoft-365/admin/setup/domains-faq?view=o365-21vianet).
func InitialDomainParentFor(c Cloud) Domain {
	switch c {
	case "", CloudWorldwide:
		return "onmicrosoft.com"
	case CloudUSGovGCCHigh, CloudUSGovDoD:
		return "onmicrosoft.us"
	case CloudChina:
		return "partner.onmschina.cn"
	}
	return ""
}
