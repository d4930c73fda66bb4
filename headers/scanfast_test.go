package headers

import (
	"bytes"
	"testing"
)

// checkPlainLine fails t unless the scanner's fast path agrees with its byte-by-byte path on
// line b from state st: when plainLine takes the line, scanSlow takes it too, without error,
// and leaves the same state; when plainLine declines, it has changed nothing. Both ways of
// calling plainLine are checked: searching b for NUL, and told (truly) that b holds none.
func checkPlainLine(t *testing.T, st scanner, b []byte) {
	t.Helper()
	for _, noNUL := range []bool{false, true} {
		if noNUL && bytes.IndexByte(b, 0) >= 0 {
			continue
		}
		fast := st
		if !fast.plainLine(b, noNUL) {
			if fast != st {
				t.Fatalf("plainLine(%q, %v) declined but changed the scanner: %+v, was %+v", b, noNUL, fast, st)
			}
			continue
		}
		slow := st
		n, err := slow.scanSlow(b)
		if err != nil || n != len(b) || slow != fast {
			t.Fatalf("plainLine(%q, %v) from %+v: %+v; scanSlow: %d bytes, %v, %+v", b, noNUL, st, fast, n, err, slow)
		}
	}
}

// scannerStates returns states a scanner is in at the start of a line (and a few it is not):
// before the first field, after some, at MaxFields, near MaxBytes, with a short MaxLineLength,
// after a bare CR, inside a line or a name, after the blank line.
func scannerStates() []scanner {
	l := Limits{}.withDefaults()
	return []scanner{
		{l: l, line: 1},
		{l: l, line: 7, fields: 5, total: 300},
		{l: Limits{MaxBytes: 1000, MaxFields: 5, MaxLineLength: 100}, line: 7, fields: 5, total: 300},
		{l: Limits{MaxBytes: 340, MaxFields: 50, MaxLineLength: 100}, line: 7, fields: 5, total: 300},
		{l: Limits{MaxBytes: 1000, MaxFields: 50, MaxLineLength: 12}, line: 7, fields: 5, total: 300},
		{l: l, line: 7, fields: 5, total: 300, cr: true},
		{l: l, line: 7, fields: 5, total: 300, col: 3},
		{l: l, line: 7, fields: 5, total: 300, col: 3, inName: true, nameLen: 3},
		{l: l, line: 7, fields: 5, total: 300, done: true},
	}
}

// TestPlainLineMatchesScan: scan's fast path (plainLine) gives the byte-by-byte path's result
// for every line of the corpus, for each line with a byte that one of Read's checks looks at
// inserted or substituted at a spread of positions, and from every state of scannerStates.
func TestPlainLineMatchesScan(t *testing.T) {
	var lines [][]byte
	seen := map[string]bool{}
	for _, b := range refBlocks(t) {
		for len(b) > 0 {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				i = len(b) - 1
			}
			if line := b[:i+1]; !seen[string(line)] {
				seen[string(line)] = true
				lines = append(lines, line)
			}
			b = b[i+1:]
		}
	}
	lines = append(lines, []byte("\n"), []byte("\r\n"), []byte(":\r\n"), []byte(" \r\n"), []byte("\t\n"), []byte("A:\n"),
		[]byte("A:\r"), []byte("A:"), []byte("A"), []byte("A\r\n"), []byte("A :b\n"), []byte("A:b\r\r\n"), []byte("A:\x00\n"))
	states := scannerStates()
	for _, line := range lines {
		for _, st := range states {
			checkPlainLine(t, st, line)
		}
		step := 1 + len(line)/4
		for i := 0; i <= len(line); i += step {
			for _, c := range []byte{0, '\r', '\n', ':', ' ', '\t', 0x80, 0x7f, 0x20, 'a'} {
				ins := append(append(append([]byte{}, line[:i]...), c), line[i:]...)
				for _, st := range states {
					checkPlainLine(t, st, ins)
					if i < len(line) {
						sub := append([]byte{}, line...)
						sub[i] = c
						checkPlainLine(t, st, sub)
					}
				}
			}
		}
	}
}

// FuzzPlainLine: scan's fast path and its byte-by-byte path agree on every line and state.
func FuzzPlainLine(f *testing.F) {
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id: 1\r\n"), 0)
	f.Add([]byte(" folded\n"), 1)
	f.Add([]byte("A:b\r\r\n"), 3)
	states := scannerStates()
	f.Fuzz(func(t *testing.T, b []byte, k int) {
		if k < 0 {
			k = -k
		}
		checkPlainLine(t, states[k%len(states)], b)
	})
}
