package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/examples/internal/testpki"
)

// TestRun: the relay as main runs it. /healthz is ready once the configuration is loaded and
// /metrics serves generation 1; SIGHUP reloads a changed file (generation 2); a broken one is
// logged with every error — the relay section's problems all at once — and changes nothing;
// SIGTERM ends it.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	p := newPKI(t)
	srvCert, srvKey := testpki.WritePEM(t, dir, "server", p.Leaf(t, []string{"gw.example.net"}))
	cCert, cKey := testpki.WritePEM(t, dir, "contoso", p.Leaf(t, []string{"contoso.gw.example.net"}))
	fCert, fKey := testpki.WritePEM(t, dir, "fabrikam", p.Leaf(t, []string{"fabrikam.gw.example.net"}))
	p.WriteCA(t, dir)
	b := filepath.Base
	lib, err := os.ReadFile("testdata/tenantgate.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "tenantgate.json"), lib, 0o600)
	port := func() int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port
	}
	mport, lport := port(), port()
	path := filepath.Join(dir, "relay.json")
	write := func(extra string) {
		conf := fmt.Sprintf(`{"configFile": "tenantgate.json", "relay": {"listen": "127.0.0.1:%d", "dnsServer": "127.0.0.1:53",
		  "certFile": %q, "keyFile": %q, "clientCAFile": "ca.pem", "nextHopCAFile": "ca.pem", "metricsListen": "127.0.0.1:%d",
		  "identities": {"contoso": {"certFile": %q, "keyFile": %q}, "fabrikam": {"certFile": %q, "keyFile": %q}}%s}}`,
			lport, b(srvCert), b(srvKey), mport, b(cCert), b(cKey), b(fCert), b(fKey), extra)
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(``)
	logs := new(lockedLog)
	level := new(slog.LevelVar)
	done := make(chan error, 1)
	go func() {
		done <- run(path, false, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})), level)
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
	await("healthz", func() bool { c, _ := get("/healthz"); return c == 200 })
	await("generation 1", metric("tenantgate_config_generation 1"))

	write(`, "mode": "monitor", "logLevel": "warn"`)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	await("generation 2", metric("tenantgate_config_generation 2"))
	if level.Level() != slog.LevelWarn {
		t.Errorf("log level %v; want warn", level.Level())
	}
	level.Set(slog.LevelInfo) // to see the failed reload below

	write(`, "mode": "audit", "nextHopPort": 70000, "replyTexts": {"loop": "a\rb"}`)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	await("failed reload", metric("tenantgate_config_last_reload_success 0"))
	if _, b := get("/metrics"); !strings.Contains(b, "tenantgate_config_generation 2\n") {
		t.Error("a broken file changed the generation")
	}
	write(`, "nextHopPort": 70000, "replyTexts": {"loop": "a\rb"}`)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	await("second failed reload", func() bool { return strings.Count(logs.String(), "configuration not loaded") == 2 })
	for _, want := range []string{`relay.nextHopPort: 70000`, `relay.replyTexts.loop: character '\\r'`, `mode \"audit\"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
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
