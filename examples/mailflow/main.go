package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand. run gets the arguments after the subcommand's name and returns the
// exit status.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"lint", "find misrouting, loops, relay holes and ORCA-parity problems: lint CONFIG | EXPORT…", runLint},
		{"simulate", "follow one message: simulate CONFIG --from ADDR --to ADDR [--origin …]", runSimulate},
		{"explain", "the gateway's verdict on a message: explain --config CONFIG [peer] MESSAGE.eml", runExplain},
		{"headers", "explain a message's Exchange Online headers: headers MESSAGE.eml", runHeaders},
		{"test", "run scenario files: test [--config CONFIG] SCENARIO.json…", runTest},
		{"import", "convert Exchange Online exports: import --tenant-id ID EXPORT… > config.json", runImport},
		{"ranges", "refresh Exchange Online's networks: ranges --endpoints ENDPOINTS.json CONFIG > config.json", runRanges},
		{"serve", "the web page: serve [--listen 127.0.0.1:8025] [--config CONFIG.json]", runServe},
		{"version", "print the module version, VCS revision and Go version", runVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit status. No command, or flags only, runs
// the demo.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) {
		return runDemo(args, stdout, stderr)
	}
	if isHelp(args[0]) {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "mailflow: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mailflow [command] [arguments]   (mailflow COMMAND -h describes a command)")
	fmt.Fprintln(w, "\nWith no command, mailflow lints the embedded demo topology and prints its canonical flows")
	fmt.Fprintln(w, "and findings (flags: --format text|json|mermaid, -v for every reason's detail).")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nExit status: 0 success, 1 check failed or bad input, 2 usage error.")
}
