package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPass(t *testing.T) {
	ratio := row{Check: ratioAtMost, Limit: 1.5}
	tests := []struct {
		name string
		m    measured
		want bool
	}{
		// The median of the per-round ratios decides, not one lucky round.
		{"ratio median within", measured{Row: ratio, Cand: []float64{1, 1, 1}, Ratios: []float64{1.2, 1.6, 1.4}}, true},
		{"ratio median over", measured{Row: ratio, Cand: []float64{1, 1, 1}, Ratios: []float64{1.2, 1.6, 1.7}}, false},
		{"ratio at the limit", measured{Row: ratio, Cand: []float64{1}, Ratios: []float64{1.5}}, true},
		{"no samples", measured{Row: ratio}, false},
		{"an error fails the row", measured{Row: ratio, Cand: []float64{1}, Ratios: []float64{1}, Err: errors.New("x")}, false},
		{"ns below", measured{Row: row{Check: nsBelow, Limit: 2e9}, Cand: []float64{1.9e9}}, true},
		{"ns at the limit", measured{Row: row{Check: nsBelow, Limit: 2e9}, Cand: []float64{2e9}}, false},
		{"metric at least", measured{Row: row{Check: metricAtLeast, Limit: 0.95}, Cand: []float64{0.95}}, true},
		{"metric under", measured{Row: row{Check: metricAtLeast, Limit: 0.95}, Cand: []float64{0.94}}, false},
		{"process within", measured{Row: row{Check: processBelow, Limit: 2e9}, Cand: []float64{1.9e9}, RSS: []float64{gib - 1}}, true},
		{"process over memory", measured{Row: row{Check: processBelow, Limit: 2e9}, Cand: []float64{1.9e9}, RSS: []float64{gib}}, false},
		{"process over time", measured{Row: row{Check: processBelow, Limit: 2e9}, Cand: []float64{2.1e9}, RSS: []float64{1}}, false},
	}
	for _, tt := range tests {
		if got := tt.m.pass(); got != tt.want {
			t.Errorf("%s: pass() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTable(t *testing.T) {
	ms := []measured{
		{Row: row{Budget: "b1", Pkg: "./headers", Baseline: "BenchmarkA", Candidate: "BenchmarkB", Check: ratioAtMost, Limit: 1.5},
			Base: []float64{100e3, 110e3}, Cand: []float64{120e3, 130e3}, Ratios: []float64{1.2, 1.3}},
		{Row: row{Budget: "b2", Pkg: "./examples/milter", Baseline: "BenchmarkT", Candidate: "BenchmarkC", Check: ratioAtMost, Limit: 0.1, Percent: true},
			Base: []float64{1e6}, Cand: []float64{2e5}, Ratios: []float64{0.2}},
		{Row: row{Budget: "b3", Pkg: ".", Candidate: "BenchmarkX", Check: nsBelow, Limit: 2e9}, Err: errors.New("boom"), ErrRounds: 2},
		{Row: row{Budget: "b4", Pkg: "./examples/relay", Candidate: "BenchmarkR", Metric: "cpu-ratio", Check: metricAtLeast, Limit: 0.95},
			Cand: []float64{0.97, 0.96, 0.99}, Extra: map[string][]float64{"relay-cpu-ns/msg": {700e3, 710e3, 690e3}, "pass-cpu-ns/msg": {680e3, 690e3, 685e3}}},
	}
	got := table(ms)
	// 115 µs vs 105 µs is the medians' quotient only by chance; the ratio column is the median
	// of the per-round ratios (1.25) with their range.
	for _, want := range []string{
		"| b1 | `BenchmarkB` vs `BenchmarkA` (./headers) | 125.0 µs vs 105.0 µs | **1.25×** (1.20–1.30) | PASS |",
		"| b2 | `BenchmarkC` vs `BenchmarkT` (./examples/milter) | 200.0 µs vs 1.0 ms | **20.0%** | **FAIL** |",
		"| b3 | `BenchmarkX` (.) | no result | — | **FAIL** (2 of the runs failed) |",
		// The relay's CPU per message, read from its own process, next to the pass-through's.
		"| b4 | `BenchmarkR` (./examples/relay) | relay 700.0 µs CPU/msg, pass-through 685.0 µs CPU/msg | **0.97×** (0.96–0.99) | PASS |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("table lacks\n%s\nin\n%s", want, got)
		}
	}
}

// TestTableCPU: a ratio measured in CPU time says so in the measured column.
func TestTableCPU(t *testing.T) {
	m := measured{Row: row{Budget: "b", Pkg: "./headers", Baseline: "BenchmarkA", Candidate: "BenchmarkB", Check: ratioAtMost, Limit: 1.5, CPUIters: 10},
		CPU: true, Base: []float64{80e3}, Cand: []float64{100e3}, Ratios: []float64{1.25}}
	want := "| b | `BenchmarkB` vs `BenchmarkA` (./headers) | 100.0 µs CPU vs 80.0 µs CPU | **1.25×** | PASS |"
	if got := table([]measured{m}); !strings.Contains(got, want+"\n") {
		t.Errorf("table lacks\n%s\nin\n%s", want, got)
	}
}

func TestCPUModel(t *testing.T) {
	in := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 85\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\n"
	if got, want := cpuModel(in), "Intel(R) Xeon(R) CPU @ 2.20GHz"; got != want {
		t.Errorf("cpuModel = %q, want %q", got, want)
	}
	if got := cpuModel("processor : 0\n"); got != "" {
		t.Errorf("cpuModel without a model name = %q", got)
	}
}

// TestCompileTime: the compile time is read from compilebench's summary line, and a run that
// printed none is an error, not a zero.
func TestCompileTime(t *testing.T) {
	if d, err := compileTime("tenants 100000: generate 611ms, compile 1.602s\n"); err != nil || d != 1602*time.Millisecond {
		t.Errorf("got %v, %v; want 1.602s", d, err)
	}
	if _, err := compileTime("tenants 100000: generate 611ms\n"); err == nil {
		t.Error("no compile time: no error")
	}
}

// TestTableMetricAtMost: a metric held under a limit shows its value and its share of the
// budget; B/op is given in bytes with the allocations beside.
func TestTableMetricAtMost(t *testing.T) {
	ms := []measured{
		{Row: row{Budget: "rt", Pkg: "./examples/milter", Candidate: "BenchmarkM", Metric: "round-trips/tx", Check: metricAtMost, Limit: 20},
			Cand: []float64{4, 4, 5}, Extra: map[string][]float64{}},
		{Row: row{Budget: "alloc", Pkg: "./examples/milter", Candidate: "BenchmarkM", Metric: "B/op", Check: metricAtMost, Limit: 40e3},
			Cand: []float64{14950, 14900, 41000}, Extra: map[string][]float64{"allocs/op": {198, 198, 199}}},
		{Row: row{Budget: "over", Pkg: "./examples/milter", Candidate: "BenchmarkM", Metric: "B/op", Check: metricAtMost, Limit: 40e3},
			Cand: []float64{40001}, Extra: map[string][]float64{}},
	}
	got := table(ms)
	for _, want := range []string{
		"| rt | `BenchmarkM` (./examples/milter) | 4.0 round-trips/tx | 0.20 of budget | PASS |",
		// The median decides: one round over the limit does not fail the row.
		"| alloc | `BenchmarkM` (./examples/milter) | 14950 B per transaction, 198 allocations | 0.37 of budget | PASS |",
		"| over | `BenchmarkM` (./examples/milter) | 40001 B per transaction | 1.00 of budget | **FAIL** |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("table lacks\n%s\nin\n%s", want, got)
		}
	}
}
