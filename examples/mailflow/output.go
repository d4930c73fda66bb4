package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Output formats of the commands that print flows (--format).
const (
	formatText    = "text"
	formatJSON    = "json"
	formatMermaid = "mermaid"
)

// formatFlag registers --format on fs, accepting the given formats; the first is the default.
func formatFlag(fs *flag.FlagSet, formats ...string) *string {
	return fs.String("format", formats[0], "output format: "+strings.Join(formats, ", "))
}

// checkFormat reports a usage error for a format not in formats.
func checkFormat(cmd, got string, formats ...string) error {
	for _, f := range formats {
		if got == f {
			return nil
		}
	}
	return fmt.Errorf("%s: --format %q is not one of %s", cmd, got, strings.Join(formats, ", "))
}

// useColor reports whether w is a terminal that wants colour: an *os.File that is a character
// device, with NO_COLOR unset (https://no-color.org) and TERM not "dumb". Output to files, pipes
// and tests is never coloured.
func useColor(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// style is one ANSI colour used in text output.
type style string

const (
	styleBold   style = "1"
	styleRed    style = "1;31"
	styleGreen  style = "32"
	styleYellow style = "33"
	styleDim    style = "2"
)

// textOut writes text output: lines at most width columns wide (longer ones are wrapped or
// clipped), control characters from the input shown as U+FFFD, colour only when enabled.
type textOut struct {
	w     io.Writer
	color bool
}

// paint wraps s in the ANSI sequence for st when colour is on.
func (o *textOut) paint(st style, s string) string {
	if !o.color || s == "" {
		return s
	}
	return "\x1b[" + string(st) + "m" + s + "\x1b[0m"
}

// line prints one line; s must already fit (it is clipped otherwise). Painted parts are added by
// the caller after sanitizing, so line only sanitizes text that carries no escape sequence.
func (o *textOut) line(s string) {
	fmt.Fprintln(o.w, strings.TrimRight(s, " "))
}

// wrap prints text as lines of at most width columns: the first starts with first, the following
// with an indent as wide as first. Words longer than a line are cut, except URLs, which stay whole
// on a line of their own so that terminals still recognise them.
func (o *textOut) wrap(first, text string) {
	for _, l := range wrapLines(first, sanitize(text)) {
		o.line(l)
	}
}

// wrapLines breaks text into lines of at most width runes, the first prefixed with first and the
// others with spaces of the same width; URLs stay whole (wrapWords).
func wrapLines(first, text string) []string { return wrapWords(first, text, width, true) }

// wrapWords breaks text into lines of at most w runes: the first prefixed with first, the others
// with spaces as wide. A word longer than a line is cut across lines, never dropped — except, with
// keepURLs, a URL, which stays whole on a line of its own so that terminals still recognise it.
func wrapWords(first, text string, w int, keepURLs bool) []string {
	indent := strings.Repeat(" ", utf8.RuneCountInString(first))
	avail := max(w-utf8.RuneCountInString(first), 20)
	var lines []string
	cur, n := "", 0
	flush := func() {
		p := indent
		if len(lines) == 0 {
			p = first
		}
		lines = append(lines, p+cur)
		cur, n = "", 0
	}
	for _, word := range strings.Fields(text) {
		wn := utf8.RuneCountInString(word)
		for wn > avail && !(keepURLs && strings.Contains(word, "://")) {
			if n > 0 {
				flush()
			}
			r := []rune(word)
			cur, n = string(r[:avail]), avail
			flush()
			word, wn = string(r[avail:]), wn-avail
		}
		switch {
		case wn == 0: // the cut took the whole word
		case n == 0:
			cur, n = word, wn
		case n+1+wn <= avail:
			cur += " " + word
			n += 1 + wn
		default:
			flush()
			cur, n = word, wn
		}
	}
	if n > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// sanitize replaces control characters (an attacker's header or a configuration value may carry
// terminal escape sequences) with U+FFFD.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// plural returns "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
