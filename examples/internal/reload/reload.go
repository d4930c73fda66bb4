// Package reload reloads the relay's and the milter's configuration without a restart: on SIGHUP
// and, optionally, when a configuration file changes. The program's load function reads,
// compiles and checks the whole configuration and swaps it in atomically only when all of it is
// good; a configuration that fails is logged with every error and the one in force keeps serving.
package reload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// Func loads the configuration and, when all of it is good, puts it in force for new sessions
// (an atomic swap). It returns the files the configuration was read from, for the file watch,
// and nil; or an error (errors.Join of every problem), having changed nothing.
type Func func() (files []string, err error)

// Reloader runs a Func at start, on request and when the files change, one load at a time.
type Reloader struct {
	load    Func
	log     *slog.Logger
	metrics *metrics.Metrics
	now     func() time.Time

	mu         sync.Mutex
	generation uint64
	files      []string
	sums       [][sha256.Size]byte
}

// New returns a Reloader; m may be nil.
func New(load Func, log *slog.Logger, m *metrics.Metrics) *Reloader {
	return &Reloader{load: load, log: log, metrics: m, now: time.Now}
}

// Generation is the number of configurations put in force so far: 0 before the first load
// succeeded (the health endpoint is not ready then), 1 after it, one more per successful reload.
func (r *Reloader) Generation() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.generation
}

// Reload loads the configuration once. On failure every error is logged, in one record
// ("errors": one string each), the metrics say so, and the configuration in force stays. It
// reports whether the new configuration is in force.
func (r *Reloader) Reload(why string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	files, err := r.load()
	at := r.now()
	if err != nil {
		var msgs []string
		for _, e := range ops.Flatten(err) {
			msgs = append(msgs, e.Error())
		}
		r.log.Error("configuration not loaded: the one in force stays", "trigger", why, "generation", r.generation, "errors", msgs)
		r.metrics.Loaded(false, r.generation, at)
		r.remember(files) // a watch does not retry the same broken files on every tick
		return false
	}
	r.generation++
	r.remember(files)
	r.metrics.Loaded(true, r.generation, at)
	r.log.Info("configuration loaded", "trigger", why, "generation", r.generation, "files", files)
	return true
}

// remember keeps the files' names and content hashes for changed; with no files named it hashes
// the ones it had again.
func (r *Reloader) remember(files []string) {
	if len(files) == 0 {
		files = r.files
	}
	r.files = files
	r.sums = sums(files)
}

// sums hashes each file; an unreadable file hashes as empty.
func sums(files []string) [][sha256.Size]byte {
	out := make([][sha256.Size]byte, len(files))
	for i, f := range files {
		b, _ := os.ReadFile(f)
		out[i] = sha256.Sum256(b)
	}
	return out
}

// changed reports whether a watched file's contents changed since the last load.
func (r *Reloader) changed() bool {
	r.mu.Lock()
	files, old := r.files, r.sums
	r.mu.Unlock()
	now := sums(files)
	for i := range now {
		if !bytes.Equal(now[i][:], old[i][:]) {
			return true
		}
	}
	return false
}

// Run reloads on every value from hup (SIGHUP) and, with interval > 0, whenever a watched
// file's contents changed, until ctx is done.
func (r *Reloader) Run(ctx context.Context, hup <-chan os.Signal, interval time.Duration) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.Reload("SIGHUP")
		case <-tick:
			if r.changed() {
				r.Reload("file changed")
			}
		}
	}
}
