package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
)

// demoConfig is a copy of the repository's testdata/config/demo.json (TestDemoConfigCopy keeps
// them equal): contoso and fabrikam served by gw.example.net, woodgrove not.
//
//go:embed testdata/demo.json
var demoConfig []byte

// demoSource names the embedded demo configuration in output.
const demoSource = "embedded demo topology (testdata/config/demo.json)"

// runDemo is "mailflow [--format F] [-v]": the canonical flows and findings of the demo topology.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := formatFlag(fs, formatText, formatJSON, formatMermaid)
	verbose := fs.Bool("v", false, "print every reason's detail")
	fs.Usage = func() { usage(stderr) }
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mailflow: unknown command %q\n", fs.Arg(0))
		usage(stderr)
		return 2
	}
	_, d, err := parseConfig(demoSource, demoConfig)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow: %v\n", err)
		return 1
	}
	r := newTopologyReport(demoSource, d, true)
	return printReport(&r, *format, *verbose, stdout, stderr, "mailflow")
}

// parseFlags parses args with fs. ok false means the caller returns code: 0 for -h, 2 for a
// usage error (fs has printed it).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// printReport prints r in format and returns the exit status: 1 when lint found an error.
func printReport(r *topologyReport, format string, verbose bool, stdout, stderr io.Writer, cmd string) int {
	switch format {
	case formatText:
		r.writeText(&textOut{w: stdout, color: useColor(stdout)}, verbose)
	case formatJSON:
		if err := r.writeJSON(stdout); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
			return 1
		}
	case formatMermaid:
		r.writeMarkdown(stdout)
	default:
		fmt.Fprintln(stderr, checkFormat(cmd, format, formatText, formatJSON, formatMermaid))
		return 2
	}
	if r.failed() {
		return 1
	}
	return 0
}
