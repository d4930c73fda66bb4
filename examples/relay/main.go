package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
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
	level := new(slog.LevelVar)
	log := ops.NewLogger(os.Stderr, level)
	if err := run(*config, *check, log, level); err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
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
		Mode:          l.Section.Mode,
		ReplyTexts:    l.Section.ReplyTexts,
	}
}
