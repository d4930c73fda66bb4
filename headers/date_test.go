package headers

import (
	"reflect"
	"testing"
	"time"
)

// TestParseDateFastNamedZone: the fast path reads a date with an RFC 5322 obsolete zone name
// (Oracle's and Proofpoint's trace fields end in "GMT") and answers exactly what the general
// path answers, Location included: the general path gives time.Parse the name's offset, and
// time.Parse puts a time in time.Local when Local has that offset at that instant, else in an
// unnamed fixed zone. Each Local below makes a different one of those choices.
func TestParseDateFastNamedZone(t *testing.T) {
	locals := []*time.Location{time.UTC, time.FixedZone("EST", -5*3600)}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		locals = append(locals, ny) // EST in winter, EDT in summer
	}
	dates := []string{
		"Wed, 4 Mar 2026 15:49:31 GMT",
		"4 Mar 2026 15:49:31 gmt",
		"Wed, 04 Mar 2026 15:49:31.25 UT",
		"Wed, 4 Mar 2026 15:49:31 Z (comment)",
		"Mon, 6 Jul 2026 08:00:00 EDT",
		"Mon, 2 Mar 2026 08:00:00 EST",
		"Mon, 6 Jul 2026 08:00:00 EST",
		"Tue, 3 Mar 2026 23:59:59 PDT",
		"3 Mar 2026 00:00:00 cst",
	}
	saved := time.Local
	defer func() { time.Local = saved }()
	for _, loc := range locals {
		time.Local = loc
		for _, s := range dates {
			fast, ok := parseDateFast(s)
			if !ok {
				t.Errorf("Local %s: %q: the fast path does not answer", loc, s)
				continue
			}
			slow, ok := parseDateSlow(s)
			if !ok || !reflect.DeepEqual(fast, slow) || fast.Location().String() != slow.Location().String() {
				t.Errorf("Local %s: %q: fast %v (%s), general %v (%s, %v)", loc, s, fast, fast.Location(), slow, slow.Location(), ok)
			}
		}
	}
}
