// Package metrics is the relay's and the milter's Prometheus instrumentation
// (github.com/prometheus/client_golang) and their HTTP listener for /metrics and /healthz. Each
// metric is documented in the relay's and the milter's README ("Metrics"). A nil *Metrics
// records nothing, so code and tests without a listener need no checks.
package metrics
