package tenantgate

import (
	"net/netip"
	"strings"
	"testing"
)

const dirConfig = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ { "name": "contoso.com" },
                           { "name": "sub.contoso.net", "domainType": "InternalRelay", "matchSubDomains": true },
                           { "name": "plain.contoso.net", "domainType": "InternalRelay" } ],
      "inbound": [
        { "name": "onprem-cert", "connectorType": "OnPremises", "tlsSenderCertificateName": "mail.contoso.com" },
        { "name": "onprem-wild", "connectorType": "OnPremises", "tlsSenderCertificateName": "*.relay.contoso.com" },
        { "name": "onprem-ip", "connectorType": "OnPremises", "senderIPAddresses": ["192.0.2.10", "198.51.100.0/24"] },
        { "name": "disabled", "connectorType": "OnPremises", "enabled": false, "senderIPAddresses": ["192.0.2.0/24"],
          "tlsSenderCertificateName": "mail.contoso.com" } ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" }, { "name": "eu.sub.contoso.net" } ],
      "inbound": [
        { "name": "partner-ip", "senderIPAddresses": ["192.0.2.128/25"], "restrictDomainsToIPAddresses": true },
        { "name": "gw", "tlsSenderCertificateName": "t2.gw.provider.example" } ] }
  ],
  "gateway": { "name": "gw.example.net" } }`

func compileString(t testing.TB, s string) *Directory {
	t.Helper()
	c, err := LoadConfig(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOwner(t *testing.T) {
	d := compileString(t, dirConfig)
	tests := []struct{ domain, tenant, accepted string }{
		{"contoso.com", "contoso", "contoso.com"},
		{"contoso.onmicrosoft.com", "contoso", "contoso.onmicrosoft.com"}, // MOERA implied
		{"mail.contoso.com", "", ""},                                      // subdomain of a domain without MatchSubDomains
		{"sub.contoso.net", "contoso", "sub.contoso.net"},
		{"a.b.sub.contoso.net", "contoso", "sub.contoso.net"}, // MatchSubDomains, any depth (scenario 34)
		// An exact accepted domain of another tenant below a MatchSubDomains domain wins.
		{"eu.sub.contoso.net", "fabrikam", "eu.sub.contoso.net"},
		{"x.eu.sub.contoso.net", "contoso", "sub.contoso.net"},
		{"x.plain.contoso.net", "", ""},
		{"contoso.com.attacker.net", "", ""}, // threat case 20
		{"fabrikam.com", "fabrikam", "fabrikam.com"},
	}
	for _, tt := range tests {
		ten, ad, ok := d.Owner(MustParseDomain(tt.domain))
		switch {
		case tt.tenant == "" && ok:
			t.Errorf("Owner(%s) = %s/%s; want none", tt.domain, ten.Name, ad.Name)
		case tt.tenant != "" && (!ok || ten.Name != tt.tenant || string(ad.Name) != tt.accepted):
			t.Errorf("Owner(%s) = %v %v %v; want %s/%s", tt.domain, ten, ad, ok, tt.tenant, tt.accepted)
		}
	}
	if !d.Accepts(MustParseTenantID("11111111-1111-1111-1111-111111111111"), "contoso.com") ||
		d.Accepts(MustParseTenantID("22222222-2222-2222-2222-222222222222"), "contoso.com") {
		t.Error("Accepts disagrees with Owner")
	}
}

func names(refs []*InboundRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Tenant.Name+"/"+r.Connector.Name)
	}
	return out
}

func TestInboundLookups(t *testing.T) {
	d := compileString(t, dirConfig)
	check := func(what string, got []*InboundRef, want ...string) {
		t.Helper()
		g := names(got)
		if strings.Join(sortedCopy(g), ",") != strings.Join(sortedCopy(want), ",") {
			t.Errorf("%s = %v; want %v", what, g, want)
		}
	}
	// Disabled connectors are never returned.
	check("cert mail.contoso.com", d.InboundByCertName("mail.contoso.com"), "contoso/onprem-cert")
	check("cert relay.contoso.com", d.InboundByCertName("relay.contoso.com"), "contoso/onprem-wild")
	check("cert a.b.relay.contoso.com", d.InboundByCertName("a.b.relay.contoso.com"), "contoso/onprem-wild")
	check("cert contoso.com", d.InboundByCertName("contoso.com"))
	check("cert mail.contoso.com.evil.example", d.InboundByCertName("mail.contoso.com.evil.example"))
	// A presented "*.contoso.com" stands for one label under contoso.com
	// (docs/exchange-online.md#certificate-names, inferred).
	check("wildcard contoso.com", d.InboundByCertWildcard("contoso.com"), "contoso/onprem-cert")
	check("wildcard relay.contoso.com", d.InboundByCertWildcard("relay.contoso.com"), "contoso/onprem-wild")
	check("wildcard gw.provider.example", d.InboundByCertWildcard("gw.provider.example"), "fabrikam/gw")

	check("ip 192.0.2.10", d.InboundBySenderIP(netip.MustParseAddr("192.0.2.10")), "contoso/onprem-ip")
	check("ip 192.0.2.11", d.InboundBySenderIP(netip.MustParseAddr("192.0.2.11")))
	check("ip 192.0.2.200", d.InboundBySenderIP(netip.MustParseAddr("192.0.2.200")), "fabrikam/partner-ip")
	check("ip 198.51.100.77", d.InboundBySenderIP(netip.MustParseAddr("198.51.100.77")), "contoso/onprem-ip")
	// IPv4-mapped IPv6 is unmapped (threat case 28); native IPv6 never matches (scenario 31).
	check("ip ::ffff:192.0.2.10", d.InboundBySenderIP(netip.MustParseAddr("::ffff:192.0.2.10")), "contoso/onprem-ip")
	check("ip 2001:db8::1", d.InboundBySenderIP(netip.MustParseAddr("2001:db8::1")))

	refs := d.Inbound(MustParseTenantID("11111111-1111-1111-1111-111111111111"))
	if len(refs) != 4 || refs[3].Connector.IsEnabled() {
		t.Errorf("Inbound(contoso) = %d refs; want all 4 including the disabled one", len(refs))
	}
}

func TestIPRange(t *testing.T) {
	tests := []struct {
		in       string
		in1, out string
		bad      bool
	}{
		{in: "192.0.2.1", in1: "192.0.2.1", out: "192.0.2.2"},
		{in: "192.0.2.1-192.0.2.9", in1: "192.0.2.9", out: "192.0.2.10"},
		{in: "192.0.2.0/24", in1: "192.0.2.255", out: "192.0.3.0"},
		{in: "192.0.2.77/24", in1: "192.0.2.0", out: "192.0.1.255"},
		{in: "2001:db8::/32", in1: "2001:db8:ffff::1", out: "2001:db9::"},
		{in: "::ffff:192.0.2.1", in1: "192.0.2.1", out: "192.0.2.0"},
		{in: "192.0.2.9-192.0.2.1", bad: true},
		{in: "192.0.2.1-2001:db8::1", bad: true},
		{in: "nonsense", bad: true},
		{in: "192.0.2.0/40", bad: true},
	}
	for _, tt := range tests {
		r, err := ParseIPRange(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseIPRange(%q) = %v; want error", tt.in, r)
			}
			continue
		}
		if err != nil || !r.Contains(netip.MustParseAddr(tt.in1)) || r.Contains(netip.MustParseAddr(tt.out)) {
			t.Errorf("ParseIPRange(%q) = %v, %v; want it to contain %s and not %s", tt.in, r, err, tt.in1, tt.out)
		}
	}
	for in, want := range map[string]string{"192.0.2.7": "192.0.2.7/32", "192.0.2.7/24": "192.0.2.0/24", "192.0.2.0/23": "", "2001:db8::/64": "", "::ffff:192.0.2.7": ""} {
		p, err := ParseSenderIP(in)
		if (want == "") != (err != nil) || (err == nil && p.String() != want) {
			t.Errorf("ParseSenderIP(%q) = %v, %v; want %q", in, p, err, want)
		}
	}
}
