//go:build !unix

package main

import "time"

func processCPU() (time.Duration, bool) { return 0, false }

func burnCPU(d time.Duration) uint64 {
	n := uint64(0)
	for start := time.Now(); time.Since(start) < d; n++ {
	}
	return n
}
