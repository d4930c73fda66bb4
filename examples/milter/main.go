package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/tenantgate/tenantgate/examples/internal/ops"
	"github.com/tenantgate/tenantgate/examples/internal/version"
	"github.com/tenantgate/tenantgate/headers"
)

func main() {
	config := flag.String("config", "milter.json", "configuration `file` (see README.md)")
	convert := flag.String("convert-exota", "", "print a milter configuration for an ExOTA-Milter policy `file` and exit")
	convertEnv := flag.Bool("convert-exota-env", false, "print a milter configuration for the ExOTA-Milter installation described by the MILTER_* environment variables (policy file: MILTER_POLICY_FILE, or -convert-exota) and exit")
	gateway := flag.String("gateway", "gw.example.net", "gateway name for -convert-exota and -convert-exota-env")
	listen := flag.String("listen", "127.0.0.1:8894", "milter.listen for -convert-exota")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	level := new(slog.LevelVar)
	log := ops.NewLogger(os.Stderr, level)
	var err error
	switch {
	case *showVersion:
		fmt.Println(version.String("milter"))
	case *convertEnv:
		err = convertExOTAEnv(*convert, *gateway, os.LookupEnv, os.Stdout, os.Stderr)
	case *convert != "":
		err = convertExOTA(*convert, *gateway, *listen, os.Stdout, os.Stderr)
	default:
		err = run(*config, log, level)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "milter:", err)
		os.Exit(1)
	}
}

// convertExOTA prints the milter configuration for an ExOTA-Milter policy file; warnings go to
// stderr.
func convertExOTA(path, gateway, listen string, stdout, stderr io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := ConvertExOTA(b, gateway)
	if err != nil {
		return err
	}
	return writeMigration(m, listen, stdout, stderr)
}

// convertExOTAEnv prints the milter configuration for an ExOTA-Milter installation: its
// environment (lookup) and its policy file (path, or MILTER_POLICY_FILE when empty).
func convertExOTAEnv(path, gateway string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	env, err := ReadExOTAEnv(lookup)
	if err != nil {
		return err
	}
	if path == "" {
		path = env.PolicyFile
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := ConvertExOTAEnv(env, b, gateway)
	if err != nil {
		return err
	}
	return writeMigration(m, env.Listen, stdout, stderr)
}

func writeMigration(m Migration, listen string, stdout, stderr io.Writer) error {
	for _, w := range m.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	out, err := m.MilterFile(listen)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
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
