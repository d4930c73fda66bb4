package main

import (
	"testing"
	"time"
)

// TestParseStat: utime (field 14) and stime (field 15) of proc(5)'s /proc/PID/stat, counted
// from the last ')' because the command name may hold spaces and parentheses.
func TestParseStat(t *testing.T) {
	const line = "4242 (milter (x) y) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 37 0 0 20 0 9 0 100 1000000 3000 18446744073709551615"
	got, err := parseStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := 287 * time.Second / 100; got != want { // 250 + 37 ticks of 1/100 s
		t.Errorf("%v, want %v", got, want)
	}
	for _, bad := range []string{"", "4242 milter S 1", "1 (m) S 1 2 3", "1 (m) S 1 1 1 0 -1 0 0 0 0 0 x 37"} {
		if _, err := parseStat(bad); err == nil {
			t.Errorf("parseStat(%q): no error", bad)
		}
	}
}

// TestParseStatus: VmRSS and VmHWM in kB from /proc/PID/status.
func TestParseStatus(t *testing.T) {
	rss, hwm, err := parseStatus("Name:\tmilter\nVmHWM:\t   15360 kB\nVmRSS:\t   14000 kB\nThreads:\t9\n")
	if err != nil || rss != 14000 || hwm != 15360 {
		t.Errorf("%d %d %v, want 14000 15360", rss, hwm, err)
	}
	for _, bad := range []string{"", "VmRSS:\t1 kB\n", "VmRSS:\t1 MB\nVmHWM:\t2 kB\n", "VmRSS:\tx kB\nVmHWM:\t2 kB\n"} {
		if _, _, err := parseStatus(bad); err == nil {
			t.Errorf("parseStatus(%q): no error", bad)
		}
	}
}

// TestParseKV: milterload's result line.
func TestParseKV(t *testing.T) {
	kv := parseKV("net=tcp label= transactions=10 accepted=10 tx_per_s=356.1\n")
	if kv["accepted"] != "10" || kv["tx_per_s"] != "356.1" || kv["label"] != "" {
		t.Errorf("%v", kv)
	}
}

// TestKVLines: one line per run in the form internal/cmd/benchtable reads, the subject quoted.
func TestKVLines(t *testing.T) {
	got := kvLines([]result{{Subject: "Ex OTA", Network: "unix", Concurrency: 16, TxPerSec: 1564.04, CPUPerTx: 470 * time.Microsecond, P50: 9.5, P99: 23.456, RSS: 17800, HWM: 17900}})
	want := `subject="Ex OTA" network=unix concurrency=16 tx_per_s=1564.0 cpu_per_tx_ns=470000 p50_ms=9.50 p99_ms=23.46 rss_kib=17800 hwm_kib=17900` + "\n"
	if got != want {
		t.Errorf("got  %s want %s", got, want)
	}
}
