package main

import (
	"context"
	"slices"
	"testing"
)

// TestCommandPins: a CPU-time comparison's processes run on the one CPU -pin names; the others,
// and all with -pin -1, run the binary directly.
func TestCommandPins(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pin    int
		pinned bool
		want   []string
	}{
		{"CPU time", 0, true, []string{"taskset", "-c", "0", "/b/x.test", "-test.run", "^$"}},
		{"CPU time on CPU 1", 1, true, []string{"taskset", "-c", "1", "/b/x.test", "-test.run", "^$"}},
		{"CPU time, -pin -1", -1, true, []string{"/b/x.test", "-test.run", "^$"}},
		{"wall time", 0, false, []string{"/b/x.test", "-test.run", "^$"}},
	} {
		r := &runner{pin: tc.pin}
		cmd := r.command(context.Background(), tc.pinned, "/b/x.test", "-test.run", "^$")
		if !slices.Equal(cmd.Args, tc.want) { // Args[0] is the name as given
			t.Errorf("%s: %q, want %q", tc.name, cmd.Args, tc.want)
		}
	}
}
