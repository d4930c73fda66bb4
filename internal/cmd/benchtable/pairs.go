package main

// check is how a row's measurement is held against its budget.
type check int

const (
	// ratioAtMost: median over rounds of candidate ns/op ÷ baseline ns/op ≤ limit.
	ratioAtMost check = iota
	// nsBelow: median candidate ns/op < limit nanoseconds.
	nsBelow
	// metricAtLeast: median of the candidate's custom metric ≥ limit.
	metricAtLeast
	// processBelow: the median time Compile took in the compilebench process (as it prints it)
	// < limit nanoseconds and the process's median peak RSS < 1 GiB; its whole wall time, which
	// includes generating the configuration, is shown beside.
	processBelow
)

// row is one budget of the README's "Performance" section.
type row struct {
	Budget    string   // the budget as the README states it
	Pkg       string   // package directory relative to the module root, as for go test
	Baseline  string   // benchmark name of the baseline (ratioAtMost only)
	Candidate string   // benchmark name measured against the budget
	Metric    string   // custom metric (metricAtLeast only)
	Check     check    //
	Limit     float64  // see check
	Percent   bool     // print the ratio as a percentage
	Benchtime string   // -test.benchtime for this row; "" means the -benchtime flag
	Args      []string // extra test binary flags
	// CPUIters, for a ratio row: with -cputime, compare CPU time per iteration (user and system
	// of the benchmark's whole process on one P, so the garbage collector's work counts) over
	// this many iterations, instead of wall time.
	CPUIters int
	Command  []string // processBelow: arguments of the compilebench binary
}

const (
	gib             = 1 << 30
	second          = 1e9
	compilebenchPkg = "./internal/cmd/compilebench"
)

// rows are the budgets in the order of the README's table.
func rows() []row {
	return []row{
		{Budget: "`headers.Parse` of a 22 KB real EXO header block ≤ 1.5× `textproto.ReadHeader`", Pkg: "./headers",
			Baseline: "BenchmarkReadHeaderBaseline", Candidate: "BenchmarkParse", Check: ratioAtMost, Limit: 1.5, CPUIters: 5000},
		{Budget: "the same read from a stream (a connection, a file), not from memory in place", Pkg: "./headers",
			Baseline: "BenchmarkReadHeaderBaseline", Candidate: "BenchmarkParseStream", Check: ratioAtMost, Limit: 1.5, CPUIters: 5000},
		{Budget: "`Policy.Message` from raw header bytes ≤ 2× `textproto.ReadHeader`", Pkg: "./classify",
			Baseline: "BenchmarkReadHeaderBaseline", Candidate: "BenchmarkPolicyMessage", Check: ratioAtMost, Limit: 2},
		{Budget: "`Attribute` with 100,000 tenants ≤ 1.5× with 10", Pkg: "./classify",
			Baseline: "BenchmarkAttribute/tenants=10", Candidate: "BenchmarkAttribute/tenants=100000", Check: ratioAtMost, Limit: 1.5},
		{Budget: "`Compile` of 100,000 tenants configured like a real gateway's < 2 s", Pkg: ".",
			Candidate: "BenchmarkCompile", Check: nsBelow, Limit: 2 * second, Benchtime: "3x"},
		{Budget: "the same in a process of its own (generate, compile, exit): `Compile` < 2 s, peak RSS < 1 GiB", Pkg: compilebenchPkg,
			Candidate: "compilebench -tenants 100000", Check: processBelow, Limit: 2 * second, Command: []string{"-tenants", "100000"}},
		{Budget: "`topology.Lint` of 1,000 tenants on one core < 5 s", Pkg: "./topology",
			Candidate: "BenchmarkLint/tenants=1000", Check: nsBelow, Limit: 5 * second, Benchtime: "3x", Args: []string{"-test.cpu", "1"}},
		{Budget: "milter: classification ≤ 10% of a transaction", Pkg: "./examples/milter",
			Baseline: "BenchmarkMilterTransaction", Candidate: "BenchmarkMilterClassification", Check: ratioAtMost, Limit: 0.10, Percent: true},
		{Budget: "relay: throughput on the same CPU ≥ 0.95× a pass-through go-smtp relay with the same connection handling (pass-through CPU ÷ relay CPU per message, each server in its own process)", Pkg: "./examples/relay",
			Candidate: "BenchmarkRelayVsPassThrough", Metric: "cpu-ratio", Check: metricAtLeast, Limit: 0.95,
			// A ratio of CPU times read from two processes: 5,000 messages each per round (the 1 s
			// default sends about 1,000), so that a noisy batch weighs less.
			Benchtime: "5000x"},
	}
}
