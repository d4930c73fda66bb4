package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate"
)

// TestRangesFile: exchangeOnlineNetworksFile (Microsoft's endpoint list, here the checked-in
// worldwide one) becomes the compiled gateway's Exchange Online networks — the ranges of set 10,
// which are the defaults (docs/exchange-online.md#clouds); an old file adds a warning.
func TestRangesFile(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("../../msendpoints/testdata/worldwide.json")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "endpoints.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-40 * 24 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	l, err := Load([]byte(`{"config": {"tenants": [{"id": "11111111-1111-1111-1111-111111111111", "name": "contoso"}],
	  "gateway": {"name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"], "exchangeOnline": {"cloud": "worldwide"}}},
	  "exchangeOnlineNetworksFile": "endpoints.json",
	  "relay": {"listen": ":25", "dnsServer": "x"}}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Directory.Gateway().ExchangeOnline.Networks; !slices.Equal(got, tenantgate.DefaultEXONetworks()) {
		t.Errorf("networks = %v; want set 10's", got)
	}
	// 40 days is older than the default maximum age, 30 days.
	if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "endpoints.json") {
		t.Errorf("warnings = %q; want one naming the stale file", l.Warnings)
	}
	_, err = Load([]byte(`{"config": {"tenants": [], "gateway": {"name": "gw.example.net"}},
	  "exchangeOnlineNetworksMaxAge": "24h", "relay": {"listen": ":25", "dnsServer": "x"}}`), dir)
	if err == nil || !strings.Contains(err.Error(), "exchangeOnlineNetworksMaxAge") {
		t.Errorf("max age without a file: err = %v", err)
	}
}
