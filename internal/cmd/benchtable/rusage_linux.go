//go:build linux

package main

import (
	"os"
	"syscall"
)

// maxRSS returns the peak resident set size of a finished child process in bytes (ru_maxrss,
// which Linux reports in KiB).
func maxRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	return ru.Maxrss * 1024, true
}
