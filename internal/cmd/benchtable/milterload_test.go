package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeRuns is what milterbench -kv prints for the two networks at the rows' concurrencies, with
// a peer (figures of the milter README's scale).
const fakeRuns = `subject="tenantgate" network=tcp concurrency=1 tx_per_s=550.0 cpu_per_tx_ns=1260000 p50_ms=1.70 p99_ms=4.20 rss_kib=17800 hwm_kib=17900
subject="tenantgate" network=tcp concurrency=16 tx_per_s=1302.0 cpu_per_tx_ns=540000 p50_ms=11.50 p99_ms=26.20 rss_kib=18300 hwm_kib=18400
subject="tenantgate" network=tcp concurrency=128 tx_per_s=1557.0 cpu_per_tx_ns=420000 p50_ms=79.80 p99_ms=136.60 rss_kib=25400 hwm_kib=25500
subject="tenantgate" network=unix concurrency=1 tx_per_s=885.0 cpu_per_tx_ns=740000 p50_ms=1.00 p99_ms=2.50 rss_kib=17600 hwm_kib=17700
subject="tenantgate" network=unix concurrency=16 tx_per_s=1564.0 cpu_per_tx_ns=470000 p50_ms=9.50 p99_ms=23.50 rss_kib=17800 hwm_kib=17900
subject="ExOTA-Milter" network=tcp concurrency=16 tx_per_s=235.0 cpu_per_tx_ns=4900000 p50_ms=60.00 p99_ms=90.00 rss_kib=30000 hwm_kib=30100
subject="ExOTA-Milter" network=unix concurrency=16 tx_per_s=215.0 cpu_per_tx_ns=5100000 p50_ms=70.00 p99_ms=95.00 rss_kib=30000 hwm_kib=30100
`

func TestParseLoadRuns(t *testing.T) {
	runs, err := parseLoadRuns(fakeRuns)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 7 {
		t.Fatalf("%d runs, want 7", len(runs))
	}
	want := loadRun{Subject: "ExOTA-Milter", Network: "unix", Concurrency: 16, TxPerSec: 215, CPUPerTxNS: 5.1e6}
	if diff := cmp.Diff(want, runs[6]); diff != "" {
		t.Errorf("last run (-want +got):\n%s", diff)
	}
	// A label with a space, quoted as milterbench quotes it.
	runs, err = parseLoadRuns(`subject="my milter" network=tcp concurrency=1 tx_per_s=1 cpu_per_tx_ns=2` + "\n")
	if err != nil || len(runs) != 1 || runs[0].Subject != "my milter" {
		t.Errorf("quoted subject: %+v, %v", runs, err)
	}
	for _, bad := range []string{
		"",                                  // no runs
		"subject=x network=tcp concurrency", // not key=value
		`subject="x network=tcp`,            // unterminated quote
		"subject=x network=tcp concurrency=1 tx_per_s=1",                   // no CPU
		"subject=x network=tcp concurrency=one tx_per_s=1 cpu_per_tx_ns=2", // not a number
		"subject=x network=tcp concurrency=1 tx_per_s=0 cpu_per_tx_ns=2",   // no transactions
	} {
		if _, err := parseLoadRuns(bad); err == nil {
			t.Errorf("parseLoadRuns(%q): no error", bad)
		}
	}
}

func TestLoadFigures(t *testing.T) {
	runs, err := parseLoadRuns(fakeRuns)
	if err != nil {
		t.Fatal(err)
	}
	// Under load: the highest CPU at 16 connections or more, over both networks (tcp at 16);
	// the runs at one connection do not count.
	if ns, ok := cpuUnderLoad(runs, ours); !ok || ns != 540000 {
		t.Errorf("cpuUnderLoad = %v, %v; want 540000", ns, ok)
	}
	if _, ok := cpuUnderLoad(runs[:1], ours); ok {
		t.Error("cpuUnderLoad of a run at one connection alone: ok")
	}
	if got := peakTx(runs, ours, "tcp"); got != 1557 {
		t.Errorf("peak tcp = %v, want 1557", got)
	}
	if got := cpuAt(runs, ours, "unix", 1); got != 740000 {
		t.Errorf("cpuAt unix 1 = %v, want 740000", got)
	}
	if diff := cmp.Diff([]string{"tcp", "unix"}, networks(runs)); diff != "" {
		t.Error(diff)
	}
}

