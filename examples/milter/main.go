package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/d--j/go-milter"
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
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	var err error
	switch {
	case *showVersion:
		fmt.Println(version.String("milter"))
	case *convertEnv:
		err = convertExOTAEnv(*convert, *gateway, os.LookupEnv, os.Stdout, os.Stderr)
	case *convert != "":
		err = convertExOTA(*convert, *gateway, *listen, os.Stdout, os.Stderr)
	default:
		err = run(*config, log)
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

func run(path string, log *slog.Logger) error {
	l, err := LoadFile(path)
	if err != nil {
		return err
	}
	for _, w := range l.Warnings {
		log.Warn("configuration", "warning", w)
	}
	app, err := l.App(log)
	if err != nil {
		return err
	}
	network, addr := "tcp", l.Section.Listen
	if p, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, addr = "unix", p
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return err
	}
	timeout := l.Section.Timeout.Or(5 * time.Minute)
	srv := app.Server(milter.WithReadTimeout(timeout), milter.WithWriteTimeout(timeout))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "dkim", l.NeedsDKIM)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
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
	return a, nil
}
