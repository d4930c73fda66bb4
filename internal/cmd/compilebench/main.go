// Command compilebench generates the configuration of BenchmarkCompile (benchconfig.Config) for
// a number of tenants, compiles it and exits, so that /usr/bin/time -v measures the wall time and
// peak RSS of the whole process (README "Performance"):
//
//	go build -o /tmp/compilebench ./internal/cmd/compilebench
//	/usr/bin/time -v /tmp/compilebench -tenants 100000
//
// With -lint it also lints the compiled topology (topology.Lint); with -json FILE it writes the
// configuration as JSON instead, for measuring mailflow lint; -cpuprofile FILE profiles it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/benchconfig"
	"github.com/tenantgate/tenantgate/topology"
)

func main() {
	n := flag.Int("tenants", 100000, "number of tenants")
	lint := flag.Bool("lint", false, "also run topology.Lint on the compiled directory")
	out := flag.String("json", "", "write the configuration as JSON to this file instead of compiling it")
	prof := flag.String("cpuprofile", "", "write a CPU profile of compiling (and linting) to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "compilebench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*n, *lint, *out); err != nil {
		fmt.Fprintln(os.Stderr, "compilebench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(n int, lint bool, out string) error {
	start := time.Now()
	cfg := benchconfig.Config(n)
	gen := time.Since(start)
	if out != "" {
		data, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	}
	start = time.Now()
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		return err
	}
	fmt.Printf("tenants %d: generate %v, compile %v\n", n, gen.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if lint {
		start = time.Now()
		fs := topology.Lint(d, topology.Options{})
		fmt.Printf("lint %v, %d findings\n", time.Since(start).Round(time.Millisecond), len(fs))
	}
	return nil
}
