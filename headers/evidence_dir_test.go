package headers

import (
	"strings"
	"testing"
)

// splitItemsDIR is the first DIR item as ParseAntispamReport's grammar (splitItems) reads it: the
// reference antispamDIR, which reads the items in place, must equal.
func splitItemsDIR(v string) string {
	dir, found := "", false
	splitItems(v, func(k, val string, ok bool) {
		if ok && !found && EqualFold(k, "DIR") {
			dir, found = val, true
		}
	})
	return strings.ToUpper(dir)
}

// TestAntispamDIR: the DIR item of real and awkward values, each as splitItems reads it.
func TestAntispamDIR(t *testing.T) {
	for _, tc := range []struct{ v, want string }{
		{"SFV:NSPM;SFS:(10019020)(396003);DIR:OUT;SFP:1102;", "OUT"},
		{"CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:x;PTR:;CAT:NONE;SFS:;DIR:INB;", "INB"},
		{"dir: inb ;DIR:OUT", "INB"},                  // keys in any case, white space trimmed, the first wins
		{"(null)DIR:(nu(null)ll)", "(NULL)"},          // "(null)" removed once: the one it leaves stays (fuzzing found it, 2026-12)
		{"DI(null)R:OUT;", "OUT"},                     // "(null)" removed before the key is read
		{"DIR:(null)OUT(null);", "OUT"},               // and from the value
		{"DIR;DIR:OUT", "OUT"},                        // an item without ':' is skipped
		{"X:1;SFS:(a)(null)(b);DIR :\r\n OUT", "OUT"}, // folded
		{"((null)null)DIR:OUT", ""},                   // one pass of removal leaves "(null)DIR" as the key
		{"SFV:NSPM;", ""},
		{"", ""},
	} {
		if got := antispamDIR(tc.v); got != tc.want {
			t.Errorf("antispamDIR(%q) = %q, want %q", tc.v, got, tc.want)
		}
		if ref := splitItemsDIR(tc.v); ref != tc.want {
			t.Errorf("splitItems reads %q as %q, the table says %q", tc.v, ref, tc.want)
		}
	}
}

// FuzzAntispamDIR: antispamDIR reads every value as splitItems does.
func FuzzAntispamDIR(f *testing.F) {
	for _, s := range []string{"SFV:NSPM;DIR:OUT;", "DI(null)R:x", "((null)null)DIR:OUT", "a:b;(null);DIR:(nu(null)ll)x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := antispamDIR(v), splitItemsDIR(v); got != want {
			t.Errorf("antispamDIR(%q) = %q, splitItems reads %q", v, got, want)
		}
	})
}
