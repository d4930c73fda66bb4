package classify

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// benchDirectory builds n tenants, each with 3 accepted domains, an OnPremises connector (its own
// certificate name and /32) and a Partner connector locked to its own certificate
// (README.md#performance).
func benchDirectory(b *testing.B, n int) *tenantgate.Directory {
	b.Helper()
	cfg := tenantgate.Config{Gateway: tenantgate.Gateway{Name: "gw.example.net"}}
	cfg.Tenants = make([]tenantgate.Tenant, n)
	for i := range n {
		var id tenantgate.TenantID
		id[0], id[1], id[2], id[15] = byte(i>>16), byte(i>>8), byte(i), 1
		name := fmt.Sprintf("t%d", i)
		cfg.Tenants[i] = tenantgate.Tenant{
			ID: id, Name: name,
			AcceptedDomains: []tenantgate.AcceptedDomain{
				{Name: tenantgate.Domain(name + ".example")},
				{Name: tenantgate.Domain(name + ".onmicrosoft.com")},
				{Name: tenantgate.Domain("mail." + name + ".example")},
			},
			Inbound: []tenantgate.InboundConnector{
				{Name: "onprem", ConnectorType: tenantgate.ConnectorOnPremises,
					TLSSenderCertificateName: tenantgate.DomainPattern("mail." + name + ".example"),
					SenderIPAddresses:        []string{benchIP(i).String()}},
				{Name: "partner", TLSSenderCertificateName: tenantgate.DomainPattern(name + ".gw.example.net"),
					RestrictDomainsToCertificate: true, RequireTLS: true, EFSkipLastIP: true},
			},
		}
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

func benchIP(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{11, byte(i >> 16), byte(i >> 8), byte(i)})
}

// BenchmarkAttribute: the budget is /tenants=100000 ≤ 1.5 × /tenants=10 (README.md#performance).
// Each iteration attributes an on-premises relay by certificate, a relay by IP and a gateway
// delivery through a Partner connector, all for the middle tenant.
func BenchmarkAttribute(b *testing.B) {
	for _, n := range []int{10, 100000} {
		d := benchDirectory(b, n)
		k := n / 2
		name := fmt.Sprintf("t%d", k)
		conns := []Connection{
			{RemoteAddr: netip.MustParseAddr("203.0.113.7"), MailFrom: "a@" + name + ".example", RcptTo: []string{"x@gmail.com"},
				TLS: tlsid.Evidence{TLS: true, Verified: true, Names: []string{"mail." + name + ".example"}}},
			{RemoteAddr: benchIP(k), MailFrom: "a@" + name + ".example", RcptTo: []string{"x@gmail.com", "u@" + name + ".example"}},
			{RemoteAddr: netip.MustParseAddr("198.51.100.25"), MailFrom: "s@sender.example", RcptTo: []string{"u@" + name + ".example"},
				TLS: tlsid.Evidence{TLS: true, Verified: true, Names: []string{name + ".gw.example.net"}}},
		}
		for _, c := range conns {
			if a := Attribute(d, c, AttributeOptions{}); !a.Accepted() {
				b.Fatalf("tenants=%d: %+v not accepted: %v", n, c, a.Reasons)
			}
		}
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, c := range conns {
					Attribute(d, c, AttributeOptions{})
				}
			}
		})
	}
}
