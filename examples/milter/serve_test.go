package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRun: the program as main runs it. /healthz is ready once the configuration is loaded;
// SIGHUP reloads a changed file (generation 2, logLevel now debug); a broken file is logged with
// every error and changes nothing (generation stays 2, last reload failed); SIGTERM ends it.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	abs, _ := filepath.Abs("testdata/tenantgate.json")
	mport, lport := freePort(t), freePort(t)
	path := filepath.Join(dir, "milter.json")
	write := func(extra string) {
		cfg := fmt.Sprintf(`{"configFile": %q, "milter": {"listen": "127.0.0.1:%d", "metricsListen": "127.0.0.1:%d"%s}}`, abs, lport, mport, extra)
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(``)
	logs := new(lockedBuffer)
	level := new(slog.LevelVar)
	done := make(chan error, 1)
	go func() {
		done <- run(path, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})), level)
	}()
	get := func(p string) (int, string) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", mport, p))
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	await := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			select {
			case err := <-done:
				t.Fatalf("run ended: %v; log:\n%s", err, logs)
			default:
			}
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s; log:\n%s", what, logs)
			}
		}
	}
	metric := func(line string) func() bool {
		return func() bool { _, b := get("/metrics"); return strings.Contains(b, line+"\n") }
	}
	await("healthz", func() bool { c, _ := get("/healthz"); return c == http.StatusOK })
	await("generation 1", metric("tenantgate_config_generation 1"))

	write(`, "logLevel": "debug", "mode": "monitor"`)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	await("generation 2", metric("tenantgate_config_generation 2"))
	if level.Level() != slog.LevelDebug {
		t.Errorf("log level %v after reload; want debug", level.Level())
	}

	if err := os.WriteFile(path, []byte(`{"configFile": "nothing.json", "milter": {"listen": "x", "replyTexts": {"loop": "100%"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	await("failed reload", metric("tenantgate_config_last_reload_success 0"))
	if _, b := get("/metrics"); !strings.Contains(b, "tenantgate_config_generation 2\n") {
		t.Error("generation changed by a broken file")
	}
	if !strings.Contains(logs.String(), `"msg":"configuration not loaded: the one in force stays"`) || !strings.Contains(logs.String(), "nothing.json") {
		t.Errorf("log lacks the failed reload:\n%s", logs)
	}
	if c, _ := get("/healthz"); c != http.StatusOK {
		t.Errorf("healthz after a failed reload: %d; the old configuration serves", c)
	}

	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not end at SIGTERM")
	}
}
