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

// parseDate reads a trace or message date the way spec/headers.md §1.1 describes MHA doing:
// white space collapsed, trailing comments such as "(CEST)" or "(UTC)" dropped, a zone name
// after a numeric offset dropped ("+0000 UTC"), a lone UTC/GMT or RFC 5322 obsolete zone turned
// into its offset, and a missing zone read as +0000. It reports false when nothing fits.
func parseDate(s string) (time.Time, bool) {
	var buf [12]string
	f := buf[:0]
	for w := range wordsSeq(s, " \t\r\n") {
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
