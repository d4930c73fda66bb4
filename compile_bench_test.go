package tenantgate

import (
	"fmt"
	"net/netip"
	"testing"
)

// BenchmarkCompile compiles 100,000 tenants with 3 accepted domains and 2 inbound connectors each
// (DESIGN §7: under 2 s and 1 GiB per operation; see B/op).
func BenchmarkCompile(b *testing.B) {
	cfg := benchConfig(100000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileSendAs is BenchmarkCompile with every tenant served and two sendAs patterns
// each, the worst case of the send-as checks (each walks the labels of its domain through the
// accepted-domain index).
func BenchmarkCompileSendAs(b *testing.B) {
	cfg := benchConfig(100000)
	for i := range cfg.Tenants {
		t := &cfg.Tenants[i]
		t.SendAs = []DomainPattern{DomainPattern("news." + t.Name + ".partner.example"), DomainPattern("*." + t.Name + ".example")}
		cfg.Gateway.Serves = append(cfg.Gateway.Serves, t.ID)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func benchConfig(n int) Config {
	cfg := Config{Gateway: Gateway{Name: "gw.example.net"}}
	cfg.Tenants = make([]Tenant, n)
	for i := range n {
		var id TenantID
		id[0], id[1], id[2], id[15] = byte(i>>16), byte(i>>8), byte(i), 1
		name := fmt.Sprintf("t%d", i)
		ip := netip.AddrFrom4([4]byte{11, byte(i >> 16), byte(i >> 8), byte(i)})
		cfg.Tenants[i] = Tenant{
			ID: id, Name: name,
			AcceptedDomains: []AcceptedDomain{
				{Name: Domain(name + ".example")},
				{Name: Domain(name + ".onmicrosoft.com")},
				{Name: Domain("mail." + name + ".example")},
			},
			Inbound: []InboundConnector{
				{Name: "onprem", ConnectorType: ConnectorOnPremises, TLSSenderCertificateName: DomainPattern("mail." + name + ".example"),
					SenderIPAddresses: []string{ip.String()}},
				{Name: "partner", TLSSenderCertificateName: DomainPattern(name + ".gw.example.net"),
					RestrictDomainsToCertificate: true, RequireTLS: true, EFSkipLastIP: true},
			},
		}
	}
	return cfg
}
