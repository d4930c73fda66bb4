package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/d--j/go-milter"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/examples/internal/reload"
)

// run serves the configuration file at path until SIGINT or SIGTERM: SIGHUP, and a change of a
// configuration file when watchInterval is set, reload it (README.md, "Operation").
func run(path string, log *slog.Logger, level *slog.LevelVar) error {
	first, err := LoadFile(path)
	if err != nil {
		return err
	}
	var m *metrics.Metrics
	if first.Section.MetricsListen != "" {
		m = metrics.New(nil)
	}
	live := NewLive(path, log, level, m)
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
	l := live.started.Section
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var stopping atomic.Bool
	if l.MetricsListen != "" {
		mln, err := net.Listen("tcp", l.MetricsListen)
		if err != nil {
			return err
		}
		ready := func() bool { return rl.Generation() > 0 && !stopping.Load() }
		// Until run returns: /healthz says "not ready" while the sessions drain.
		mctx, mcancel := context.WithCancel(context.Background())
		defer mcancel()
		go metrics.Serve(mctx, mln, metrics.Handler(m, ready), log)
	}
	network, addr := "tcp", l.Listen
	if p, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, addr = "unix", p
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return err
	}
	timeout := l.Timeout.Or(5 * time.Minute)
	srv, err := live.Server(milter.WithReadTimeout(timeout), milter.WithWriteTimeout(timeout))
	if err != nil {
		return err
	}
	go rl.Run(ctx, hup, l.WatchInterval.Or(0))
	done := make(chan error, 1)
	// Buffered reads and coalesced writes below go-milter (bufconn.go).
	go func() { done <- srv.Serve(newBufferedListener(ln, timeout)) }()
	log.Info("listening", "addr", ln.Addr().String(), "dkim", live.started.NeedsDKIM, "mode", string(l.Mode), "metrics", l.MetricsListen)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stopping.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
