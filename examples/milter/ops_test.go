package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/d--j/go-milter"
	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
)

// writeConfig writes a milter configuration file over testdata/tenantgate.json with the given
// "milter" section members (JSON, without braces) and returns its path.
func writeConfig(t testing.TB, dir, section string) string {
	t.Helper()
	abs, err := filepath.Abs("testdata/tenantgate.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"configFile": %q, "milter": {"listen": "127.0.0.1:0"%s}}`, abs, section)
	p := filepath.Join(dir, "milter.json")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// loadApp loads a configuration with the given "milter" members into a Live with metrics and a
// log in buf, and returns them.
func loadApp(t testing.TB, section string) (*Live, *metrics.Metrics, *lockedBuffer) {
	t.Helper()
	buf := new(lockedBuffer)
	m := metrics.New(nil)
	live := NewLive(writeConfig(t, t.TempDir(), section), slog.New(slog.NewJSONHandler(buf, nil)), nil, m)
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	return live, m, buf
}

// startLive serves live on 127.0.0.1:0 and returns a client offering what Postfix offers.
func startLive(t testing.TB, live *Live) *milter.Client {
	t.Helper()
	return startMilter(t, live.Current())
}

// other is the threat-case-1 transaction: another tenant's mail through Exchange Online.
var other = txn{"mallory@woodgrove.example", []string{"victim@sender.example"}, exoHeader(woodgroveID, "ceo@contoso.com")}

// TestMonitorMode: in monitor mode the milter refuses nothing the policy refuses for trust:
// a foreign recipient from a peer that is not Exchange Online is taken at RCPT, another tenant's
// mail is accepted at end of message with the verdict header (x-tenantgate=fail, the verdict
// the policy gave) added; both are logged and counted as would-be refusals. A loop is still
// refused (ops.Mode.Waives: delivered, it would loop again).
func TestMonitorMode(t *testing.T) {
	live, m, logs := loadApp(t, `, "mode": "monitor"`)
	c := startLive(t, live)
	got := runSession(t, c, plainPeer, txn{"carol@contoso.com", []string{"victim@sender.example"}, [][2]string{{"From", "carol@contoso.com"}}})
	if got[0].Rcpt[0] != "continue" || got[0].EOM != "accept" {
		t.Errorf("plaintext peer, foreign recipient: %+v; want taken and accepted", got)
	}
	got = runSession(t, c, exoPeer, other)
	want := []outcome{{Rcpt: []string{"continue"}, EOM: "accept", Changes: []string{
		"insert @0 Authentication-Results: gw.example.net; x-tenantgate=fail policy.hop=1 policy.kind=mailbox policy.origin=other-tenant policy.tenant=" + woodgroveID}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("other tenant (-want +got):\n%s", diff)
	}
	loop := append([][2]string{{"Authentication-Results", "gw.example.net; x-tenantgate=pass policy.hop=5"}}, exoHeader(contosoID, "carol@contoso.com")...)
	got = runSession(t, c, exoPeer, txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, loop})
	if got[0].EOM != "554 5.4.6 Routing loop detected" {
		t.Errorf("loop in monitor mode: %+v; want refused", got)
	}
	body := scrape(t, m)
	for _, want := range []string{
		`tenantgate_would_reject_total{reply="550 5.7.1"} 2`, // at RCPT and at end of message
		`tenantgate_rejections_total{reply="554 5.4.6"} 1`,
		`tenantgate_transactions_total{action="monitor",kind="mailbox",origin="other-tenant"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, want := range []string{`"msg":"rcpt would be refused (monitor mode)"`, `"msg":"message would be refused (monitor mode)"`, `"reply":"550 5.7.1 Unable to relay"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// TestReplyTexts: a configured text replaces the policy's at RCPT and at end of message; the
// code and the enhanced code stay.
func TestReplyTexts(t *testing.T) {
	live, _, _ := loadApp(t, `, "replyTexts": {"relayDenied": "Security policy violation"}`)
	c := startLive(t, live)
	got := runSession(t, c, plainPeer, txn{"carol@contoso.com", []string{"victim@sender.example"}, nil})
	if got[0].Rcpt[0] != "550 5.7.1 Security policy violation" {
		t.Errorf("RCPT: %q", got[0].Rcpt[0])
	}
	got = runSession(t, c, exoPeer, other)
	if got[0].EOM != "550 5.7.1 Security policy violation" {
		t.Errorf("end of message: %q", got[0].EOM)
	}
}

// TestPerTenantDKIM: DKIM required for contoso only (policy.tenants): contoso's mail without a
// signature is refused, fabrikam's relays; the milter verifies DKIM because a tenant needs it.
func TestPerTenantDKIM(t *testing.T) {
	live, _, _ := loadApp(t, `, "policy": {"tenants": [{"tenant": "`+contosoID+`", "dkimRequired": true}]}`)
	if live.Current().dkim == nil {
		t.Fatal("no DKIM verifier although contoso requires DKIM")
	}
	c := startLive(t, live)
	got := runSession(t, c, exoPeer,
		txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, exoHeader(contosoID, "carol@contoso.com")},
		txn{"frank@fabrikam.com", []string{"erin@woodgrove.example"}, exoHeader("22222222-2222-2222-2222-222222222222", "frank@fabrikam.com")})
	if got[0].EOM != "550 5.7.1 Unable to relay" {
		t.Errorf("contoso without DKIM: %q; want refused", got[0].EOM)
	}
	if got[1].EOM != "accept" {
		t.Errorf("fabrikam without DKIM: %q; want accepted", got[1].EOM)
	}
}

// TestQueueIDLogged: every refusal's log record carries the MTA's queue ID (macro i), the
// client, its certificate and why it is not Exchange Online.
func TestQueueIDLogged(t *testing.T) {
	live, _, logs := loadApp(t, ``)
	c := startLive(t, live)
	macros := milter.NewMacroBag()
	s, err := c.Session(macros)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Conn("client.example", milter.FamilyInet, 25, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Helo("client.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mail("<carol@contoso.com>", ""); err != nil {
		t.Fatal(err)
	}
	macros.Set(milter.MacroQueueId, "4XyZ1q2W3eR")
	a, err := s.Rcpt("<victim@sender.example>", "")
	if err != nil || !a.StopProcessing() {
		t.Fatalf("rcpt: %v %v", a, err)
	}
	var rec map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, `"rcpt refused"`) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rec == nil {
		t.Fatalf("no rcpt refused record:\n%s", logs)
	}
	if rec["queueID"] != "4XyZ1q2W3eR" || rec["client"] != "192.0.2.7" || rec["certVerified"] != false {
		t.Errorf("record %v", rec)
	}
	// 192.0.2.7 lies outside the configured networks and showed no certificate: both factors
	// fail (classify's peer reasons).
	if p := fmt.Sprint(rec["peer"]); !strings.Contains(p, "peer.exo.not-in-networks") {
		t.Errorf("peer reasons %s lack peer.exo.not-in-networks", p)
	}
}

// TestMilterMetrics: the counters move with the decisions and the session gauge with the
// connections.
func TestMilterMetrics(t *testing.T) {
	live, m, _ := loadApp(t, ``)
	c := startLive(t, live)
	runSession(t, c, exoPeer, txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, exoHeader(contosoID, "carol@contoso.com")}, other)
	body := scrape(t, m)
	for _, want := range []string{
		`tenantgate_transactions_total{action="accept",kind="mailbox",origin="own-tenant"} 1`,
		`tenantgate_transactions_total{action="reject",kind="mailbox",origin="other-tenant"} 1`,
		`tenantgate_rejections_total{reply="550 5.7.1"} 1`,
		`tenantgate_reasons_total{code="tenant.served"} 1`,
		`tenantgate_decision_seconds_count 2`,
		`tenantgate_bytes_in_flight 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// scrape returns what GET /metrics serves for m.
func scrape(t testing.TB, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.Handler(m, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	return rec.Body.String()
}
