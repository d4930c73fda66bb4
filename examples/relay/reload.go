package main

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
)

// Live is the relay's configuration in force and the smtp.Backend of its server. Load reads the
// configuration file, compiles it and builds a Relay; only when all of it is good does the Relay
// go into force, atomically. Each SMTP session keeps the Relay it started with (go-smtp asks
// for a session at EHLO and again after STARTTLS), so a session in flight finishes with the
// policy it started with.
//
// What the relay shares across its clients stays with the first Relay and is inherited by every
// later one (inherit): the limits and the budgets they bound, the listener, the server
// certificate and the open connections. Changes to listen, certFile, keyFile, limits,
// metricsListen and watchInterval take effect at the next start only (logged).
type Live struct {
	path    string
	log     *slog.Logger
	level   *slog.LevelVar
	metrics *metrics.Metrics
	relay   atomic.Pointer[Relay]
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
	o := ld.Options(l.log)
	o.Metrics = l.metrics
	r, err := New(o)
	if err != nil {
		return err
	}
	if old := l.relay.Load(); old != nil {
		r.inherit(old)
		s, n := l.started.Section, ld.Section
		if s.Listen != n.Listen || s.CertFile != n.CertFile || s.KeyFile != n.KeyFile || s.Limits != n.Limits ||
			s.MetricsListen != n.MetricsListen || s.WatchInterval != n.WatchInterval {
			l.log.Warn("listen, certFile, keyFile, limits, metricsListen and watchInterval changed: they take effect at the next start only")
		}
	} else {
		l.started = ld
	}
	if l.level != nil {
		l.level.Set(ld.Section.LogLevel.Level())
	}
	l.relay.Store(r)
	return nil
}

// inherit makes r share what old's clients hold: budgets, limits and open connections.
func (r *Relay) inherit(old *Relay) {
	r.limits, r.hdrLimits = old.limits, old.hdrLimits
	r.connBudget, r.upBudget, r.memBudget, r.diskBudget = old.connBudget, old.upBudget, old.memBudget, old.diskBudget
	r.root = old.registry()
}

// registry is the Relay that keeps the open connections: the first one.
func (r *Relay) registry() *Relay {
	if r.root != nil {
		return r.root
	}
	return r
}

// Current is the Relay in force, nil before the first Load succeeded.
func (l *Live) Current() *Relay { return l.relay.Load() }

// NewSession implements smtp.Backend with the Relay in force.
func (l *Live) NewSession(c *smtp.Conn) (smtp.Session, error) { return l.relay.Load().NewSession(c) }

// Server returns the go-smtp server over l with the first configuration's certificate, limits
// and listener rules (Relay.Server).
func (l *Live) Server(serverCert *tls.Certificate) (*smtp.Server, error) {
	r := l.relay.Load()
	if r == nil {
		return nil, errors.New("relay: no configuration loaded")
	}
	return r.serverFor(l, serverCert), nil
}
