package main

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// countingHandler keeps records at level and above (in buf when it is set) and counts the
// WithAttrs calls: the work a transaction spends on its logger's attributes.
type countingHandler struct {
	level slog.Level
	with  *atomic.Int64
	slog.Handler
}

func (h countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h.with.Add(1)
	h.Handler = h.Handler.WithAttrs(as)
	return h
}

// TestRelayLogsNothingDiscarded: a relay whose handler keeps no level builds no logger
// attributes for its transactions (before, each RCPT and each message called
// slog.Logger.With up to three times, for records that were then discarded). The session's own
// attributes are built once per session, at its first transaction.
func TestRelayLogsNothingDiscarded(t *testing.T) {
	w := newWorld(t, nil)
	var with atomic.Int64
	w.r.log = slog.New(countingHandler{level: slog.LevelError + 1, with: &with, Handler: slog.DiscardHandler})
	c := w.dial(t, w.clientTLS(w.exo))
	var before int64
	for i, tok := range []string{"tok-quiet-1", "tok-quiet-2", "tok-quiet-3"} {
		got, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", tok))
		if err != nil || got.Rcpt[0] != nil || got.Data != nil {
			t.Fatalf("relayed message: %v %v", got, err)
		}
		if i == 0 {
			before = with.Load()
		}
	}
	if n := with.Load() - before; n != 0 {
		t.Errorf("two transactions with every record discarded called With %d times, want 0", n)
	}
}

// TestRelayLogsAtWarn: with records kept from Warn on, a transaction's warning still carries the
// transaction's attributes (the relay asks for every level it writes, not only Info): monitor
// mode's would-be refusal, written at Warn at end of data.
func TestRelayLogsAtWarn(t *testing.T) {
	w := newWorld(t, nil)
	logs := withOps(w, relayOps{mode: ops.Monitor})
	var with atomic.Int64
	w.r.log = slog.New(countingHandler{level: slog.LevelWarn, with: &with, Handler: slog.NewJSONHandler(logs, nil)})
	c := w.dial(t, w.clientTLS(w.exo))
	if _, err := send(c, "mallory@woodgrove.example", []string{"victim@sender.example"}, exoMessage(woodgroveID, "ceo@contoso.com", "victim@sender.example", "tok-warn")); err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"msg":"message would be refused (monitor mode)"`) {
			line = l
		}
		if strings.Contains(l, `"level":"INFO"`) {
			t.Errorf("Info record written at Warn: %s", l)
		}
	}
	for _, want := range []string{`"from":"mallory@woodgrove.example"`, `"rcpts":["victim@sender.example"]`, `"origin":"other-tenant"`, `"exo":true`} {
		if !strings.Contains(line, want) {
			t.Errorf("would-be refusal record lacks %s: %q", want, line)
		}
	}
}
