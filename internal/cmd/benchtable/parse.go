package main

import (
	"regexp"
	"strconv"
	"strings"
)

// result is one line of `go test -bench` output: the benchmark's full name as printed (with the
// -GOMAXPROCS suffix, if any), its iteration count and every "value unit" pair (ns/op, B/op,
// allocs/op and custom metrics from b.ReportMetric).
type result struct {
	Name       string
	Iterations int64
	Metrics    map[string]float64
}

// parseLine parses one output line of `go test -bench`, such as
//
//	BenchmarkAttribute/tenants=10-2   	   81918	     14301 ns/op	    2240 B/op	      70 allocs/op
//
// It reports false for every other line (PASS, goos:, log output, a benchmark's name printed
// alone before its log lines).
func parseLine(line string) (result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return result{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || n <= 0 {
		return result{}, false
	}
	r := result{Name: f[0], Iterations: n, Metrics: make(map[string]float64, (len(f)-2)/2)}
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		r.Metrics[f[i+1]] = v
	}
	return r, true
}

// sameBenchmark reports whether the printed name got is the benchmark want: equal, or want
// followed by the "-N" GOMAXPROCS suffix the testing package appends when N > 1.
func sameBenchmark(got, want string) bool {
	if got == want {
		return true
	}
	rest, ok := strings.CutPrefix(got, want+"-")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// find returns the metrics of benchmark name in the output of one test binary.
func find(output, name string) (map[string]float64, bool) {
	for line := range strings.Lines(output) {
		if r, ok := parseLine(line); ok && sameBenchmark(r.Name, name) {
			return r.Metrics, true
		}
	}
	return nil, false
}

// benchPattern turns a benchmark name (with sub-benchmarks after '/') into the -test.bench
// pattern that selects exactly it: each level anchored, regexp metacharacters quoted.
func benchPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
