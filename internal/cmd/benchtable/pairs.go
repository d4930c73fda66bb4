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
	// metricAtMost: median of the candidate's custom metric (or B/op) ≤ limit.
	metricAtMost
	// loadCPUAtMost: internal/cmd/milterbench runs the milter under milterload; the median over
	// rounds of its highest CPU per transaction at loadUnderLoad connections or more ≤ limit
	// nanoseconds.
	loadCPUAtMost
	// peerRatioAtLeast: milterbench runs the milter and the -exota peer under one client; the
	// median over rounds of the lower, over the networks, of the milter's peak tx/s ÷ the peer's
	// ≥ limit.
	peerRatioAtLeast
)

// ours is milterbench's name for the milter it builds.
const ours = "tenantgate"

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
	// Command: processBelow, the arguments of the compilebench binary; loadCPUAtMost and
	// peerRatioAtLeast, milterbench's beyond -root, -kv, -conc and -peer.
	Command []string
	// PeerHeader (peerRatioAtLeast): the field the peer adds to every message it accepts.
	PeerHeader string
}

const (
	gib             = 1 << 30
	second          = 1e9
	compilebenchPkg = "./internal/cmd/compilebench"
	milterbenchPkg  = "./internal/cmd/milterbench"
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
		{Budget: "milter: ≤ 20 protocol round trips per transaction with a 75-field header (replies the MTA waits for)", Pkg: "./examples/milter",
			Candidate: "BenchmarkMilterPostfix75", Metric: "round-trips/tx", Check: metricAtMost, Limit: 20},
		{Budget: "milter: ≤ 40 KB (40,000 bytes) allocated per transaction with a 75-field header (the whole process)", Pkg: "./examples/milter",
			Candidate: "BenchmarkMilterPostfix75", Metric: "B/op", Check: metricAtMost, Limit: 40e3},
		{Budget: "milter: ≤ 0.6 ms CPU per transaction under load: milterload with a 75-field header at 16, 64 and 128 connections, TCP and unix socket, every transaction on its own connection", Pkg: milterbenchPkg,
			Candidate: "milterbench -conc " + loadConc, Check: loadCPUAtMost, Limit: 0.6e6, Command: []string{"-n", "3000"}},
		{Budget: "milter: ≥ 5× ExOTA-Milter's peak tx/s, one client (milterload) for both, same run, TCP and unix socket", Pkg: milterbenchPkg,
			Candidate: "milterbench -conc " + loadConc + " -peer ExOTA-Milter", Check: peerRatioAtLeast, Limit: 5,
			Command: []string{"-n", "2000"}, PeerHeader: "X-ExOTA-Authentication-Results"},
		{Budget: "relay: throughput on the same CPU ≥ 0.95× a pass-through go-smtp relay with the same connection handling (pass-through CPU ÷ relay CPU per message, each server in its own process)", Pkg: "./examples/relay",
			Candidate: "BenchmarkRelayVsPassThrough", Metric: "cpu-ratio", Check: metricAtLeast, Limit: 0.95,
			// A ratio of CPU times read from two processes: 5,000 messages each per round (the 1 s
			// default sends about 1,000), so that a noisy batch weighs less.
			Benchtime: "5000x"},
	}
}
