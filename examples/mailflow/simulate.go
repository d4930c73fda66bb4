package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/topology"
)

// stringsFlag collects a repeatable flag; a value with commas adds several.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

// runSimulate is "mailflow simulate CONFIG --from ADDR --to ADDR [--origin …]": one message's
// path through the topology.
func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := formatFlag(fs, formatText, formatJSON, formatMermaid)
	verbose := fs.Bool("v", false, "print every reason's detail")
	from := fs.String("from", "", "envelope sender (also the header From); \"\" or <> is the null sender")
	var to, certNames stringsFlag
	fs.Var(&to, "to", "recipient (repeat or separate with commas)")
	origin := fs.String("origin", "", "where the message starts: mailbox, on-premises or internet[:IP] (default: mailbox when a\nconfigured tenant owns the sender's domain, else internet)")
	fs.Var(&certNames, "cert-name", "internet, on-premises: a name of the verified certificate the sending host presents")
	entry := fs.String("entry", "", "internet: where the sender connects: mx (default), exchange (the tenant's EXO host) or gateway")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: mailflow simulate CONFIG.json --from ADDR --to ADDR [--origin mailbox|on-premises|internet[:IP]]

Follows one message hop by hop through Exchange Online and the gateway (topology.Simulate).
--format mermaid prints one sequence diagram. Exit status 1 when a recipient is not delivered.`)
		fs.PrintDefaults()
	}
	// Accept flags before and after CONFIG.
	var positional []string
	rest := args
	for {
		if code, ok := parseFlags(fs, rest); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := checkFormat("mailflow simulate", *format, formatText, formatJSON, formatMermaid); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	usageErr := func(err error) int {
		fmt.Fprintf(stderr, "mailflow simulate: %v\n", err)
		return 2
	}
	switch {
	case len(positional) == 0:
		return usageErr(errors.New("missing CONFIG.json; mailflow simulate -h describes the flags"))
	case len(positional) > 1:
		return usageErr(fmt.Errorf("one configuration at a time, got %d: %s", len(positional), strings.Join(positional, " ")))
	case len(to) == 0:
		return usageErr(errors.New("missing --to ADDR: the recipient to follow"))
	}
	if err := checkAddress("--from", *from); err != nil {
		return usageErr(err)
	}
	for _, r := range to {
		if err := checkAddress("--to", r); err != nil {
			return usageErr(err)
		}
	}
	_, d, err := loadConfigFile(positional[0], os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow simulate: %v\n", err)
		return 1
	}
	in := topology.Injection{From: bareAddress(*from), To: to, TLSNames: certNames}
	for i, r := range in.To {
		in.To[i] = bareAddress(r)
	}
	switch e := topology.Entry(*entry); e {
	case "mx":
	case topology.EntryMX, topology.EntryExchange, topology.EntryGateway:
		in.Entry = e
	default:
		fmt.Fprintf(stderr, "mailflow simulate: --entry %q is not one of mx, exchange, gateway\n", *entry)
		return 2
	}
	kind, ip, hasIP := strings.Cut(*origin, ":")
	switch topology.PartyKind(kind) {
	case "":
		in.Origin = topology.PartyInternet
		if dom, err := tenantgate.AddressDomain(in.From); err == nil {
			if _, _, ok := d.Owner(dom); ok {
				in.Origin = topology.PartyMailbox
			}
		}
	case topology.PartyMailbox, topology.PartyOnPremises, topology.PartyInternet:
		in.Origin = topology.PartyKind(kind)
	default:
		fmt.Fprintf(stderr, "mailflow simulate: --origin %q is not one of mailbox, on-premises, internet[:IP]\n", *origin)
		return 2
	}
	if hasIP {
		a, err := netip.ParseAddr(ip)
		if err != nil || in.Origin == topology.PartyMailbox {
			fmt.Fprintf(stderr, "mailflow simulate: --origin %q: give internet:IP or on-premises:IP with an IP address\n", *origin)
			return 2
		}
		in.RemoteAddr = a
	}
	tr := topology.Simulate(d, in, topology.Options{})
	nt := namedTrace{Name: "simulated message", Trace: tr}
	ok := tr.Outcome == topology.OutcomeDelivered && len(tr.Reasons) == 0
	switch *format {
	case formatText:
		writeTraceText(&textOut{w: stdout, color: useColor(stdout)}, nt, *verbose)
	case formatJSON:
		if err := writeOutput(stdout, simulation{newEnvelope(ok), tr}, d); err != nil {
			fmt.Fprintf(stderr, "mailflow simulate: %v\n", err)
			return 1
		}
	case formatMermaid:
		writeMermaid(stdout, nt)
	}
	if !ok {
		return 1
	}
	return 0
}

// simulation is the JSON form of `mailflow simulate` (schema/simulate.schema.json): the
// envelope and the trace's fields.
type simulation struct {
	envelope
	topology.Trace
}
