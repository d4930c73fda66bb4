package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Who milterload's transactions are from (its defaults): the tenant and From domain the policy
// must serve.
const (
	loadTenant = "1234abcd-18c5-45e8-88de-123456789abc"
	loadDomain = "yad.onmicrosoft.com"
	// verdictHeader is the field our milter adds; milterload counts the transactions that got it.
	verdictHeader = "Authentication-Results"
	// clockTicks is the unit of utime and stime in /proc/PID/stat (USER_HZ, 100 on Linux).
	clockTicks = 100
)

// workspace holds the binaries and files of one milterbench run.
type workspace struct {
	root, dir, eml string
	milter, load   string // binaries
	policy         string // ExOTA-Milter policy file
}

// subject is a milter under test.
type subject struct {
	label string
	// start starts it listening on network/addr and returns the process.
	start func(ctx context.Context, network, addr string) (*exec.Cmd, error)
	// header is the field milterload must see added ("" checks nothing).
	header string
}

// result is one milterload run.
type result struct {
	Subject, Network string
	Concurrency      int
	TxPerSec         float64
	CPUPerTx         time.Duration
	P50, P99         float64 // ms
	RSS, HWM         int64   // KiB, after the run
}

// build compiles the milter and milterload.
func (w *workspace) build(ctx context.Context, loadDir string) error {
	w.milter, w.load = filepath.Join(w.dir, "milter"), filepath.Join(w.dir, "milterload")
	for _, b := range []struct{ dir, pkg, out string }{{w.root, "./examples/milter", w.milter}, {loadDir, ".", w.load}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b.out, b.pkg)
		cmd.Dir = b.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s in %s: %v\n%s", b.pkg, b.dir, err, out)
		}
	}
	return nil
}

// writeConfig writes the policy: milterload's tenant for its From domain, no DKIM.
func (w *workspace) writeConfig() error {
	w.policy = filepath.Join(w.dir, "policy.json")
	p := map[string]any{loadDomain: map[string]any{"tenant_id": loadTenant, "dkim_enabled": false}}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(w.policy, b, 0o644)
}

// startOurs starts examples/milter with the policy, logging to a file.
func (w *workspace) startOurs(ctx context.Context, network, addr string) (*exec.Cmd, error) {
	listen := addr
	if network == "unix" {
		listen = "unix:" + addr
	}
	cfg := map[string]any{"exotaPolicyFile": w.policy, "milter": map[string]any{"listen": listen, "gateway": "gw.example.net"}}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(w.dir, "milter-"+network+".json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, w.milter, "-config", path)
	return cmd, w.startLogged(cmd, "milter-"+network+".log")
}

// startPeer returns the start function of the -peer command.
func (w *workspace) startPeer(command string) func(ctx context.Context, network, addr string) (*exec.Cmd, error) {
	return func(ctx context.Context, network, addr string) (*exec.Cmd, error) {
		sock := "unix:" + addr
		if network == "tcp" {
			host, port, _ := net.SplitHostPort(addr)
			sock = "inet:" + port + "@" + host
		}
		// exec: the measured process is the milter, not the shell.
		cmd := exec.CommandContext(ctx, "sh", "-c", "exec "+command)
		cmd.Env = append(os.Environ(), "MILTER_SOCKET="+sock, "MILTER_POLICY_FILE="+w.policy, "MILTERBENCH_ADDR="+addr)
		return cmd, w.startLogged(cmd, "peer-"+network+".log")
	}
}

// startLogged starts cmd with its output in a file of the workspace.
func (w *workspace) startLogged(cmd *exec.Cmd, log string) error {
	f, err := os.Create(filepath.Join(w.dir, log))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	return cmd.Start()
}

// measure starts a fresh process of s on network and runs milterload once per concurrency.
func (w *workspace) measure(ctx context.Context, s subject, network string, o options) ([]result, error) {
	addr := filepath.Join(w.dir, s.label+".sock")
	if network == "tcp" {
		var err error
		if addr, err = freePort(); err != nil {
			return nil, err
		}
	}
	cmd, err := s.start(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.label, err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	if err := waitListening(network, addr, 15*time.Second); err != nil {
		return nil, fmt.Errorf("%s on %s: %w", s.label, network, err)
	}
	pid := cmd.Process.Pid
	var out []result
	for _, c := range o.conc {
		fmt.Fprintf(os.Stderr, "%s %s -c %d -n %d\n", s.label, network, c, o.n)
		cpu0, err := cpuTime(pid)
		if err != nil {
			return out, err
		}
		kv, err := w.load1(ctx, network, addr, c, s.header, o)
		if err != nil {
			return out, fmt.Errorf("%s %s -c %d: %w", s.label, network, c, err)
		}
		cpu1, err := cpuTime(pid)
		if err != nil {
			return out, err
		}
		r := result{Subject: s.label, Network: network, Concurrency: c, CPUPerTx: (cpu1 - cpu0) / time.Duration(o.n)}
		r.TxPerSec, _ = strconv.ParseFloat(kv["tx_per_s"], 64)
		r.P50, _ = strconv.ParseFloat(kv["p50_ms"], 64)
		r.P99, _ = strconv.ParseFloat(kv["p99_ms"], 64)
		r.RSS, r.HWM, err = memory(pid)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// load1 runs milterload once and checks that every transaction was accepted (with the verdict
// header when header is set). It returns milterload's key=value result.
func (w *workspace) load1(ctx context.Context, network, addr string, c int, header string, o options) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	args := []string{"-network", network, "-addr", addr, "-n", strconv.Itoa(o.n), "-c", strconv.Itoa(c),
		"-eml", w.eml, "-tls-version", "TLSv1.3"}
	if header != "" {
		args = append(args, "-expect-header", header)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, w.load, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("milterload: %v\n%s", err, stderr.String())
	}
	kv := parseKV(stdout.String())
	n := strconv.Itoa(o.n)
	if kv["accepted"] != n || (header != "" && kv["with_header"] != n) {
		return nil, fmt.Errorf("not every transaction accepted with the verdict header: %s%s", stdout.String(), stderr.String())
	}
	return kv, nil
}

// parseKV reads milterload's "key=value key=value" line.
func parseKV(s string) map[string]string {
	kv := map[string]string{}
	for _, f := range strings.Fields(s) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// freePort returns a free TCP loopback address.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitListening dials addr until it answers.
func waitListening(network, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout(network, addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening on %s after %v: %w", addr, limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cpuTime is the user and system CPU time of process pid so far (/proc/PID/stat, fields 14 and
// 15, proc(5)).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// parseStat reads utime + stime from the text of /proc/PID/stat. The command name (field 2) is
// in parentheses and may hold spaces, so the fields are counted from the last ')'.
func parseStat(s string) (time.Duration, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no ')'")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, errors.New("/proc stat: too few fields")
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// memory returns VmRSS and VmHWM (peak) of process pid in KiB (/proc/PID/status).
func memory(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStatus(string(b))
}

// parseStatus reads VmRSS and VmHWM from the text of /proc/PID/status.
func parseStatus(s string) (rss, hwm int64, err error) {
	for line := range strings.Lines(s) {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("/proc status: %s: %q", k, v)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc status: %s: %w", k, err)
		}
		if k == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
	}
	if rss == 0 || hwm == 0 {
		return 0, 0, errors.New("/proc status: no VmRSS or VmHWM")
	}
	return rss, hwm, nil
}
