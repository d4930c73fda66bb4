// Command mailflow is the administrator's view of tenantgate: it lints and simulates a topology,
// explains a message's Exchange Online headers and the gateway's verdict, and runs scenario files.
//
// Usage:
//
//	mailflow                      explain the embedded demo message's headers
//	mailflow headers [flags] FILE explain a message's Exchange Online headers ("-" reads stdin)
//	mailflow help                 print this help
//
// Exit status: 0 on success, 1 when the input cannot be read or parsed, 2 on a usage error.
package main

import (
	"fmt"
	"io"
	"os"
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
		{"headers", "explain a message's Exchange Online headers: mailflow headers [flags] FILE.eml", runHeaders},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runDemo(stdout, stderr)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
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

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mailflow [command] [arguments]")
	fmt.Fprintln(w, "\nWith no command, mailflow explains the headers of an embedded demo message.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}
