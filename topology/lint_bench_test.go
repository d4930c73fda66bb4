package topology

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// bigTopology is a gateway serving n tenants like the demo's contoso (certificate-locked
// Partner connector with Enhanced Filtering, RecipientDomains * to the gateway under
// DomainValidation), plus one Office 365 tenant it does not serve.
func bigTopology(tb testing.TB, n int) *tenantgate.Directory {
	tb.Helper()
	f := false
	cfg := tenantgate.Config{Gateway: tenantgate.Gateway{Name: "gw.example.net",
		Addresses: []netip.Addr{netip.MustParseAddr("198.51.100.25")}}}
	for i := 0; i <= n; i++ {
		var id tenantgate.TenantID
		id[12], id[13], id[14], id[15] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		id[0] = 0x40
		name := fmt.Sprintf("t%d", i)
		t := tenantgate.Tenant{ID: id, Name: name,
			AcceptedDomains: []tenantgate.AcceptedDomain{{Name: tenantgate.Domain(name + ".example")}}}
		if i < n {
			cert := name + ".gw.example.net"
			t.Inbound = []tenantgate.InboundConnector{{Name: "from-gateway", SenderDomains: []tenantgate.DomainPattern{"*"},
				TLSSenderCertificateName: tenantgate.DomainPattern(cert), RequireTLS: true, RestrictDomainsToCertificate: true, EFSkipLastIP: true}}
			t.Outbound = []tenantgate.OutboundConnector{{Name: "to-gateway", RecipientDomains: []tenantgate.DomainPattern{"*"},
				SmartHosts: []string{"gw.example.net"}, UseMXRecord: &f, TLSSettings: tenantgate.TLSDomainValidation, TLSDomain: "gw.example.net"}}
			cfg.Gateway.Serves = append(cfg.Gateway.Serves, id)
			cfg.Gateway.Identities = append(cfg.Gateway.Identities, tenantgate.Identity{Name: name, CertNames: []string{cert}, For: id.String()})
		}
		cfg.Tenants = append(cfg.Tenants, t)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestLintLargeTopology: Lint of a 1,000-tenant topology finds nothing in it, since every tenant
// is configured like the demo's contoso. Its speed is BenchmarkLint's (tenants=1000) to measure:
// a wall-clock limit here failed under -race on a loaded machine.
func TestLintLargeTopology(t *testing.T) {
	if testing.Short() {
		t.Skip("large topology")
	}
	fs := Lint(bigTopology(t, 1000), Options{})
	if ks := keys(fs); len(ks) != 0 { // flow findings; configuration checks are tested apart
		t.Errorf("findings %+v, want none", ks[:min(len(ks), 5)])
	}
}

// BenchmarkLint measures Lint of a topology of 10 and of 1,000 tenants like the demo's contoso.
// The budget is 5 s for 1,000 tenants on one core (go test -bench Lint -cpu 1).
func BenchmarkLint(b *testing.B) {
	for _, n := range []int{10, 1000} {
		d := bigTopology(b, n)
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lint(d, Options{})
			}
		})
	}
}

// BenchmarkSimulate runs every canonical flow of the demo topology once per iteration.
func BenchmarkSimulate(b *testing.B) {
	d := loadConfigFile(b, "../testdata/config/demo.json")
	flows := CanonicalFlows(d)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range flows {
			Simulate(d, f.Injection, Options{})
		}
	}
	b.ReportMetric(float64(len(flows)), "flows/op")
}
