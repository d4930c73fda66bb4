package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/examples/internal/reload"
)

// run serves the configuration file at path until SIGINT or SIGTERM, or with check only checks
// it: SIGHUP, and a change of a configuration file when watchInterval is set, reload it
// (README.md, "Operation").
func run(path string, check bool, log *slog.Logger, level *slog.LevelVar) error {
	first, err := LoadFile(path)
	if err != nil {
		return err
	}
	if check {
		if _, err := New(first.Options(log)); err != nil {
			return err
		}
		fmt.Println("configuration OK")
		return nil
	}
	var live *Live
	var m *metrics.Metrics
	if first.Section.MetricsListen != "" {
		m = metrics.New(func() float64 {
			if r := live.Current(); r != nil {
				return r.bytesInFlight()
			}
			return 0
		})
	}
	live = NewLive(path, log, level, m)
	rl := reload.New(func() ([]string, error) {
		if first != nil { // the start: the configuration just read
			ld := first
			first = nil
			return ld.Files, live.use(ld)
		}
		return live.Load()
	}, log, m)
	if !rl.Reload("start") {
		return errors.New("configuration not loaded (see the log)")
	}
	l := live.started
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var stopping atomic.Bool
	if l.Section.MetricsListen != "" {
		mln, err := net.Listen("tcp", l.Section.MetricsListen)
		if err != nil {
			return err
		}
		ready := func() bool { return rl.Generation() > 0 && !stopping.Load() }
		// Until run returns: /healthz says "not ready" while the sessions drain.
		mctx, mcancel := context.WithCancel(context.Background())
		defer mcancel()
		go metrics.Serve(mctx, mln, metrics.Handler(m, ready), log)
	}
	r := live.Current()
	srv, err := live.Server(l.ServerCert)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", l.Section.Listen)
	if err != nil {
		return err
	}
	go rl.Run(ctx, hup, l.Section.WatchInterval.Or(0))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(r.Listener(ln)) }()
	log.Info("listening", "addr", ln.Addr().String(), "starttls", l.ServerCert != nil, "mode", string(l.Section.Mode), "metrics", l.Section.MetricsListen)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stopping.Store(true)
	return shutdown(live.Current(), srv, l.Section.Limits.ShutdownTimeout.Or(DefaultShutdownTimeout), log)
}
