//go:build !linux

package main

import "os"

// maxRSS is only implemented on Linux, where ru_maxrss is in KiB (other systems differ).
func maxRSS(*os.ProcessState) (int64, bool) { return 0, false }
