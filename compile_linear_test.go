//go:build unix

package tenantgate_test

import (
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/benchconfig"
)

// TestCompileScalesLinearly compares the CPU time of one Compile of 20,000 tenants with that of
// eight Compiles of 2,500 (benchconfig.Config): the same work if every check is linear, so a
// ratio near 1. A check that searches the earlier entries of a list for each entry (as the
// identity checks once did) does 8 times as much work at 20,000 (ratio about 5 with the former
// identity checks). The garbage collector is off while measuring, so that its work, which grows
// with the live heap rather than with the configuration, does not count; process CPU time
// rather than wall time, so that other processes on the machine do not count either. The
// fastest of three rounds counts.
func TestCompileScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 20,000 tenants several times")
	}
	small, large := benchconfig.Config(2500), benchconfig.Config(20000)
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	cpu := func(cfg tenantgate.Config, times int) time.Duration {
		runtime.GC()
		start := cpuTime(t)
		for range times {
			if _, err := tenantgate.Compile(cfg); err != nil {
				t.Fatal(err)
			}
		}
		return cpuTime(t) - start
	}
	var s, l time.Duration
	for i := range 3 {
		rs, rl := cpu(small, 8), cpu(large, 1)
		if i == 0 || rs < s {
			s = rs
		}
		if i == 0 || rl < l {
			l = rl
		}
	}
	if s <= 0 {
		t.Fatalf("no CPU time measured for 8×2,500 tenants")
	}
	ratio := float64(l) / float64(s)
	if ratio > 2.5 {
		t.Errorf("Compile of 20,000 tenants takes %.1f× the CPU time of 8 Compiles of 2,500 (%v vs %v); want about 1 (linear)", ratio, l, s)
	} else {
		t.Logf("1×20,000 vs 8×2,500 tenants: %.2f× (%v vs %v CPU)", ratio, l, s)
	}
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
