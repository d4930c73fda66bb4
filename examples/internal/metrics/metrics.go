package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// Metrics are one program's metrics, in a registry of their own (no global state).
type Metrics struct {
	reg          *prometheus.Registry
	transactions *prometheus.CounterVec
	reasons      *prometheus.CounterVec
	rejections   *prometheus.CounterVec
	wouldReject  *prometheus.CounterVec
	nextHop      *prometheus.CounterVec
	dkim         *prometheus.CounterVec
	dnsErrors    *prometheus.CounterVec
	decision     prometheus.Histogram
	sessions     prometheus.Gauge
	bytes        prometheus.Gauge
	generation   prometheus.Gauge
	reloadOK     prometheus.Gauge
	reloadTime   prometheus.Gauge
}

// Outcomes of a transaction, the "action" label of tenantgate_transactions_total.
const (
	// Accepted: the message went on (relayed, or accepted by the milter).
	Accepted = "accept"
	// Refused: the policy refused a recipient, so the message was refused.
	Refused = "reject"
	// Monitored: the policy refused it, monitor mode let it through.
	Monitored = "monitor"
)

// New returns the metrics, registered. bytesInFlight, when not nil, is read at each scrape for
// tenantgate_bytes_in_flight (the relay reads its memory and spool budgets); else the gauge moves
// with AddBytes.
func New(bytesInFlight func() float64) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		m.reg.MustRegister(g)
		return g
	}
	m.transactions = counter("tenantgate_transactions_total", "Transactions decided, by verdict origin, kind and action (accept, reject, monitor).", "origin", "kind", "action")
	m.reasons = counter("tenantgate_reasons_total", "Reason codes of the decisions (classify reason codes), once per transaction each.", "code")
	m.rejections = counter("tenantgate_rejections_total", "Policy refusals sent, by reply (code and enhanced code).", "reply")
	m.wouldReject = counter("tenantgate_would_reject_total", "Policy refusals monitor mode let through, by reply (code and enhanced code).", "reply")
	m.nextHop = counter("tenantgate_nexthop_results_total", "Next-hop answers (relay): accepted, temporary or permanent failure.", "result")
	m.dkim = counter("tenantgate_dkim_results_total", "DKIM results: verification results (milter), signing results (relay).", "result")
	m.dnsErrors = counter("tenantgate_dns_errors_total", "Failed DNS lookups, by purpose (dkim key, mx).", "lookup")
	m.decision = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tenantgate_decision_seconds",
		Help:    "Time to decide a message once its header (and, for DKIM, its body) is read.",
		Buckets: prometheus.ExponentialBuckets(10e-6, 4, 10)}) // 10µs to 2.6s
	m.reg.MustRegister(m.decision)
	m.sessions = gauge("tenantgate_sessions_in_flight", "SMTP sessions (relay) or MTA connections (milter) open.")
	if bytesInFlight != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tenantgate_bytes_in_flight",
			Help: "Message bytes held: in memory and spool files (relay), header and body buffers (milter)."}, bytesInFlight))
	} else {
		m.bytes = gauge("tenantgate_bytes_in_flight", "Message bytes held: in memory and spool files (relay), header and body buffers (milter).")
	}
	m.generation = gauge("tenantgate_config_generation", "Configuration generation in force: 1 at start, one more for each successful reload.")
	m.reloadOK = gauge("tenantgate_config_last_reload_success", "1 if the last load or reload of the configuration succeeded, else 0.")
	m.reloadTime = gauge("tenantgate_config_last_reload_timestamp_seconds", "Unix time of the last load or reload attempt.")
	return m
}

// Registry is the registry the metrics are in, for the HTTP handler and tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Decided counts one decided transaction: its origin, kind and action (Accepted, Refused,
// Monitored), its reason codes, and how long the decision took.
func (m *Metrics) Decided(v classify.Verdict, action string, took time.Duration) {
	if m == nil {
		return
	}
	origin, kind := string(v.Origin), string(v.Kind)
	if origin == "" {
		origin = "none"
	}
	if kind == "" {
		kind = "unknown"
	}
	m.transactions.WithLabelValues(origin, kind, action).Inc()
	seen := make(map[string]bool, len(v.Reasons))
	for _, r := range v.Reasons {
		if !seen[r.Code] {
			seen[r.Code] = true
			m.reasons.WithLabelValues(r.Code).Inc()
		}
	}
	m.decision.Observe(took.Seconds())
}

// Rejected counts a policy refusal sent with reply r.
func (m *Metrics) Rejected(r tenantgate.Reply) {
	if m != nil {
		m.rejections.WithLabelValues(replyLabel(r)).Inc()
	}
}

// WouldReject counts a policy refusal with reply r that monitor mode let through.
func (m *Metrics) WouldReject(r tenantgate.Reply) {
	if m != nil {
		m.wouldReject.WithLabelValues(replyLabel(r)).Inc()
	}
}

// NextHop counts a next hop's answer by its class: "accepted" (2xx), "temporary" (4xx or no
// answer) or "permanent" (5xx).
func (m *Metrics) NextHop(code int) {
	if m == nil {
		return
	}
	result := "temporary"
	switch {
	case code >= 200 && code < 300:
		result = "accepted"
	case code >= 500 && code < 600:
		result = "permanent"
	}
	m.nextHop.WithLabelValues(result).Inc()
}

// DKIM counts one DKIM result ("pass", "fail", "temperror", "permerror"; "signed",
// "sign-error"). Callers pass only these fixed values.
func (m *Metrics) DKIM(result string) {
	if m != nil {
		m.dkim.WithLabelValues(result).Inc()
	}
}

// DNSError counts a failed lookup for a purpose ("dkim", "mx").
func (m *Metrics) DNSError(lookup string) {
	if m != nil {
		m.dnsErrors.WithLabelValues(lookup).Inc()
	}
}

// SessionOpened and SessionClosed move tenantgate_sessions_in_flight.
func (m *Metrics) SessionOpened() {
	if m != nil {
		m.sessions.Inc()
	}
}

// SessionClosed: see SessionOpened.
func (m *Metrics) SessionClosed() {
	if m != nil {
		m.sessions.Dec()
	}
}

// AddBytes moves tenantgate_bytes_in_flight by n (negative: released), unless New was given a
// function that reads it.
func (m *Metrics) AddBytes(n int) {
	if m != nil && m.bytes != nil && n != 0 {
		m.bytes.Add(float64(n))
	}
}

// Loaded records a load or reload attempt at time at: on success the new generation.
func (m *Metrics) Loaded(ok bool, generation uint64, at time.Time) {
	if m == nil {
		return
	}
	if ok {
		m.reloadOK.Set(1)
		m.generation.Set(float64(generation))
	} else {
		m.reloadOK.Set(0)
	}
	m.reloadTime.Set(float64(at.UnixNano()) / 1e9)
}

// replyLabel is a reply's label: its code and enhanced code ("550 5.7.1"), never its text, so
// the label takes few values whatever texts are configured.
func replyLabel(r tenantgate.Reply) string {
	return strconv.Itoa(r.Code) + " " + r.Enhanced.String()
}
