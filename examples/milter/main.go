package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/d--j/go-milter"
	"github.com/tenantgate/tenantgate/headers"
)

func main() {
	config := flag.String("config", "milter.json", "configuration `file` (see README.md)")
	convert := flag.String("convert-exota", "", "print the library configuration for an ExOTA-Milter policy `file` and exit")
	gateway := flag.String("gateway", "gw.example.net", "gateway name for -convert-exota")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	var err error
	if *convert != "" {
		err = convertExOTA(*convert, *gateway)
	} else {
		err = run(*config, log)
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

func run(path string, log *slog.Logger) error {
	l, err := LoadFile(path)
	if err != nil {
		return err
	}
	for _, w := range l.Warnings {
		log.Warn("exota policy", "warning", w)
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
	// Buffered reads and coalesced writes below go-milter (bufconn.go).
	go func() { done <- srv.Serve(newBufferedListener(ln, timeout)) }()
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
