package main

import (
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/d--j/go-milter"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
)

// Live is the milter's configuration in force. Load reads the configuration file, compiles it
// and builds an App; only when all of it is good does the App go into force, atomically. An MTA
// connection keeps the App it started with until it ends, or until the MTA reuses it for another
// SMTP session (Connect), so a session in flight finishes with the policy it started with.
type Live struct {
	path    string
	log     *slog.Logger
	level   *slog.LevelVar
	metrics *metrics.Metrics
	app     atomic.Pointer[App]
	// started is the configuration the process started with: what a reload cannot change.
	started *Loaded
}

// NewLive returns a Live for the configuration file at path; nothing is in force until Load
// succeeds. level is set from each configuration's logLevel; m may be nil.
func NewLive(path string, log *slog.Logger, level *slog.LevelVar, m *metrics.Metrics) *Live {
	return &Live{path: path, log: log, level: level, metrics: m}
}

// Load loads the configuration file and puts it in force (reload.Func): it returns the files
// read, and an error, with nothing changed, when any of it is not good.
func (l *Live) Load() ([]string, error) {
	ld, err := LoadFile(l.path)
	if err != nil {
		return nil, err // the files watched stay those of the last load
	}
	return ld.Files, l.use(ld)
}

// use puts a loaded configuration in force and logs its warnings (a stale
// exchangeOnlineNetworksFile, an ExOTA conversion's), at the start and at every reload.
func (l *Live) use(ld *Loaded) error {
	for _, w := range ld.Warnings {
		l.log.Warn("configuration", "warning", w)
	}
	app, err := ld.App(l.log)
	if err != nil {
		return err
	}
	app.op.metrics, app.op.live = l.metrics, &l.app
	if s := l.started; s == nil {
		l.started = ld
	} else if s.Section.Listen != ld.Section.Listen || s.Section.Timeout != ld.Section.Timeout ||
		s.Section.MetricsListen != ld.Section.MetricsListen || s.Section.WatchInterval != ld.Section.WatchInterval {
		l.log.Warn("listen, timeout, metricsListen and watchInterval changed: they take effect at the next start only")
	}
	if l.level != nil {
		l.level.Set(ld.Section.LogLevel.Level())
	}
	l.app.Store(app)
	return nil
}

// Current is the App in force, nil before the first Load succeeded.
func (l *Live) Current() *App { return l.app.Load() }

// Server returns the go-milter server whose every new connection takes the App in force then.
func (l *Live) Server(opts ...milter.Option) (*milter.Server, error) {
	a := l.app.Load()
	if a == nil {
		return nil, fmt.Errorf("milter: no configuration loaded")
	}
	return a.Server(append(opts, milter.WithMilter(func() milter.Milter { return l.app.Load().newFilter() }))...), nil
}

// current is the App in force for a new SMTP session: the one a reload put in force, or a itself
// when it is not reloaded (tests).
func (a *App) current() *App {
	if a.op.live != nil {
		if c := a.op.live.Load(); c != nil {
			return c
		}
	}
	return a
}
