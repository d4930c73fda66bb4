package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/exoimport"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
	"github.com/tenantgate/tenantgate/topology"
)

// runLint is "mailflow lint [flags] FILE…": the findings of a configuration, or of a tenant read
// from Exchange Online exports.
func runLint(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := formatFlag(fs, formatText, formatJSON, formatMermaid)
	verbose := fs.Bool("v", false, "print every reason's detail")
	flows := fs.Bool("flows", false, "also print the simulated canonical flows (always on for --format mermaid)")
	tenantID := fs.String("tenant-id", "", "exports: the tenant's ID (a GUID; the exports do not carry it)")
	config := fs.String("config", "", "exports: merge the imported tenant into this configuration and lint the whole topology")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: mailflow lint [flags] CONFIG.json
       mailflow lint [flags] EXPORT.json…   (Exchange Online exports of one tenant)

Lints a configuration: simulates the canonical flows of every served tenant and checks the
configuration (ORCA parity, gateway checks). Exports (Get-… | ConvertTo-Json, Invoke-ORCA,
ScubaGear, Microsoft365DSC) are imported and get the ORCA-parity checks; with --config and
--tenant-id the whole topology is linted. Exit status 1 when a finding is an error.`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := checkFormat("mailflow lint", *format, formatText, formatJSON, formatMermaid); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	names := fs.Args()
	first, err := readInput(names[0], os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow lint: %v\n", err)
		return 1
	}
	if err := refuseNothing(names, first, os.Stdin); err != nil {
		fmt.Fprintf(stderr, "mailflow lint: %v\n", err)
		return 1
	}
	var r topologyReport
	// A file that decodes as a configuration is one (decodeConfig); Detect, which parses the whole
	// file again, is asked only about the others.
	var cfg tenantgate.Config
	decoded := false
	if len(names) == 1 {
		cfg, decoded = decodeConfig(first)
	}
	f := exoimport.FormatConfig
	if !decoded {
		f = exoimport.Detect(first)
	}
	if f == exoimport.FormatConfig || f == exoimport.FormatUnknown && len(names) == 1 {
		if len(names) > 1 || *tenantID != "" || *config != "" {
			fmt.Fprintln(stderr, "mailflow lint: one configuration file at a time; --tenant-id and --config apply to exports")
			return 2
		}
		if f == exoimport.FormatUnknown && !looksLikeConfig(first) {
			fmt.Fprintf(stderr, "mailflow lint: %v\n", unknownFormat(names[0], first))
			return 1
		}
		var d *tenantgate.Directory
		if decoded {
			_, d, err = compileConfig(names[0], cfg)
		} else {
			_, d, err = parseConfig(names[0], first)
		}
		if err != nil {
			fmt.Fprintf(stderr, "mailflow lint: %v\n", err)
			return 1
		}
		r = newTopologyReport(names[0], d, *flows || *format == formatMermaid)
	} else {
		t, warnings, err := importExports(names, os.Stdin)
		if err != nil {
			fmt.Fprintf(stderr, "mailflow lint: %v\n", err)
			return 1
		}
		if *tenantID != "" {
			warnings = withoutTenantIDWarning(warnings)
		}
		printWarnings(stderr, "mailflow lint", warnings)
		source := strings.Join(names, ", ")
		switch {
		case *config != "":
			if *tenantID == "" {
				fmt.Fprintln(stderr, "mailflow lint: --config needs --tenant-id: the exports do not carry the tenant's ID")
				return 2
			}
			cfg, err := loadConfigSyntax(*config, os.Stdin)
			if err != nil {
				fmt.Fprintf(stderr, "mailflow lint: %v\n", err)
				return 1
			}
			_, d, err := mergeTenant(cfg, *config, t, *tenantID, stderr, "mailflow lint")
			if err == nil && d.Gateway().Name == "" {
				err = noGateway(*config)
			}
			if err != nil {
				fmt.Fprintf(stderr, "mailflow lint: %v\n", err)
				return 1
			}
			r = newTopologyReport(source+" merged into "+*config, d, *flows || *format == formatMermaid)
		default:
			if *tenantID != "" {
				id, err := tenantgate.ParseTenantID(*tenantID)
				if err != nil {
					fmt.Fprintf(stderr, "mailflow lint: --tenant-id: %v\n", err)
					return 2
				}
				t.ID = id
			}
			if *flows {
				fmt.Fprintln(stderr, "mailflow lint: --flows needs a gateway: pass --config CONFIG and --tenant-id")
				return 2
			}
			r = topologyReport{Source: source, Tenant: t.Name, Findings: topology.LintORCA(&t)}
			r.finish()
			r.TenantRef = &tenantRef{ID: t.ID, Name: t.Name}
		}
	}
	return printReport(&r, *format, *verbose, stdout, stderr, "mailflow lint")
}

// looksLikeConfig reports whether data starts like a JSON object: LoadConfig's error (a syntax
// error or an unknown field, with line and column) then explains the problem better than
// "unknown format".
func looksLikeConfig(data []byte) bool {
	t, err := jsonstrict.Text(data)
	return err == nil && bytes.HasPrefix(bytes.TrimSpace(t), []byte("{"))
}

// printWarnings prints import warnings to stderr, one a line.
func printWarnings(w io.Writer, cmd string, ws []exoimport.Warning) {
	for _, wa := range ws {
		fmt.Fprintf(w, "%s: warning: %s\n", cmd, sanitize(strings.TrimPrefix(wa.String(), ": ")))
	}
}
