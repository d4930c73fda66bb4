package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/examples/internal/version"
	"github.com/tenantgate/tenantgate/route"
)

func main() {
	config := flag.String("config", "relay.json", "configuration `file` (see README.md)")
	check := flag.Bool("check", false, "check the configuration and exit")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.String("relay"))
		return
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(*config, *check, log); err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
}

func run(path string, check bool, log *slog.Logger) error {
	l, err := LoadFile(path)
	if err != nil {
		return err
	}
	for _, w := range l.Warnings {
		log.Warn("configuration", "warning", w)
	}
	r, err := New(l.Options(log))
	if err != nil {
		return err
	}
	if check {
		fmt.Println("configuration OK")
		return nil
	}
	srv := r.Server(l.ServerCert)
	ln, err := net.Listen("tcp", l.Section.Listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(r.Listener(ln)) }()
	log.Info("listening", "addr", ln.Addr().String(), "starttls", l.ServerCert != nil)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	return shutdown(r, srv, l.Section.Limits.ShutdownTimeout.Or(DefaultShutdownTimeout), log)
}

// shutdown stops accepting connections and waits for running sessions up to timeout; sessions
// still running then are closed, and their clients, not having had a reply to DATA, keep the mail.
func shutdown(r *Relay, srv *smtp.Server, timeout time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	log.Info("shutting down", "timeout", timeout.String())
	if err := r.Shutdown(ctx, srv); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// Options turns a loaded configuration into relay options.
func (l *Loaded) Options(log *slog.Logger) Options {
	return Options{
		Directory:     l.Directory,
		Policy:        l.Section.Policy,
		Hostname:      l.Section.Hostname,
		ClientRoots:   l.ClientCAs,
		IdentityCerts: l.IdentCerts,
		NextHopRoots:  l.NextHopCAs,
		Resolver:      route.NewDNSResolver(l.Section.DNSServer, route.DNSOptions{}),
		NextHopPort:   l.Section.NextHopPort,
		Limits:        l.Section.Limits,
		DKIM:          l.DKIM,
		Logger:        log,
	}
}
