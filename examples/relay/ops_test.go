package main

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// lockedLog is a log buffer safe for the sessions' goroutines.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// withOps gives w's relay the operational options and a JSON log, before any client connects.
func withOps(w *world, o relayOps) *lockedLog {
	logs := new(lockedLog)
	w.r.op = o
	w.r.log = slog.New(slog.NewJSONHandler(logs, nil))
	return logs
}

// scrape returns what GET /metrics serves for m.
func scrape(t testing.TB, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.Handler(m, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func hasMetrics(t testing.TB, m *metrics.Metrics, want ...string) {
	t.Helper()
	body := scrape(t, m)
	for _, w := range want {
		if !strings.Contains(body, w+"\n") {
			t.Errorf("metrics lack %s", w)
		}
	}
}

// TestRelayMonitorMode: in monitor mode another tenant's mail from verified Exchange Online is
// relayed with the verdict header x-tenantgate=fail, logged and counted as a would-be refusal.
// A foreign recipient from a peer that is not Exchange Online is still refused at RCPT: waiving
// that would make the relay an open relay (relayOps.waive).
func TestRelayMonitorMode(t *testing.T) {
	w := newWorld(t, nil)
	m := metrics.New(nil)
	logs := withOps(w, relayOps{mode: ops.Monitor, metrics: m})
	c := w.dial(t, w.clientTLS(w.exo))
	res, err := send(c, "mallory@woodgrove.example", []string{"victim@sender.example"}, exoMessage(woodgroveID, "ceo@contoso.com", "victim@sender.example", "tok-monitor"))
	if err != nil || res.Data != nil {
		t.Fatalf("other tenant in monitor mode: %v %v; want relayed", res, err)
	}
	got := w.good.find(t, "tok-monitor")
	if !bytes.Contains(got.Data, []byte("x-tenantgate=fail")) || !bytes.Contains(got.Data, []byte("policy.origin=other-tenant")) {
		t.Errorf("relayed message lacks the verdict:\n%s", got.Data)
	}
	plain := w.dial(t, nil)
	res, err = send(plain, "carol@contoso.com", []string{"victim@sender.example"}, exoMessage(contosoID, "carol@contoso.com", "victim@sender.example", "tok-open"))
	if err != nil || code(res.Rcpt[0]) != "550 5.7.1" {
		t.Errorf("plaintext peer, foreign recipient in monitor mode: %v %v; want 550 5.7.1 at RCPT", res, err)
	}
	if !strings.Contains(logs.String(), `"msg":"message would be refused (monitor mode)"`) {
		t.Errorf("log lacks the would-be refusal:\n%s", logs)
	}
	hasMetrics(t, m,
		`tenantgate_would_reject_total{reply="550 5.7.1"} 1`,
		`tenantgate_rejections_total{reply="550 5.7.1"} 1`,
		`tenantgate_transactions_total{action="monitor",kind="mailbox",origin="other-tenant"} 1`,
		`tenantgate_nexthop_results_total{result="accepted"} 1`)
}

// TestRelayReplyTexts: the configured text with the policy's code and enhanced code, at RCPT
// and after the header.
func TestRelayReplyTexts(t *testing.T) {
	w := newWorld(t, nil)
	withOps(w, relayOps{texts: ops.ReplyTexts{RelayDenied: "Relaying denied by policy"}})
	check := func(err error) {
		t.Helper()
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 1}) || se.Message != "Relaying denied by policy" {
			t.Errorf("reply %v; want 550 5.7.1 Relaying denied by policy", err)
		}
	}
	res, err := send(w.dial(t, nil), "carol@contoso.com", []string{"victim@sender.example"}, "")
	if err != nil {
		t.Fatal(err)
	}
	check(res.Rcpt[0])
	res, err = send(w.dial(t, w.clientTLS(w.exo)), "mallory@woodgrove.example", []string{"victim@sender.example"}, exoMessage(woodgroveID, "ceo@contoso.com", "victim@sender.example", "tok-text"))
	if err != nil {
		t.Fatal(err)
	}
	check(res.Data)
}

// TestRelayRefusalLog: a refusal's record carries the client, its certificate and why it is
// not Exchange Online (here: plaintext, so no TLS and no certificate).
func TestRelayRefusalLog(t *testing.T) {
	w := newWorld(t, nil)
	logs := withOps(w, relayOps{})
	if _, err := send(w.dial(t, nil), "carol@contoso.com", []string{"victim@sender.example"}, ""); err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"msg":"rcpt refused"`) {
			line = l
		}
	}
	for _, want := range []string{`"client":"127.0.0.1"`, `"certVerified":false`, `"exo":false`, `"peer":["peer.tls.none"`} {
		if !strings.Contains(line, want) {
			t.Errorf("rcpt refused record lacks %s: %s\n%s", want, line, logs)
		}
	}
}

// TestRelayMetrics: the counters move with the decisions and the next hop's answers; sessions
// and bytes in flight return to zero.
func TestRelayMetrics(t *testing.T) {
	w := newWorld(t, nil)
	m := metrics.New(func() float64 { return w.r.bytesInFlight() })
	withOps(w, relayOps{metrics: m})
	c := w.dial(t, w.clientTLS(w.exo))
	if res, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-m1")); err != nil || res.Data != nil {
		t.Fatalf("own tenant: %v %v", res, err)
	}
	if res, err := send(c, "mallory@woodgrove.example", []string{"victim@sender.example"}, exoMessage(woodgroveID, "ceo@contoso.com", "victim@sender.example", "tok-m2")); err != nil || code(res.Data) != "550 5.7.1" {
		t.Fatalf("other tenant: %v %v", res, err)
	}
	hasMetrics(t, m,
		`tenantgate_transactions_total{action="accept",kind="mailbox",origin="own-tenant"} 1`,
		`tenantgate_transactions_total{action="reject",kind="mailbox",origin="other-tenant"} 1`,
		`tenantgate_rejections_total{reply="550 5.7.1"} 1`,
		`tenantgate_nexthop_results_total{result="accepted"} 1`,
		`tenantgate_reasons_total{code="rcpt.relay"} 1`,
		`tenantgate_decision_seconds_count 2`,
		`tenantgate_sessions_in_flight 1`,
		`tenantgate_bytes_in_flight 0`)
	c.Quit()
}

// TestRelayWaiveOnlyExchangeOnline: monitor mode waives the trust refusal only for a peer that is
// verified Exchange Online; the same refusal for any other peer stands (no open relay).
func TestRelayWaiveOnlyExchangeOnline(t *testing.T) {
	o := relayOps{mode: ops.Monitor}
	a := classify.RecipientAction{Rcpt: "x@gmail.com", Action: classify.Reject, Reply: classify.ReplyRelayDenied}
	log := slog.New(slog.DiscardHandler)
	if !o.waive(log, classify.PeerVerdict{EXO: true}, a) {
		t.Error("verified Exchange Online: the refusal is not waived in monitor mode")
	}
	if o.waive(log, classify.PeerVerdict{}, a) {
		t.Error("a peer that is not Exchange Online: the refusal is waived")
	}
	if (relayOps{mode: ops.Enforce}).waive(log, classify.PeerVerdict{EXO: true}, a) {
		t.Error("enforce mode waives")
	}
}
