package msranges

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate"
)

const sample = "../../../msendpoints/testdata/worldwide.json"

// copySample writes the checked-in worldwide list to a temporary file with modification time mt.
func copySample(t *testing.T, mt time.Time) string {
	t.Helper()
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "worldwide.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestApplyFreshAndStale: the list's set 10 becomes the networks; a file older than the maximum
// age (default 30 days, Microsoft's notice period) loads with a warning, a younger one without.
func TestApplyFreshAndStale(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		age    time.Duration
		maxAge time.Duration
		stale  bool
	}{
		{29 * 24 * time.Hour, 0, false},
		{31 * 24 * time.Hour, 0, true},
		{2 * time.Hour, time.Hour, true},
	} {
		p := copySample(t, now.Add(-tc.age))
		var cfg tenantgate.Config
		warn, err := Apply(&cfg, p, tc.maxAge, now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cfg.Gateway.ExchangeOnline.Networks, tenantgate.DefaultEXONetworks()) {
			t.Errorf("networks = %v", cfg.Gateway.ExchangeOnline.Networks)
		}
		if got := len(warn) == 1 && strings.Contains(warn[0], "download a current list"); got != tc.stale {
			t.Errorf("age %s, max %s: warnings %q; stale = %v", tc.age, tc.maxAge, warn, tc.stale)
		}
	}
}

// TestApplyErrors: a configuration with its own networks, a list of another cloud, and a file
// that is no list are refused; the configuration is left alone.
func TestApplyErrors(t *testing.T) {
	now := time.Now()
	p := copySample(t, now)
	own := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	cfg := tenantgate.Config{Gateway: tenantgate.Gateway{ExchangeOnline: tenantgate.ExchangeOnlinePeer{Networks: own}}}
	if _, err := Apply(&cfg, p, 0, now); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("networks and file: err = %v", err)
	}
	cfg = tenantgate.Config{Gateway: tenantgate.Gateway{ExchangeOnline: tenantgate.ExchangeOnlinePeer{Cloud: tenantgate.CloudUSGovGCCHigh}}}
	if _, err := Apply(&cfg, p, 0, now); err == nil || !strings.Contains(err.Error(), "usgovgcchigh") {
		t.Errorf("worldwide list for GCC High: err = %v", err)
	}
	if cfg.Gateway.ExchangeOnline.Networks != nil {
		t.Error("a refused list changed the configuration")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"error":"429"}`), 0o600)
	if _, err := Apply(&tenantgate.Config{}, bad, 0, now); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("error object: err = %v; want one naming the file", err)
	}
}
