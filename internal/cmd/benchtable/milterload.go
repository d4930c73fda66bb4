package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// loadRun is one milterload run of internal/cmd/milterbench (its -kv line).
type loadRun struct {
	Subject     string
	Network     string
	Concurrency int
	TxPerSec    float64
	CPUPerTxNS  float64
}

// peerLabel is milterbench's name for the -exota peer.
const peerLabel = "ExOTA-Milter"

// loadConc are the concurrencies the milter rows run milterload at: those the milter README
// reports.
const loadConc = "1,16,64,128"

// loadUnderLoad is the lowest concurrency the CPU budget is held at: at one connection the milter
// waits for its client between every packet, and the CPU it spends going idle and waking up
// (shown beside, not counted) is the machine's rather than the transaction's.
const loadUnderLoad = 16

// milterbench runs internal/cmd/milterbench once (building it on first use) with the row's
// arguments, and with peer as its -peer when peer is set, and returns its runs.
func (r *runner) milterbench(ctx context.Context, rw row, peer, peerHeader string) ([]loadRun, error) {
	bin, ok := r.bins[milterbenchPkg]
	if !ok {
		bin = filepath.Join(r.dir, "milterbench")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, milterbenchPkg)
		cmd.Dir = r.root
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %v\n%s", milterbenchPkg, err, b)
		}
		r.bins[milterbenchPkg] = bin
	}
	args := append([]string{"-root", r.root, "-kv", "-conc", loadConc}, rw.Command...)
	if peer != "" {
		args = append(args, "-peer", peer, "-peer-label", peerLabel, "-peer-header", peerHeader)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = r.root
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("milterbench: %v\n%s", err, tail(errOut.String()))
	}
	return parseLoadRuns(out.String())
}

// parseLoadRuns reads milterbench -kv's lines: key=value pairs, subject quoted.
func parseLoadRuns(s string) ([]loadRun, error) {
	var runs []loadRun
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		kv, err := splitKV(line)
		if err != nil {
			return nil, err
		}
		var lr loadRun
		lr.Subject, lr.Network = kv["subject"], kv["network"]
		c, err1 := strconv.Atoi(kv["concurrency"])
		tx, err2 := strconv.ParseFloat(kv["tx_per_s"], 64)
		cpu, err3 := strconv.ParseFloat(kv["cpu_per_tx_ns"], 64)
		if lr.Subject == "" || lr.Network == "" || err1 != nil || err2 != nil || err3 != nil || tx <= 0 || cpu <= 0 {
			return nil, fmt.Errorf("milterbench: incomplete line %q", line)
		}
		lr.Concurrency, lr.TxPerSec, lr.CPUPerTxNS = c, tx, cpu
		runs = append(runs, lr)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("milterbench printed no runs")
	}
	return runs, nil
}

// splitKV splits `k=v k="quoted v"` into a map.
func splitKV(line string) (map[string]string, error) {
	kv := map[string]string{}
	for rest := line; rest != ""; rest = strings.TrimLeft(rest, " ") {
		k, v, ok := strings.Cut(rest, "=")
		if !ok || k == "" || strings.Contains(k, " ") {
			return nil, fmt.Errorf("milterbench: %q: want key=value pairs", line)
		}
		if strings.HasPrefix(v, `"`) {
			q, err := strconv.QuotedPrefix(v)
			if err != nil {
				return nil, fmt.Errorf("milterbench: %q: %v", line, err)
			}
			kv[k], _ = strconv.Unquote(q)
			rest = v[len(q):]
			continue
		}
		v, rest, _ = strings.Cut(v, " ")
		kv[k] = v
	}
	return kv, nil
}

// cpuUnderLoad is the highest CPU per transaction of subject over the runs at loadUnderLoad
// connections or more, on any network; ok is false when there is none.
func cpuUnderLoad(runs []loadRun, subject string) (ns float64, ok bool) {
	for _, lr := range runs {
		if lr.Subject == subject && lr.Concurrency >= loadUnderLoad {
			ns, ok = max(ns, lr.CPUPerTxNS), true
		}
	}
	return ns, ok
}

// peakTx is subject's highest tx/s on network over the concurrencies.
func peakTx(runs []loadRun, subject, network string) float64 {
	v := 0.0
	for _, lr := range runs {
		if lr.Subject == subject && lr.Network == network {
			v = max(v, lr.TxPerSec)
		}
	}
	return v
}

// networks are the networks of the runs, in order of appearance.
func networks(runs []loadRun) []string {
	var out []string
	for _, lr := range runs {
		if !slices.Contains(out, lr.Network) {
			out = append(out, lr.Network)
		}
	}
	return out
}

// runsOf are the runs on network.
func runsOf(runs []loadRun, network string) []loadRun {
	var out []loadRun
	for _, lr := range runs {
		if lr.Network == network {
			out = append(out, lr)
		}
	}
	return out
}

// cpuAt is subject's CPU per transaction on network at concurrency c (0: no such run).
func cpuAt(runs []loadRun, subject, network string, c int) float64 {
	for _, lr := range runs {
		if lr.Subject == subject && lr.Network == network && lr.Concurrency == c {
			return lr.CPUPerTxNS
		}
	}
	return 0
}
