package main

import (
	"context"
	"slices"
	"testing"
)

// TestCommandPinsRatioRows: a ratio row's baseline and candidate run on the one CPU -pin names;
// a row that is no ratio of two processes (absolute times, the relay's own ratio) and -pin -1
// run the binary directly.
func TestCommandPinsRatioRows(t *testing.T) {
	ratio := row{Check: ratioAtMost}
	for _, tc := range []struct {
		name string
		pin  int
		rw   row
		want []string
	}{
		{"ratio row", 0, ratio, []string{"taskset", "-c", "0", "/b/x.test", "-test.run", "^$"}},
		{"ratio row, CPU 1", 1, ratio, []string{"taskset", "-c", "1", "/b/x.test", "-test.run", "^$"}},
		{"ratio row, no pinning", -1, ratio, []string{"/b/x.test", "-test.run", "^$"}},
		{"absolute row", 0, row{Check: nsBelow}, []string{"/b/x.test", "-test.run", "^$"}},
		{"metric row", 0, row{Check: metricAtLeast}, []string{"/b/x.test", "-test.run", "^$"}},
	} {
		r := &runner{pin: tc.pin}
		cmd := r.command(context.Background(), tc.rw, "/b/x.test", "-test.run", "^$")
		if !slices.Equal(cmd.Args, tc.want) { // Args[0] is the name as given
			t.Errorf("%s: %q, want %q", tc.name, cmd.Args, tc.want)
		}
	}
}
