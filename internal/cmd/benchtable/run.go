package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// runner builds the binaries once and runs each benchmark in a fresh process.
type runner struct {
	root      string        // module root (holds go.mod and go.work)
	dir       string        // where the binaries go
	benchtime string        // default -test.benchtime
	cputime   bool          // compare CPU time per iteration in the rows that have CPUIters
	timeout   time.Duration // per process
	pin       int           // the CPU the CPU-time comparisons run on (taskset); -1: any
	exota     string        // the command starting ExOTA-Milter (milterbench -peer); "": none
	bins      map[string]string
}

// command returns the command that runs bin with args; with pinned, on CPU r.pin. The CPU-time
// comparisons (cpuPerOp) pin their processes: they run on one CPU anyway (GOMAXPROCS 1), the
// CPUs of a virtual machine need not be equally fast (on the machine of the README's table one
// ran the same benchmark 1.75× slower than the other for an hour), and a baseline on one and a
// candidate on the other would compare the CPUs. The wall-time rows are not pinned: their
// garbage collector works on the other CPU, and pinned, a candidate with a larger heap (100,000
// tenants) would pay its marking in the time measured.
func (r *runner) command(ctx context.Context, pinned bool, bin string, args ...string) *exec.Cmd {
	if pinned && r.pin >= 0 {
		return exec.CommandContext(ctx, "taskset", append([]string{"-c", strconv.Itoa(r.pin), bin}, args...)...)
	}
	return exec.CommandContext(ctx, bin, args...)
}

// binary returns the path of pkg's test binary (or, for compilebench, the command), building it
// on first use.
func (r *runner) binary(ctx context.Context, pkg string) (string, error) {
	if b, ok := r.bins[pkg]; ok {
		return b, nil
	}
	name := strings.NewReplacer("/", "_", ".", "_").Replace(strings.TrimPrefix(pkg, "./"))
	if name == "" || name == "_" {
		name = "root"
	}
	out := filepath.Join(r.dir, name+".test")
	args := []string{"test", "-c", "-o", out, pkg}
	if pkg == compilebenchPkg {
		out = filepath.Join(r.dir, "compilebench")
		args = []string{"build", "-o", out, pkg}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	r.bins[pkg] = out
	return out, nil
}

// bench runs one benchmark alone in a fresh test binary process and returns its metrics.
func (r *runner) bench(ctx context.Context, rw row, name string) (map[string]float64, error) {
	bin, err := r.binary(ctx, rw.Pkg)
	if err != nil {
		return nil, err
	}
	bt := r.benchtime
	if rw.Benchtime != "" {
		bt = rw.Benchtime
	}
	args := []string{"-test.run", "^$", "-test.bench", benchPattern(name), "-test.benchtime", bt,
		"-test.count", "1", "-test.benchmem", "-test.timeout", r.timeout.String()}
	args = append(args, rw.Args...)
	ctx, cancel := context.WithTimeout(ctx, r.timeout+30*time.Second)
	defer cancel()
	cmd := r.command(ctx, false, bin, args...)
	cmd.Dir = filepath.Join(r.root, rw.Pkg) // as go test runs it: testdata is relative
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err = cmd.Run()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", filepath.Base(bin), name, err, tail(out.String()))
	}
	m, ok := find(out.String(), name)
	if !ok {
		return nil, fmt.Errorf("%s: no result line for %s in\n%s", filepath.Base(bin), name, tail(out.String()))
	}
	return m, nil
}

// cpuPerOp runs one benchmark alone for n+1 and for 1 iteration, each in a fresh process with
// GOMAXPROCS 1 (-test.cpu 1), and returns the difference of the processes' CPU time (user and
// system) divided by n, in nanoseconds: the CPU one iteration costs, the garbage collector's
// share included and start-up excluded, whatever else the machine runs. (With a second P the
// runtime lets idle mark workers take the idle core during every collection, CPU that follows
// the wall time of the collections rather than the work.)
func (r *runner) cpuPerOp(ctx context.Context, rw row, name string, n int) (float64, error) {
	bin, err := r.binary(ctx, rw.Pkg)
	if err != nil {
		return 0, err
	}
	run := func(iters int) (float64, error) {
		args := append([]string{"-test.run", "^$", "-test.bench", benchPattern(name), "-test.benchtime", fmt.Sprintf("%dx", iters),
			"-test.count", "1", "-test.timeout", r.timeout.String(), "-test.cpu", "1"}, rw.Args...)
		ctx, cancel := context.WithTimeout(ctx, r.timeout+30*time.Second)
		defer cancel()
		cmd := r.command(ctx, true, bin, args...)
		cmd.Dir = filepath.Join(r.root, rw.Pkg)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("%s %s: %v\n%s", filepath.Base(bin), name, err, tail(out.String()))
		}
		if _, ok := find(out.String(), name); !ok {
			return 0, fmt.Errorf("%s: no result line for %s in\n%s", filepath.Base(bin), name, tail(out.String()))
		}
		return float64(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()), nil
	}
	full, err := run(n + 1)
	if err != nil {
		return 0, err
	}
	one, err := run(1)
	if err != nil {
		return 0, err
	}
	return (full - one) / float64(n), nil
}

// process runs the compilebench command once and returns its wall time in nanoseconds and its
// peak RSS in bytes.
func (r *runner) process(ctx context.Context, rw row) (compileNS, wallNS, rss float64, err error) {
	bin, err := r.binary(ctx, rw.Pkg)
	if err != nil {
		return 0, 0, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, rw.Command...)
	cmd.Dir = r.root
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("compilebench: %v\n%s", err, tail(out.String()))
	}
	peak, ok := maxRSS(cmd.ProcessState)
	if !ok {
		return 0, 0, 0, errors.New("compilebench: peak RSS is not available on this system")
	}
	compile, err := compileTime(out.String())
	if err != nil {
		return 0, 0, 0, err
	}
	return float64(compile.Nanoseconds()), float64(wall.Nanoseconds()), float64(peak), nil
}

// compileTime reads how long Compile took from compilebench's line
// "tenants N: generate D, compile D".
func compileTime(out string) (time.Duration, error) {
	for _, line := range strings.Split(out, "\n") {
		if _, after, ok := strings.Cut(line, ", compile "); ok && strings.HasPrefix(line, "tenants ") {
			return time.ParseDuration(strings.TrimSpace(after))
		}
	}
	return 0, fmt.Errorf("compilebench printed no compile time:\n%s", tail(out))
}

// tail returns the last lines of a process's output, for error messages.
func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// moduleRoot checks that dir is the module root the rows' package paths are relative to.
func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(abs, "go.work")); err != nil {
		return "", fmt.Errorf("%s is not the tenantgate module root (no go.work): run from the repository root or pass -root", abs)
	}
	return abs, nil
}
