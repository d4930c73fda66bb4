package main

import "testing"

// TestBareAtIsTheByteLoop holds bareAt to the byte-at-a-time check messageReader made before
// (every LF must follow a CR, every CR be followed by LF, also across pieces): exhaustively, for
// every piece of up to 7 bytes of 'a', CR and LF, after a piece that did or did not end in CR.
func TestBareAtIsTheByteLoop(t *testing.T) {
	byteLoop := func(b []byte, cr bool) int {
		for i, c := range b {
			if cr && c != '\n' || !cr && c == '\n' {
				return i
			}
			cr = c == '\r'
		}
		return -1
	}
	alphabet := []byte{'a', '\r', '\n'}
	var walk func(b []byte)
	walk = func(b []byte) {
		for _, cr := range []bool{false, true} {
			if got, want := bareAt(b, cr), byteLoop(b, cr); got != want {
				t.Fatalf("bareAt(%q, cr=%v) = %d, the byte loop says %d", b, cr, got, want)
			}
		}
		if len(b) == 7 {
			return
		}
		for _, c := range alphabet {
			walk(append(b, c))
		}
	}
	walk(nil)
}
