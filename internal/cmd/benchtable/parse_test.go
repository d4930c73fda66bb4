package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		want result
		ok   bool
	}{
		{"ns/op with benchmem and the GOMAXPROCS suffix",
			"BenchmarkParse-2   \t    5000\t    232800 ns/op\t  115000 B/op\t     464 allocs/op\n",
			result{Name: "BenchmarkParse-2", Iterations: 5000, Metrics: map[string]float64{"ns/op": 232800, "B/op": 115000, "allocs/op": 464}}, true},
		{"sub-benchmark, fractional ns/op",
			"BenchmarkAttribute/tenants=100000-2 \t 81918\t 14301.5 ns/op",
			result{Name: "BenchmarkAttribute/tenants=100000-2", Iterations: 81918, Metrics: map[string]float64{"ns/op": 14301.5}}, true},
		{"custom metrics from b.ReportMetric",
			"BenchmarkRelayVsPassThrough-2 \t 1000\t 812345 ns/op\t 0.9612 cpu-ratio\t 401000 relay-cpu-ns/msg",
			result{Name: "BenchmarkRelayVsPassThrough-2", Iterations: 1000,
				Metrics: map[string]float64{"ns/op": 812345, "cpu-ratio": 0.9612, "relay-cpu-ns/msg": 401000}}, true},
		{"scientific notation", "BenchmarkX 1 1.2e+09 ns/op",
			result{Name: "BenchmarkX", Iterations: 1, Metrics: map[string]float64{"ns/op": 1.2e9}}, true},
		{"name alone, printed before a benchmark's log lines", "BenchmarkMilterTransaction-2", result{}, false},
		{"log line", "    bench_test.go:50: connecting", result{}, false},
		{"PASS", "PASS", result{}, false},
		{"goos header", "goos: linux", result{}, false},
		{"odd field count", "BenchmarkX 10 100 ns/op 5", result{}, false},
		{"iterations not a number", "BenchmarkX ten 100 ns/op", result{}, false},
		{"zero iterations", "BenchmarkX 0 100 ns/op", result{}, false},
		{"value not a number", "BenchmarkX 10 fast ns/op", result{}, false},
		{"not a benchmark", "TestX 10 100 ns/op", result{}, false},
		{"--- FAIL line", "--- FAIL: BenchmarkX", result{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseLine(tt.line)
			if ok != tt.ok {
				t.Fatalf("parseLine(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseLine(%q) (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestSameBenchmark(t *testing.T) {
	tests := []struct {
		got, want string
		same      bool
	}{
		{"BenchmarkParse", "BenchmarkParse", true},        // GOMAXPROCS=1 adds no suffix
		{"BenchmarkParse-2", "BenchmarkParse", true},      // the -N suffix for GOMAXPROCS=N
		{"BenchmarkParse-16", "BenchmarkParse", true},     //
		{"BenchmarkParseOnly-2", "BenchmarkParse", false}, // a longer name is another benchmark
		{"BenchmarkParse-x", "BenchmarkParse", false},     // not a GOMAXPROCS suffix
		{"BenchmarkParse-", "BenchmarkParse", false},      //
		{"BenchmarkAttribute/tenants=100000-2", "BenchmarkAttribute/tenants=10", false},
		{"BenchmarkAttribute/tenants=10-2", "BenchmarkAttribute/tenants=10", true},
	}
	for _, tt := range tests {
		if got := sameBenchmark(tt.got, tt.want); got != tt.same {
			t.Errorf("sameBenchmark(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.same)
		}
	}
}

func TestFind(t *testing.T) {
	// The output of one test binary run with -test.bench selecting one sub-benchmark: the parent
	// and sub-benchmarks that do not match must not be taken for it.
	out := "goos: linux\ngoarch: amd64\npkg: github.com/tenantgate/tenantgate/classify\n" +
		"BenchmarkAttribute/tenants=100000-2 \t 50000\t 18400 ns/op\n" +
		"BenchmarkAttribute/tenants=10-2     \t 80000\t 14300 ns/op\t 2240 B/op\t 70 allocs/op\n" +
		"PASS\n"
	got, ok := find(out, "BenchmarkAttribute/tenants=10")
	if !ok {
		t.Fatal("find: no result")
	}
	want := map[string]float64{"ns/op": 14300, "B/op": 2240, "allocs/op": 70}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("find (-want +got):\n%s", diff)
	}
	if _, ok := find(out, "BenchmarkAttribute"); ok {
		t.Error("find(BenchmarkAttribute) found a sub-benchmark's line")
	}
}

func TestBenchPattern(t *testing.T) {
	tests := map[string]string{
		"BenchmarkParse":                    "^BenchmarkParse$",
		"BenchmarkAttribute/tenants=100000": "^BenchmarkAttribute$/^tenants=100000$",
		"BenchmarkX/a.b(c)":                 `^BenchmarkX$/^a\.b\(c\)$`,
	}
	for in, want := range tests {
		if got := benchPattern(in); got != want {
			t.Errorf("benchPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
