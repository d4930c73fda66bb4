package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/topology"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestColor checks that colour only adds escape sequences: with them stripped, the coloured demo
// report is the plain one, so widths and wording do not depend on the terminal.
func TestColor(t *testing.T) {
	_, d, err := parseConfig(demoSource, demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	r := newTopologyReport(demoSource, d, true)
	var plain, colored bytes.Buffer
	r.writeText(&textOut{w: &plain}, false)
	r.writeText(&textOut{w: &colored, color: true}, false)
	if !strings.Contains(colored.String(), "\x1b[") {
		t.Fatal("no escape sequence in coloured output")
	}
	if got := ansi.ReplaceAllString(colored.String(), ""); got != plain.String() {
		t.Errorf("coloured output without escapes differs from plain output:\n%s", got)
	}
}

// TestUseColor checks that output to anything but a terminal is never coloured.
func TestUseColor(t *testing.T) {
	if useColor(&bytes.Buffer{}) {
		t.Error("a buffer got colour")
	}
	t.Setenv("NO_COLOR", "1")
	if useColor(nil) {
		t.Error("nil writer got colour")
	}
}

func TestWrapLines(t *testing.T) {
	tests := []struct {
		first, text string
		want        []string
	}{
		{"  why ", "a b", []string{"  why a b"}},
		{"x ", "", []string{"x "}},
		// A word longer than a line is cut at the width (100 − len("> ") = 98 runes).
		{"> ", strings.Repeat("é", 100), []string{"> " + strings.Repeat("é", 98), "  éé"}},
	}
	for _, tc := range tests {
		if got := wrapLines(tc.first, tc.text); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("wrapLines(%q, %q) = %q, want %q", tc.first, tc.text, got, tc.want)
		}
	}
}

func TestMermaidText(t *testing.T) {
	tests := []struct{ in, want string }{
		// ';' ends a statement and '#' starts an entity in Mermaid; '<' '>' could open HTML.
		{"550 5.7.64 TenantAttribution; Relay", "550 5.7.64 TenantAttribution#59; Relay"},
		{"<script>#x", "#lt;script#gt;#35;x"},
		{"a\x1b[2Jb", "a[2Jb"},
	}
	for _, tc := range tests {
		if got := mermaidText(tc.in); got != tc.want {
			t.Errorf("mermaidText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReplyCode: a title line shows the reply code and the enhanced code, not the text.
func TestReplyCode(t *testing.T) {
	for _, tc := range []struct {
		in   tenantgate.Reply
		want string
	}{
		{classify.ReplyPartnerRestricted, "550 5.7.51"},
		{topology.ReplyEXOHopCountExceeded, "554 5.4.14"},
		{tenantgate.Reply{Code: 550, Text: "no enhanced code"}, "550"},
		{tenantgate.Reply{}, ""},
	} {
		if got := replyCode(tc.in); got != tc.want {
			t.Errorf("replyCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWantRejected(t *testing.T) {
	for _, f := range []string{topology.FlowInternetDirect, topology.FlowRelayAttempt, topology.FlowOtherTenantRelay, topology.FlowDirectSendRelay} {
		if !wantRejected(f) {
			t.Errorf("%s: a refusal is what the flow tests", f)
		}
	}
	for _, f := range []string{topology.FlowInternetToTenant, topology.FlowTenantToInternet, topology.FlowTenantToOffice365} {
		if wantRejected(f) {
			t.Errorf("%s: must be delivered", f)
		}
	}
}

// TestMarkdownCode checks code spans by CommonMark's rules
// (https://spec.commonmark.org/0.31.2/#code-spans): the text shows unchanged, backticks
// included, inside a fence one backtick longer than its longest backtick run.
func TestMarkdownCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Set-OrganizationConfig -RejectDirectSend $true", "`Set-OrganizationConfig -RejectDirectSend $true`"},
		// PowerShell's escape character in a connector name (issue 16 §4: it became ').
		{"Set-InboundConnector -Identity 'from`gateway'", "``Set-InboundConnector -Identity 'from`gateway'``"},
		{"a``b", "```a``b```"},
		// A backtick at either end would join the fence: one space pads it, and CommonMark strips it.
		{"`start", "`` `start ``"},
		{"end`", "`` end` ``"},
		// Spaces at both ends would be stripped once: pad them.
		{" x ", "`  x  `"},
		{"   ", "`   `"},
	} {
		if got := mdCode(tc.in); got != tc.want {
			t.Errorf("mdCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMarkdownBacktickConnector lints a configuration whose connector name holds a backtick
// and checks that the Markdown fix keeps it.
func TestMarkdownBacktickConnector(t *testing.T) {
	data, err := os.ReadFile("testdata/config/pitfall-misattribution.json")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "backtick.json")
	if err := os.WriteFile(p, bytes.ReplaceAll(data, []byte(`"from-gateway"`), []byte("\"from`gateway\"")), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	run([]string{"lint", "--format", "mermaid", p}, &stdout, &stderr)
	if want := "  ``Set-InboundConnector -Identity 'from`gateway' -ConnectorType Partner``\n"; !strings.Contains(stdout.String(), want) {
		t.Errorf("Markdown lacks %q:\n%s%s", want, stdout.String(), stderr.String())
	}
}
