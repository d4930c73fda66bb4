package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
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

// TestReloadLogsStaleRanges: the warning for a stale exchangeOnlineNetworksFile is logged at a
// reload too, not only at the start (Live.use): a fresh file loads without it; after the file's
// modification time is set 40 days back (older than the default 30 days), the next reload logs
// it, naming the file and its age.
func TestReloadLogsStaleRanges(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("../../msendpoints/testdata/worldwide.json")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "endpoints.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "relay.json")
	if err := os.WriteFile(path, []byte(`{"config": {"tenants": [{"id": "11111111-1111-1111-1111-111111111111", "name": "contoso"}],
	  "gateway": {"name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"]}},
	  "exchangeOnlineNetworksFile": "endpoints.json",
	  "relay": {"listen": "127.0.0.1:0", "dnsServer": "127.0.0.1:53"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	live := NewLive(path, slog.New(slog.NewJSONHandler(&logs, nil)), nil, nil)
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "endpoints.json") {
		t.Errorf("a fresh file logged a warning:\n%s", &logs)
	}
	old := time.Now().Add(-40 * 24 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	want := p + " is 960h0m0s old, older than 720h0m0s"
	if !staleLogged(t, logs.Bytes(), want) {
		t.Errorf("the reload logged no warning %q:\n%s", want, &logs)
	}
}

// staleLogged reports whether the JSON log holds a WARN line "configuration" whose warning
// starts with want.
func staleLogged(t *testing.T, log []byte, want string) bool {
	t.Helper()
	for _, line := range bytes.Split(bytes.TrimSpace(log), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec struct{ Level, Msg, Warning string }
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Level == "WARN" && rec.Msg == "configuration" && strings.HasPrefix(rec.Warning, want) {
			return true
		}
	}
	return false
}

// TestRangesFileLoopback: the relay loaded with exchangeOnlineNetworksFile verifies Exchange
// Online by the file's mail set. With an endpoint list whose mail set (Exchange, TCP 25, the
// worldwide host names) holds 127.0.0.0/8, own-tenant mail from the loopback client with
// Exchange Online's certificate relays; with Microsoft's real worldwide list, which lacks it, the
// same client is not Exchange Online and the foreign recipient is refused at RCPT (550 5.7.1).
func TestRangesFileLoopback(t *testing.T) {
	worldwide, err := os.ReadFile("../../msendpoints/testdata/worldwide.json")
	if err != nil {
		t.Fatal(err)
	}
	loopback := []byte(`[{"id":10,"serviceArea":"Exchange","urls":["*.mail.protection.outlook.com"],"ips":["127.0.0.0/8"],"tcpPorts":"25"}]`)
	lib, err := os.ReadFile("testdata/tenantgate.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg tenantgate.Config
	if cfg, err = tenantgate.LoadConfig(bytes.NewReader(lib)); err != nil {
		t.Fatal(err)
	}
	cfg.Gateway.ExchangeOnline.Networks = nil // from the file only
	lib, err = json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		endpoints []byte
		wantRcpt  string // "" relayed
	}{
		{"loopback list", loopback, ""},
		{"worldwide list", worldwide, "550 5.7.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lw := newLiveWorld(t)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "endpoints.json"), tc.endpoints, 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := Load([]byte(`{"config": `+string(lib)+`, "exchangeOnlineNetworksFile": "endpoints.json",
			  "relay": {"listen": "127.0.0.1:0", "dnsServer": "`+lw.dns+`"}}`), dir)
			if err != nil {
				t.Fatal(err)
			}
			ld := lw.loaded(t, ops.Section{})
			ld.Directory = l.Directory
			if err := lw.live.use(ld); err != nil {
				t.Fatal(err)
			}
			c, err := lw.exoClient()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			res, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-ranges"))
			if tc.wantRcpt == "" {
				if err != nil || res.Data != nil || len(res.Rcpt) != 1 || res.Rcpt[0] != nil {
					t.Fatalf("%v %v; want relayed", res, err)
				}
				lw.w.good.find(t, "tok-ranges")
				return
			}
			if err != nil || len(res.Rcpt) != 1 || code(res.Rcpt[0]) != tc.wantRcpt {
				t.Errorf("%v %v; want %s at RCPT", res, err, tc.wantRcpt)
			}
		})
	}
}
