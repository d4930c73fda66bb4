package metrics

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// TestHandler: over a loopback listener, /healthz is 503 until ready and 200 after; /metrics
// serves every metric, and the counters moved by the calls show their values.
func TestHandler(t *testing.T) {
	m := New(nil)
	var ready atomic.Bool
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Serve(ctx, ln, Handler(m, ready.Load), slog.New(slog.DiscardHandler)); close(done) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz before load: %d; want 503", code)
	}
	ready.Store(true)
	if code, body := get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("healthz after load: %d %q", code, body)
	}

	v := classify.Verdict{Origin: classify.OtherTenant, Kind: classify.Mailbox,
		Reasons: []tenantgate.Reason{{Code: "tenant.not-served"}, {Code: "tenant.not-served"}, {Code: "rcpt.relay-denied.tenant"}}}
	m.Decided(v, Monitored, 3*time.Millisecond)
	m.Decided(classify.Verdict{}, Accepted, time.Millisecond)
	m.WouldReject(classify.ReplyRelayDenied)
	m.Rejected(classify.ReplyLoop)
	m.NextHop(250)
	m.NextHop(451)
	m.NextHop(550)
	m.DKIM("pass")
	m.DNSError("dkim")
	m.SessionOpened()
	m.SessionOpened()
	m.SessionClosed()
	m.AddBytes(1000)
	m.Loaded(true, 1, time.Unix(1700000000, 0))
	m.Loaded(false, 1, time.Unix(1700000060, 0))
	code, body := get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`tenantgate_transactions_total{action="monitor",kind="mailbox",origin="other-tenant"} 1`,
		`tenantgate_transactions_total{action="accept",kind="unknown",origin="none"} 1`,
		`tenantgate_reasons_total{code="tenant.not-served"} 1`, // once per transaction
		`tenantgate_reasons_total{code="rcpt.relay-denied.tenant"} 1`,
		`tenantgate_would_reject_total{reply="550 5.7.1"} 1`,
		`tenantgate_rejections_total{reply="554 5.4.6"} 1`,
		`tenantgate_nexthop_results_total{result="accepted"} 1`,
		`tenantgate_nexthop_results_total{result="temporary"} 1`,
		`tenantgate_nexthop_results_total{result="permanent"} 1`,
		`tenantgate_dkim_results_total{result="pass"} 1`,
		`tenantgate_dns_errors_total{lookup="dkim"} 1`,
		`tenantgate_decision_seconds_count 2`,
		`tenantgate_sessions_in_flight 1`,
		`tenantgate_bytes_in_flight 1000`,
		`tenantgate_config_generation 1`,
		`tenantgate_config_last_reload_success 0`,
		`tenantgate_config_last_reload_timestamp_seconds 1.70000006e+09`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestNil: a nil *Metrics records nothing and does not panic.
func TestNil(t *testing.T) {
	var m *Metrics
	m.Decided(classify.Verdict{}, Accepted, 0)
	m.Rejected(classify.ReplyLoop)
	m.WouldReject(classify.ReplyLoop)
	m.NextHop(250)
	m.DKIM("pass")
	m.DNSError("mx")
	m.SessionOpened()
	m.SessionClosed()
	m.AddBytes(1)
	m.Loaded(true, 1, time.Now())
}

// TestBytesFunc: a function given to New is read at each scrape.
func TestBytesFunc(t *testing.T) {
	n := 0.0
	m := New(func() float64 { return n })
	n = 42
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "tenantgate_bytes_in_flight" {
			if v := mf.GetMetric()[0].GetGauge().GetValue(); v != 42 {
				t.Errorf("bytes in flight %v; want 42", v)
			}
			return
		}
	}
	t.Error("no tenantgate_bytes_in_flight")
}
