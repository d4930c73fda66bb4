// Command milterbench measures the milter (examples/milter) under load with
// ../shared/tools/milterload: transactions per second at several concurrencies over TCP loopback
// and a unix socket, the milter process's CPU time per transaction (from /proc/PID/stat) and its
// resident memory after the highest concurrency (/proc/PID/status). Run from the repository root:
//
//	go run ./internal/cmd/milterbench                      # print the table
//	go run ./internal/cmd/milterbench -n 5000 -conc 1,16,64,128
//	go run ./internal/cmd/milterbench -peer 'CMD'          # and a comparison milter, e.g. ExOTA-Milter
//	go run ./internal/cmd/milterbench -kv                  # one key=value line per run, for programs
//
// It builds the milter and milterload into a temporary directory, writes a policy (ExOTA-Milter's
// JSON policy format, which both milters read) for the tenant and domain milterload sends, starts
// a fresh milter process per network and runs milterload against it once per concurrency, every
// transaction on its own connection with a real 75-field Exchange Online header block. A run in
// which any transaction is not accepted with the verdict header fails. -peer runs a second
// milter with the same client and policy: CMD is run with sh -c with MILTER_SOCKET
// ("inet:PORT@127.0.0.1" or "unix:PATH", ExOTA-Milter's form), MILTER_POLICY_FILE and
// MILTERBENCH_ADDR set. Linux only (/proc).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	root, milterload, eml, peer, peerLabel, peerHeader string
	n                                                  int
	kv                                                 bool
	conc                                               []int
	networks                                           []string
	timeout                                            time.Duration
}

func main() {
	var o options
	conc := flag.String("conc", "1,16,64,128", "concurrencies (milterload -c), comma-separated")
	networks := flag.String("networks", "tcp,unix", "networks: tcp (loopback), unix")
	flag.StringVar(&o.root, "root", ".", "repository root (holds go.work)")
	flag.StringVar(&o.milterload, "milterload", "../shared/tools/milterload", "milterload source `dir` (relative to -root)")
	flag.StringVar(&o.eml, "eml", "testdata/headers/lore-linux-hyperv-2026-07-intel.com-outbound-hosted.eml", "header block milterload sends, 75 fields (relative to -root)")
	flag.StringVar(&o.peer, "peer", "", "`command` starting a comparison milter (see the package documentation)")
	flag.StringVar(&o.peerLabel, "peer-label", "ExOTA-Milter", "column name of -peer")
	flag.StringVar(&o.peerHeader, "peer-header", "", "field -peer adds to every accepted message (\"\": not checked)")
	flag.IntVar(&o.n, "n", 2000, "transactions per run")
	flag.BoolVar(&o.kv, "kv", false, "print one key=value line per run instead of the tables (internal/cmd/benchtable reads them)")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "limit for one milterload run")
	flag.Parse()
	var err error
	if o.conc, err = ints(*conc); err != nil {
		fail(err)
	}
	o.networks = strings.Split(*networks, ",")
	for _, nw := range o.networks {
		if nw != "tcp" && nw != "unix" {
			fail(fmt.Errorf("-networks: %q is neither tcp nor unix", nw))
		}
	}
	if o.n < 1 {
		fail(fmt.Errorf("-n must be at least 1"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "milterbench:", err)
	os.Exit(1)
}

// ints parses "1,16,64".
func ints(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("-conc: %q is not a positive number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// under resolves a path relative to the repository root; an absolute path stays.
func under(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

func run(ctx context.Context, o options) error {
	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.work")); err != nil {
		return fmt.Errorf("%s is not the repository root (no go.work): run from there or pass -root", root)
	}
	dir, err := os.MkdirTemp("", "milterbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	w := &workspace{root: root, dir: dir, eml: under(root, o.eml)}
	if err := w.build(ctx, under(root, o.milterload)); err != nil {
		return err
	}
	if err := w.writeConfig(); err != nil {
		return err
	}
	start := time.Now().UTC()
	load0 := loadAverage()
	var results []result
	subjects := []subject{{label: "tenantgate", start: w.startOurs, header: verdictHeader}}
	if o.peer != "" {
		subjects = append(subjects, subject{label: o.peerLabel, start: w.startPeer(o.peer), header: o.peerHeader})
	}
	for _, s := range subjects {
		for _, nw := range o.networks {
			rs, err := w.measure(ctx, s, nw, o)
			results = append(results, rs...)
			if err != nil {
				return err
			}
		}
	}
	if o.kv {
		fmt.Print(kvLines(results))
		return nil
	}
	fmt.Print(table(results, subjects, o, start, load0, loadAverage()))
	return nil
}