// fakeMilterbench installs a script as r's milterbench binary, in a new root, that prints fakeRuns
// when its arguments are wantArgs (ROOT standing for the root) and fails otherwise.
func fakeMilterbench(t *testing.T, r *runner, wantArgs string) {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "milterbench")
	wantArgs = strings.Replace(wantArgs, "ROOT", dir, 1)
	body := "#!/bin/sh\n[ \"$*\" = '" + wantArgs + "' ] || { echo \"args: $*\" >&2; exit 2; }\ncat <<'EOF'\n" + fakeRuns + "EOF\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	r.root, r.dir, r.timeout = dir, dir, time.Minute
	r.bins = map[string]string{milterbenchPkg: script}
}

// TestMeasureLoad runs both milterbench rows against a fake milterbench: the CPU row records the
// worst figure under load and the one-connection figures beside it; the ExOTA-Milter row passes
// -peer and records the lower of the two networks' ratios (unix: 1564 ÷ 215 = 7.27 against tcp:
// 1557 ÷ 235 = 6.63).
func TestMeasureLoad(t *testing.T) {
	var cpuRow, peerRow row
	for _, rw := range rows() {
		switch rw.Check {
		case loadCPUAtMost:
			cpuRow = rw
		case peerRatioAtLeast:
			peerRow = rw
		}
	}
	r := &runner{}
	fakeMilterbench(t, r, "-root ROOT -kv -conc 1,16,64,128 -n 3000")

	m := measured{Row: cpuRow, Extra: map[string][]float64{}}
	if err := measure(context.Background(), r, &m, 0); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{540000}, m.Cand); diff != "" {
		t.Errorf("CPU row: %s", diff)
	}
	meas, ratio := m.cells()
	if want := "highest at 16–128 connections: TCP 540.0 µs, unix socket 470.0 µs; at 1 connection (not counted): TCP 1.3 ms, unix socket 740.0 µs"; meas != want || ratio != "0.90 of budget" || !m.pass() {
		t.Errorf("CPU row cells %q, %q, pass %v", meas, ratio, m.pass())
	}

	r.exota = "python3 exota-milter.py"
	fakeMilterbench(t, r, "-root ROOT -kv -conc 1,16,64,128 -n 2000 -peer python3 exota-milter.py -peer-label ExOTA-Milter -peer-header X-ExOTA-Authentication-Results")
	m = measured{Row: peerRow, Extra: map[string][]float64{}}
	if err := measure(context.Background(), r, &m, 0); err != nil {
		t.Fatal(err)
	}
	if len(m.Cand) != 1 || m.Cand[0] < 6.62 || m.Cand[0] > 6.63 || !m.pass() {
		t.Errorf("ExOTA-Milter row: %v, want 6.63 (1557/235), pass", m.Cand)
	}
	if meas, _ := m.cells(); meas != "peak TCP 1557 vs 235 tx/s, unix socket 1564 vs 215 tx/s" {
		t.Errorf("ExOTA-Milter row cell %q", meas)
	}
}

// TestNotRun: without -exota the comparison row is not run and says why; it neither passes nor
// fails in the table.
func TestNotRun(t *testing.T) {
	m := measured{Row: row{Budget: "b", Pkg: milterbenchPkg, Candidate: "milterbench -peer X", Check: peerRatioAtLeast, Limit: 5}, NotRun: "needs -exota"}
	want := "| b | `milterbench -peer X` (./internal/cmd/milterbench) | not run (needs -exota) | — | not run |"
	if got := table([]measured{m}); !strings.Contains(got, want+"\n") {
		t.Errorf("table lacks\n%s\nin\n%s", want, got)
	}
}
