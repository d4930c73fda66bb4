package reload

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestReload: a good file is loaded (generation 1); a broken one is logged with each of its
// errors and changes nothing; the file watch loads a fixed file by itself.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cfg")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("good 1")
	var inForce atomic.Value // string
	load := func() ([]string, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if s := string(b); strings.HasPrefix(s, "good") {
			inForce.Store(s)
			return []string{path}, nil
		}
		return []string{path}, errors.Join(errors.New("first problem"), errors.New("second problem"))
	}
	var logBuf bytes.Buffer
	r := New(load, slog.New(slog.NewJSONHandler(&logBuf, nil)), nil)
	if r.Generation() != 0 {
		t.Fatal("generation before load")
	}
	if !r.Reload("start") || r.Generation() != 1 || inForce.Load() != "good 1" {
		t.Fatalf("start: generation %d, in force %q", r.Generation(), inForce.Load())
	}
	write("broken")
	if r.Reload("SIGHUP") || r.Generation() != 1 || inForce.Load() != "good 1" {
		t.Fatalf("broken: generation %d, in force %q", r.Generation(), inForce.Load())
	}
	for _, want := range []string{`"errors":["first problem","second problem"]`, `"trigger":"SIGHUP"`, `"generation":1`} {
		if !strings.Contains(logBuf.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logBuf.String())
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx, nil, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	write("good 2")
	deadline := time.Now().Add(5 * time.Second)
	for r.Generation() != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("watch did not reload: generation %d", r.Generation())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if inForce.Load() != "good 2" {
		t.Errorf("in force %q", inForce.Load())
	}
}

// TestSIGHUP: a value on the hup channel reloads.
func TestSIGHUP(t *testing.T) {
	n := 0
	r := New(func() ([]string, error) { n++; return nil, nil }, slog.New(slog.DiscardHandler), nil)
	hup := make(chan os.Signal)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx, hup, 0); close(done) }()
	hup <- os.Interrupt
	hup <- os.Interrupt // the first is handled once the second is received
	cancel()
	<-done
	if r.Generation() < 1 || n < 1 {
		t.Errorf("generation %d after SIGHUP", r.Generation())
	}
}
