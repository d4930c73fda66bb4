package headers

import (
	"strings"
	"time"
)

// obsZone returns the offset of an RFC 5322 §4.3 obsolete zone name (upper case); any other
// alphabetic zone is refused rather than read as UTC (time.Parse would invent a zero offset).
func obsZone(z string) (string, bool) {
	switch z {
	case "UT", "UTC", "GMT", "Z":
		return "+0000", true
	case "EST":
		return "-0500", true
	case "EDT":
		return "-0400", true
	case "CST":
		return "-0600", true
	case "CDT":
		return "-0500", true
	case "MST":
		return "-0700", true
	case "MDT":
		return "-0600", true
	case "PST":
		return "-0800", true
	case "PDT":
		return "-0700", true
	}
	return "", false
}

// dateLayouts are tried in order on the normalised text (zone always numeric). time.Parse
// accepts fractional seconds after the seconds field without a layout for them.
func dateLayouts() [10]string {
	return [...]string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04 -0700",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"2 Jan 06 15:04:05 -0700",
		"Mon 2 Jan 2006 15:04:05 -0700",
		"Mon Jan 2 15:04:05 2006 -0700",
		"2006-1-2 15:04:05 -0700",
		"2006-1-2T15:04:05 -0700",
	}
}

// parseDate reads a trace or message date the way docs/headers.md#dates describes MHA doing:
// white space collapsed, trailing comments such as "(CEST)" or "(UTC)" dropped, a zone name
// after a numeric offset dropped ("+0000 UTC"), a lone UTC/GMT or RFC 5322 obsolete zone turned
// into its offset, and a missing zone read as +0000. It reports false when nothing fits.
func parseDate(s string) (time.Time, bool) {
	if t, ok := parseDateFast(s); ok {
		return t, true
	}
	return parseDateSlow(s)
}

