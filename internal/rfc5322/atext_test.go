package rfc5322

import (
	"strings"
	"testing"
)

// TestIsAtext checks every byte against RFC 5322 §3.2.3's atext: ALPHA / DIGIT and the 19
// specials spelled out there; specials, controls, space, DEL and non-ASCII are not atext.
func TestIsAtext(t *testing.T) {
	const specials = "!#$%&'*+-/=?^_`{|}~"
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte(specials, b) >= 0
		if got := IsAtext(b); got != want {
			t.Errorf("IsAtext(%q) = %v, want %v", b, got, want)
		}
	}
	for _, c := range []byte{'(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',', '.', '"', ' ', 0x7f, 0x80, 0xff} {
		if IsAtext(c) {
			t.Errorf("IsAtext(%q): a special or non-atext byte accepted", c)
		}
	}
}
