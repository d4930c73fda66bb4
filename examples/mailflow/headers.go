package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tenantgate/tenantgate/headers"
)

// width is the widest line text output prints unless $COLUMNS says otherwise (headers).
const width = 100

// runHeaders is "mailflow headers [flags] FILE".
func runHeaders(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow headers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var l headers.Limits
	limitFlags(fs, &l)
	format := formatFlag(fs, formatText, formatJSON)
	verbose := fs.Bool("v", false, "print every value whole on one line, and the reason codes")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mailflow headers [flags] FILE.eml   (FILE \"-\" reads standard input)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := checkLimits("mailflow headers", l); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := checkLimits("mailflow headers", l); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if err := checkFormat("mailflow headers", *format, formatText, formatJSON); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	name := fs.Arg(0)
	var r io.Reader
	if name == "-" {
		r, name = os.Stdin, "standard input"
	} else {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "mailflow headers: %v\n", err)
			return 1
		}
		defer f.Close()
		r = f
	}
	h, err := readMessage(r, l)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow headers: %s: %v\n", name, err)
		return 1
	}
	a := headers.Analyze(h)
	if *format == formatJSON {
		out := struct {
			envelope
			*headers.Analysis
		}{newEnvelope(true), a}
		if err := writeOutput(stdout, out, nil); err != nil {
			fmt.Fprintf(stderr, "mailflow headers: %v\n", err)
			return 1
		}
		return 0
	}
	explainHeaders(&printer{w: stdout, width: columns(os.Getenv("COLUMNS")), verbose: *verbose}, a)
	return 0
}

// columns is the output width: $COLUMNS when it is a number from 40 to 1000, else width.
func columns(env string) int {
	var n int
	if _, err := fmt.Sscanf(strings.TrimSpace(env), "%d", &n); err == nil && n >= 40 && n <= 1000 {
		return n
	}
	return width
}

// clip shortens s to n runes, marking the cut with "…" (for table cells of other commands; the
// headers command wraps instead).
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
