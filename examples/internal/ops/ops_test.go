package ops

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// TestMode: the JSON values, and monitor mode waiving only the trust refusal (550 5.7.1), never
// a loop, an unreadable recipient or header (Mode.Waives says why).
func TestMode(t *testing.T) {
	var s Section
	if err := jsonstrict.Decode([]byte(`{"mode": "monitor"}`), &s); err != nil || s.Mode != Monitor {
		t.Fatalf("monitor: %v %q", err, s.Mode)
	}
	if err := jsonstrict.Decode([]byte(`{"mode": "audit"}`), &s); err == nil || !strings.Contains(err.Error(), `mode "audit"`) {
		t.Errorf("audit: %v", err)
	}
	for _, tc := range []struct {
		m    Mode
		r    tenantgate.Reply
		want bool
	}{
		{Monitor, classify.ReplyRelayDenied, true},
		{Monitor, classify.ReplyLoop, false},
		{Monitor, classify.ReplyBadRecipient, false},
		{Monitor, classify.ReplyHeaderInvalid, false},
		{Enforce, classify.ReplyRelayDenied, false},
		{"", classify.ReplyRelayDenied, false},
	} {
		if got := tc.m.Waives(tc.r); got != tc.want {
			t.Errorf("%q.Waives(%v) = %v", tc.m, tc.r, got)
		}
	}
}

// TestReplyTexts: a configured text replaces the policy's and keeps code and enhanced code; a
// text that cannot go on a reply line is refused naming its field.
func TestReplyTexts(t *testing.T) {
	rt := ReplyTexts{RelayDenied: "Security policy violation", Loop: "Looping"}
	got := rt.Apply(classify.ReplyRelayDenied)
	want := tenantgate.Reply{Code: 550, Enhanced: tenantgate.EnhancedCode{5, 7, 1}, Text: "Security policy violation"}
	if got != want {
		t.Errorf("relay denied: %v; want %v", got, want)
	}
	if got := rt.Apply(classify.ReplyLoop); got.Code != 554 || got.Enhanced != (tenantgate.EnhancedCode{5, 4, 6}) || got.Text != "Looping" {
		t.Errorf("loop: %v", got)
	}
	if got := rt.Apply(classify.ReplyHeaderInvalid); got != classify.ReplyHeaderInvalid {
		t.Errorf("header invalid without a text: %v", got)
	}
	other := tenantgate.Reply{Code: 451, Enhanced: tenantgate.EnhancedCode{4, 7, 5}, Text: "DKIM"}
	if got := rt.Apply(other); got != other {
		t.Errorf("not a policy reply: %v", got)
	}
	for _, tc := range []struct{ json, err string }{
		{`{"replyTexts": {"relayDenied": "bad\r\n250 ok"}}`, "x.replyTexts.relayDenied: character '\\r'"},
		{`{"replyTexts": {"loop": "100% sure"}}`, "x.replyTexts.loop: '%'"},
		{`{"replyTexts": {"badRecipient": "` + strings.Repeat("a", 201) + `"}}`, "x.replyTexts.badRecipient: 201 characters"},
		{`{"replyTexts": {"headerInvalid": "Sécurité"}}`, "x.replyTexts.headerInvalid: character"},
		{`{"watchInterval": "10ms"}`, "x.watchInterval: 10ms is below"},
		{`{"replyTexts": {"relayDenied": "Security policy violation!!"}, "watchInterval": "5s", "logLevel": "DEBUG"}`, ""},
	} {
		var s Section
		if err := jsonstrict.Decode([]byte(tc.json), &s); err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		errs := errors.Join(s.Check("x.")...)
		if (errs == nil) != (tc.err == "") || errs != nil && !strings.Contains(errs.Error(), tc.err) {
			t.Errorf("%s: %v; want %q", tc.json, errs, tc.err)
		}
	}
}

func TestLogLevel(t *testing.T) {
	var s Section
	if err := jsonstrict.Decode([]byte(`{"logLevel": "Warn"}`), &s); err != nil || s.LogLevel.Level() != slog.LevelWarn {
		t.Errorf("warn: %v %v", err, s.LogLevel)
	}
	if err := jsonstrict.Decode([]byte(`{"logLevel": "verbose"}`), &s); err == nil {
		t.Error("verbose accepted")
	}
	if LogLevel("").Level() != slog.LevelInfo {
		t.Error("default is not info")
	}
}

// TestFlatten: every error of a join, also behind a prefix, comes out on its own.
func TestFlatten(t *testing.T) {
	a, b, c := errors.New("a"), errors.New("b"), errors.New("c")
	err := fmt.Errorf("config: %w", errors.Join(a, errors.Join(b, c)))
	var got []string
	for _, e := range Flatten(err) {
		got = append(got, e.Error())
	}
	if strings.Join(got, "|") != "config: a|config: b|config: c" {
		t.Errorf("Flatten = %q", got)
	}
	if len(Flatten(nil)) != 0 || Flatten(a)[0] != a {
		t.Error("nil or single error")
	}
}
