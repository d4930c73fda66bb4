package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// writeRangesSetup writes a milter configuration whose library configuration (testdata's, with
// exchangeOnline.networks removed) takes its networks from the endpoint list endpoints, and
// returns the configuration file's path.
func writeRangesSetup(t *testing.T, endpoints []byte, mtime time.Time, maxAge string) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open("testdata/tenantgate.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := tenantgate.LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Gateway.ExchangeOnline.Networks = nil
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("tenantgate.json", b)
	write("endpoints.json", endpoints)
	if err := os.Chtimes(filepath.Join(dir, "endpoints.json"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	age := ""
	if maxAge != "" {
		age = `"exchangeOnlineNetworksMaxAge": "` + maxAge + `",`
	}
	write("milter.json", []byte(`{"configFile": "tenantgate.json", "exchangeOnlineNetworksFile": "endpoints.json", `+age+`
	  "milter": {"listen": "127.0.0.1:0"}}`))
	return filepath.Join(dir, "milter.json")
}

// loopbackEndpoints is an endpoint list in the web service's format whose mail set (Exchange,
// TCP 25, the worldwide host names) holds the loopback network, so that the test's MTA peer
// 127.0.0.1 is in Exchange Online's networks only through the file.
var loopbackEndpoints = []byte(`[{"id":9,"serviceArea":"Exchange","urls":["*.protection.outlook.com"],"ips":["192.0.2.0/24"],"tcpPorts":"443"},
 {"id":10,"serviceArea":"Exchange","serviceAreaDisplayName":"Exchange Online","urls":["*.mail.protection.outlook.com"],
  "ips":["127.0.0.0/8"],"tcpPorts":"25","expressRoute":true,"category":"Allow","required":true}]`)

// TestRangesFileLoopback: the milter started from a configuration file with
// exchangeOnlineNetworksFile verifies Exchange Online by the file's mail set: with the loopback
// list, own-tenant mail from 127.0.0.1 relays; with Microsoft's real worldwide list (which lacks
// 127.0.0.0/8) the same peer is not Exchange Online and the foreign recipient is refused.
func TestRangesFileLoopback(t *testing.T) {
	worldwide, err := os.ReadFile("../../msendpoints/testdata/worldwide.json")
	if err != nil {
		t.Fatal(err)
	}
	tx := txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, exoHeader(contosoID, "carol@contoso.com")}
	for _, tc := range []struct {
		name      string
		endpoints []byte
		want      outcome
	}{
		{"loopback list", loopbackEndpoints, outcome{Rcpt: []string{"continue"}, EOM: "accept", Changes: []string{ownVerdict(1)}}},
		{"worldwide list", worldwide, outcome{Rcpt: []string{"550 5.7.1 Unable to relay"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := LoadFile(writeRangesSetup(t, tc.endpoints, time.Now(), ""))
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Warnings) != 0 {
				t.Errorf("warnings for a fresh file: %q", l.Warnings)
			}
			app, err := l.App(slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			got := runSession(t, startMilter(t, app), exoPeer, tx)
			if diff := cmp.Diff([]outcome{tc.want}, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRangesFileStaleAndErrors: an old file loads with a warning (maximum age from the
// configuration); a list of another cloud, or networks given twice, do not load.
func TestRangesFileStaleAndErrors(t *testing.T) {
	l, err := LoadFile(writeRangesSetup(t, loopbackEndpoints, time.Now().Add(-50*time.Hour), "48h"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "older than 48h0m0s") {
		t.Errorf("warnings = %q; want one saying the file is older than 48h", l.Warnings)
	}
	gov := []byte(`[{"id":6,"serviceArea":"Exchange","urls":["*.protection.office365.us"],"ips":["127.0.0.0/8"],"tcpPorts":"25,443"}]`)
	if _, err := LoadFile(writeRangesSetup(t, gov, time.Now(), "")); err == nil || !strings.Contains(err.Error(), "exchangeOnlineNetworksFile") {
		t.Errorf("GCC High list for a worldwide configuration: err = %v", err)
	}
	_, err = Load([]byte(`{"configFile": "testdata/tenantgate.json", "exchangeOnlineNetworksFile": "x.json", "milter": {"listen": "127.0.0.1:0"}}`), ".")
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("networks in the configuration and a file: err = %v", err)
	}
}

// TestReloadLogsStaleRanges: the warning for a stale exchangeOnlineNetworksFile is logged at a
// reload too, not only at the start (Live.use): a fresh file loads without it; after the file's
// modification time is set 50 hours back (older than the configured 48h), the next reload logs
// it, naming the file and its age.
func TestReloadLogsStaleRanges(t *testing.T) {
	path := writeRangesSetup(t, loopbackEndpoints, time.Now(), "48h")
	var logs bytes.Buffer
	live := NewLive(path, slog.New(slog.NewJSONHandler(&logs, nil)), nil, nil)
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "endpoints.json") {
		t.Errorf("a fresh file logged a warning:\n%s", &logs)
	}
	p := filepath.Join(filepath.Dir(path), "endpoints.json")
	old := time.Now().Add(-50 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	want := p + " is 50h0m0s old, older than 48h0m0s"
	found := false
	for _, line := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
		var rec struct{ Level, Msg, Warning string }
		if len(line) > 0 && json.Unmarshal(line, &rec) == nil && rec.Level == "WARN" && rec.Msg == "configuration" && strings.HasPrefix(rec.Warning, want) {
			found = true
		}
	}
	if !found {
		t.Errorf("the reload logged no warning %q:\n%s", want, &logs)
	}
}