// parseDateSlow is parseDate's general path, over time.Parse.
func parseDateSlow(s string) (time.Time, bool) {
	var buf [12]string
	f := buf[:0]
	for w := range wordsSeq(s, false) {
		if len(f) == len(buf) {
			return time.Time{}, false
		}
		f = append(f, w)
	}
	if len(f) == 0 {
		return time.Time{}, false
	}
	// A comment may hold the only zone ("… 12:00:00 (UTC)"); remember it.
	commentZone := ""
	for len(f) > 0 {
		last := f[len(f)-1]
		if !strings.HasSuffix(last, ")") {
			break
		}
		// Drop words back to the one opening this comment.
		k := len(f) - 1
		for k >= 0 && !strings.HasPrefix(f[k], "(") {
			k--
		}
		if k < 0 {
			return time.Time{}, false
		}
		if k == len(f)-1 {
			z := strings.ToUpper(strings.Trim(last, "()"))
			if off, ok := obsZone(z); ok && commentZone == "" {
				commentZone = off
			}
		}
		f = f[:k]
	}
	if len(f) < 2 {
		return time.Time{}, false
	}
	last := f[len(f)-1]
	switch {
	case isNumericZone(last):
	case isNumericZone(f[len(f)-2]) && isAlpha(last):
		f = f[:len(f)-1] // "+0000 UTC"
	case isAlpha(last):
		off, ok := obsZone(strings.ToUpper(last))
		if !ok {
			return time.Time{}, false
		}
		f[len(f)-1] = off
	case strings.HasSuffix(last, "Z") && strings.Contains(last, "T"):
		f[len(f)-1] = strings.TrimSuffix(last, "Z")
		f = append(f, "+0000")
	default:
		if commentZone == "" {
			commentZone = "+0000"
		}
		f = append(f, commentZone)
	}
	norm := strings.Join(f, " ")
	for _, l := range dateLayouts() {
		if t, err := time.Parse(l, norm); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isNumericZone(s string) bool {
	return len(s) == 5 && (s[0] == '+' || s[0] == '-') && isDigits(s[1:])
}

func isAlpha(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// parseDateFast reads the form nearly every trace field uses, "[Mon, ]2 Jan 2006 15:04:05[.f]
// -0700[ (comment)]" or with an obsolete zone name instead of the offset ("… 15:04:05 GMT"),
// without time.Parse; anything else is left to parseDate's general path.
func parseDateFast(s string) (time.Time, bool) {
	var f [8]string
	n := 0
	for w := range wordsSeq(s, false) {
		if n == len(f) {
			return time.Time{}, false
		}
		f[n] = w
		n++
	}
	w := f[:n]
	if len(w) > 0 && strings.HasSuffix(w[0], ",") {
		if len(w[0]) != 4 || !looksLikeDateStart(w[0]) {
			return time.Time{}, false
		}
		w = w[1:]
	}
	if len(w) > 4 && strings.HasPrefix(w[4], "(") {
		if !strings.HasSuffix(w[len(w)-1], ")") {
			return time.Time{}, false
		}
		w = w[:4]
	}
	if len(w) == 6 && strings.HasPrefix(w[5], "(") && strings.HasSuffix(w[5], ")") {
		w = w[:5]
	}
	if len(w) != 5 {
		return time.Time{}, false
	}
	zone, named := w[4], false
	if !isNumericZone(zone) {
		if zone, named = obsZoneFold(zone); !named {
			return time.Time{}, false
		}
	}
	day, ok1 := atoiN(w[0], 1, 2)
	year, ok2 := atoiN(w[2], 4, 4)
	mon := monthOf(w[1])
	if !ok1 || !ok2 || mon == 0 {
		return time.Time{}, false
	}
	hms := w[3]
	if len(hms) < 8 || hms[2] != ':' || hms[5] != ':' {
		return time.Time{}, false
	}
	hh, ok1 := atoiN(hms[0:2], 2, 2)
	mm, ok2 := atoiN(hms[3:5], 2, 2)
	ss, ok3 := atoiN(hms[6:8], 2, 2)
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	nsec := 0
	if rest := hms[8:]; rest != "" {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 || !isDigits(rest[1:]) {
			return time.Time{}, false
		}
		for i := 1; i < 10; i++ {
			nsec *= 10
			if i < len(rest) {
				nsec += int(rest[i] - '0')
			}
		}
	}
	if day < 1 || day > daysIn(mon, year) || ss == 60 {
		return time.Time{}, false // leave leap seconds and impossible dates to the general path
	}
	zh, _ := atoiN(zone[1:3], 2, 2)
	zm, _ := atoiN(zone[3:5], 2, 2)
	if zh > 23 || zm > 59 {
		return time.Time{}, false
	}
	off := (zh*60 + zm) * 60
	if zone[0] == '-' {
		off = -off
	}
	if named {
		return parsedZone(time.Date(year, mon, day, hh, mm, ss, nsec, time.UTC), off), true
	}
	loc := time.UTC
	if off != 0 || zone[0] == '-' {
		loc = time.FixedZone("", off)
	}
	return time.Date(year, mon, day, hh, mm, ss, nsec, loc), true
}

// obsZoneFold is obsZone for a zone name in any ASCII case, as the general path reads one
// (isAlpha, then obsZone of the upper-case name), without the upper-case copy.
func obsZoneFold(z string) (string, bool) {
	if !isAlpha(z) {
		return "", false
	}
	for _, name := range [...]string{"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"} {
		if EqualFold(z, name) {
			return obsZone(name)
		}
	}
	return "", false
}

// parsedZone returns wall (the date and time as written, in UTC) read in a zone off seconds east
// of UTC, with the Location time.Parse gives a time whose zone is a numeric offset: time.Local
// when Local has that offset at that instant, otherwise an unnamed fixed zone. The general path
// hands an obsolete zone name to time.Parse as its offset; the fast path must answer the same.
func parsedZone(wall time.Time, off int) time.Time {
	t := wall.Add(-time.Duration(off) * time.Second)
	if _, o := t.In(time.Local).Zone(); o == off {
		return t.In(time.Local)
	}
	return t.In(time.FixedZone("", off))
}

func atoiN(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen || !isDigits(s) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// monthOf returns the month whose English abbreviation s is, in any case (0 if none). The ASCII
// fold is strings.EqualFold's answer here: three bytes holding a non-ASCII byte are fewer than
// three runes, so they match no abbreviation either way.
func monthOf(s string) time.Month {
	if len(s) != 3 {
		return 0
	}
	const names = "janfebmaraprmayjunjulaugsepoctnovdec"
	for m := 0; m < 12; m++ {
		if EqualFold(s, names[3*m:3*m+3]) {
			return time.Month(m + 1)
		}
	}
	return 0
}

// daysIn is the number of days of month m in year (proleptic Gregorian, as the time package
// counts them), without normalising a time.Date.
func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
