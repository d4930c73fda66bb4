package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/examples/internal/metrics"
)

// TestInteropPostfixMonitor runs the milter in monitor mode behind a real Postfix once: another
// tenant's mail from verified Exchange Online (threat case 1), which enforce mode refuses with
// 550 5.7.1 (TestInteropPostfix), is delivered to the relayhost with the verdict header
// x-tenantgate=fail, while the milter's log shows the would-be refusal with Postfix's queue ID
// and the metrics count it.
func TestInteropPostfixMonitor(t *testing.T) {
	swaks := interop(t, "swaks")
	interop(t, "postfix")
	dir := postfixDir(t)
	p := newPKI(t)
	caFile := p.WriteCA(t, dir)
	srvCert, srvKey := writePEM(t, dir, "server", p.Leaf(t, []string{"gw.example.net"}))
	exo, exoKey := writePEM(t, dir, "exo-both", p.Leaf(t, []string{"mail.protection.outlook.com"}, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth))
	sink, sinkPort := startSink(t)

	logs := new(lockedBuffer)
	m := metrics.New(nil)
	live := NewLive(writeConfig(t, t.TempDir(), `, "mode": "monitor"`), slog.New(slog.NewJSONHandler(logs, nil)), nil, m)
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	srv, err := live.Server()
	if err != nil {
		t.Fatal(err)
	}
	addr := serveServer(t, srv)
	_, mport, _ := strings.Cut(addr, ":")
	milterPort, _ := strconv.Atoi(mport)
	port, pflog := startPostfix(t, filepath.Join(dir, "pf"), milterPort, sinkPort, caFile, srvCert, srvKey)

	out, err := tool(t, swaks, "--server", "127.0.0.1:"+strconv.Itoa(port), "--from", "mallory@woodgrove.example",
		"--to", "victim@sender.example", "--helo", "client.example", "--timeout", "30", "--header", "Subject: tok-monitor",
		"--tls", "--tls-cert", exo, "--tls-key", exoKey,
		"--add-header", "X-MS-Exchange-CrossTenant-Id: "+woodgroveID,
		"--add-header", "X-MS-Exchange-CrossTenant-AuthAs: Internal",
		"--add-header", "X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v (monitor mode must not refuse):\n%s", err, out)
	}
	h := awaitDelivery(t, sink, "tok-monitor")
	if !strings.Contains(h, "x-tenantgate=fail") || !strings.Contains(h, "policy.origin=other-tenant") {
		t.Errorf("delivered without the other-tenant verdict:\n%s", h)
	}

	var rec map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"message would be refused (monitor mode)"`) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rec == nil {
		t.Fatalf("no would-be refusal in the milter's log:\n%s", logs)
	}
	qid, _ := rec["queueID"].(string)
	// Postfix logs "<queue ID>: ..." for the message; the milter's record names the same one.
	if qid == "" || !regexp.MustCompile(`(?m)\b`+regexp.QuoteMeta(qid)+`: `).MatchString(pflog.String()) {
		t.Errorf("queue ID %q not Postfix's:\n%s", qid, pflog)
	}
	if rec["reply"] != "550 5.7.1 Unable to relay" || rec["origin"] != "other-tenant" {
		t.Errorf("would-be refusal record: %v", rec)
	}
	body := scrape(t, m)
	for _, want := range []string{`tenantgate_would_reject_total{reply="550 5.7.1"} 1`,
		`tenantgate_transactions_total{action="monitor",kind="mailbox",origin="other-tenant"} 1`} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	t.Logf("monitor mode: delivered, milter logged %s", fmt.Sprint(rec["msg"], " queueID=", qid))
}
