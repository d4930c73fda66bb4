//go:build unix

package main

import (
	"runtime"
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used so far.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// burnCPU spends d of CPU time on the calling goroutine's thread (measured with the thread's own
// CPU clock where the system has one, so that a busy machine cannot make it cheaper): the extra
// work the benchmark's self-test injects into the relay. It returns a value of the work, so that
// the compiler keeps it.
func burnCPU(d time.Duration) uint64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, ok := threadCPU()
	if !ok {
		start, _ = processCPU()
	}
	x := uint64(1)
	for {
		for i := 0; i < 2000; i++ { // a few microseconds between clock reads
			x = x*6364136223846793005 + 1442695040888963407
		}
		now, ok := threadCPU()
		if !ok {
			now, _ = processCPU()
		}
		if now-start >= d {
			return x
		}
	}
}
