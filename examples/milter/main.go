package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/tenantgate/tenantgate/examples/internal/ops"
	"github.com/tenantgate/tenantgate/headers"
)

func main() {
	config := flag.String("config", "milter.json", "configuration `file` (see README.md)")
	convert := flag.String("convert-exota", "", "print the library configuration for an ExOTA-Milter policy `file` and exit")
	gateway := flag.String("gateway", "gw.example.net", "gateway name for -convert-exota")
	flag.Parse()
	level := new(slog.LevelVar)
	log := ops.NewLogger(os.Stderr, level)
	var err error
	if *convert != "" {
		err = convertExOTA(*convert, *gateway)
	} else {
		err = run(*config, log, level)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "milter:", err)
		os.Exit(1)
	}
}

func convertExOTA(path, gateway string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := ConvertExOTA(b, gateway)
	if err != nil {
		return err
	}
	for _, w := range m.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	if m.DKIMRequired {
		fmt.Fprintln(os.Stderr, `note: set "policy": {"dkimRequired": true} in the milter section (dkim_enabled)`)
	}
	out, err := m.JSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

// App builds the milter application for a loaded configuration.
func (l *Loaded) App(log *slog.Logger) (*App, error) {
	var v *verifier
	if l.NeedsDKIM {
		v = newVerifier(l.Section.DKIM)
	}
	a, err := NewApp(l.Directory, l.Policy, headers.Limits{MaxBytes: l.Section.MaxHeaderBytes, MaxFields: l.Section.MaxHeaderFields}, v, log)
	if err != nil {
		return nil, err
	}
	a.requireVerify = l.Section.RequireVerifyMacro
	a.dialect = l.Section.MTA
	a.op.mode, a.op.texts = l.Section.Mode, l.Section.ReplyTexts
	return a, nil
}
