package tenantgate_test

import (
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/benchconfig"
)

// BenchmarkCompile compiles 100,000 tenants configured like a real multi-tenant gateway's
// (benchconfig.Config: every tenant served with a gateway identity, certificate-locked inbound
// connectors, an outbound connector and a transport rule each). The budget is under 2 s and
// 1 GiB of peak RSS for the whole process, which B/op does not show: measure it with
// /usr/bin/time -v go run ./internal/cmd/compilebench -tenants 100000 (README "Performance").
func BenchmarkCompile(b *testing.B) {
	cfg := benchconfig.Config(100000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tenantgate.Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileSendAs is BenchmarkCompile with two sendAs patterns for every tenant, the
// worst case of the send-as checks (each walks the labels of its domain through the
// accepted-domain index).
func BenchmarkCompileSendAs(b *testing.B) {
	cfg := benchconfig.Config(100000)
	for i := range cfg.Tenants {
		t := &cfg.Tenants[i]
		t.SendAs = []tenantgate.DomainPattern{tenantgate.DomainPattern("news." + t.Name + ".partner.example"), tenantgate.DomainPattern("*." + t.Name + ".example")}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tenantgate.Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
