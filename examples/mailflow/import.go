package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/exoimport"
)

// runImport is "mailflow import --tenant-id ID [--config CONFIG] EXPORT…": converts Exchange
// Online exports of one tenant to a tenantgate configuration on stdout.
func runImport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenantID := fs.String("tenant-id", "", "the tenant's ID, a GUID (required: the exports do not carry it)")
	config := fs.String("config", "", "merge the tenant into this configuration (replacing a tenant with the same ID)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: mailflow import --tenant-id ID [--config CONFIG.json] EXPORT.json… > config.json

Converts Exchange Online exports of one tenant (Get-… | ConvertTo-Json, the admin REST API,
Invoke-ORCA -Output Config, ScubaGear's ProviderSettingsExport.json, a Microsoft365DSC JSON
report) to a tenantgate configuration. Warnings (what the exports do not say) go to stderr.
Find the tenant ID in the Entra admin center (Overview) or with (Get-MgOrganization).Id.`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 || *tenantID == "" {
		if *tenantID == "" && fs.NArg() > 0 {
			fmt.Fprintln(stderr, "mailflow import: --tenant-id is required: the exports do not carry the tenant's ID")
		}
		fs.Usage()
		return 2
	}
	if _, err := tenantgate.ParseTenantID(*tenantID); err != nil {
		fmt.Fprintf(stderr, "mailflow import: --tenant-id %q: %v\n", *tenantID, err)
		return 2
	}
	t, warnings, err := importExports(fs.Args(), os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow import: %v\n", err)
		return 1
	}
	printWarnings(stderr, "mailflow import", withoutTenantIDWarning(warnings))
	var cfg tenantgate.Config
	source := "(new configuration)"
	if *config != "" {
		if cfg, err = loadConfigSyntax(*config, os.Stdin); err != nil {
			fmt.Fprintf(stderr, "mailflow import: %v\n", err)
			return 1
		}
		source = *config
	}
	merged, _, err := mergeTenant(cfg, source, t, *tenantID, stderr, "mailflow import")
	if err != nil {
		fmt.Fprintf(stderr, "mailflow import: %v\n", err)
		return 1
	}
	if err := writeJSON(stdout, merged); err != nil {
		fmt.Fprintf(stderr, "mailflow import: %v\n", err)
		return 1
	}
	return 0
}

// mergeTenant gives t the ID id and puts it into cfg: in place of the tenant with that ID, or
// appended. The replaced tenant's sendAs and onPremises are kept: they are gateway settings that no
// Exchange Online export this command reads carries, so a re-import must not drop them. It compiles the result, so that what is
// printed or linted is a valid configuration; a Compile error names the paths in the merged
// configuration. Notes go to stderr.
func mergeTenant(cfg tenantgate.Config, source string, t tenantgate.Tenant, id string, stderr io.Writer, cmd string) (tenantgate.Config, *tenantgate.Directory, error) {
	tid, err := tenantgate.ParseTenantID(id)
	if err != nil {
		return cfg, nil, fmt.Errorf("--tenant-id %q: %w", id, err)
	}
	t.ID = tid
	tenants := append([]tenantgate.Tenant(nil), cfg.Tenants...)
	replaced := false
	for i := range tenants {
		if tenants[i].ID == tid {
			old := tenants[i]
			if t.SendAs == nil && len(old.SendAs) > 0 {
				t.SendAs = old.SendAs
				fmt.Fprintf(stderr, "%s: note: sendAs of tenant %s kept from %s (exports do not carry it)\n", cmd, tid, source)
			}
			if t.OnPremises == nil && old.OnPremises != nil {
				t.OnPremises = old.OnPremises
				fmt.Fprintf(stderr, "%s: note: onPremises of tenant %s kept from %s (exports do not carry it)\n", cmd, tid, source)
			}
			tenants[i], replaced = t, true
			fmt.Fprintf(stderr, "%s: note: tenant %s (%s) of %s replaced by the import\n", cmd, tid, sanitize(old.Name), source)
		}
	}
	if !replaced {
		tenants = append(tenants, t)
	}
	cfg.Tenants = tenants
	served := false
	for _, s := range cfg.Gateway.Serves {
		served = served || s == tid
	}
	if !served {
		fmt.Fprintf(stderr, "%s: note: the gateway does not serve %s; add it to gateway.serves to lint its flows\n", cmd, tid)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		return cfg, nil, &inputError{File: "merged configuration", Lines: compileErrorLines(err),
			Hint: "the import and " + source + " together do not compile; fix " + source + " or the exports"}
	}
	return cfg, d, nil
}

// withoutTenantIDWarning drops exoimport's warning that the exports carry no tenant ID, for
// callers that were given the ID (--tenant-id).
func withoutTenantIDWarning(ws []exoimport.Warning) []exoimport.Warning {
	var out []exoimport.Warning
	for _, w := range ws {
		if w.Code == exoimport.WarnTenant && strings.Contains(w.Msg, "tenant ID") {
			continue
		}
		out = append(out, w)
	}
	return out
}
