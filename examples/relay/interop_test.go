package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// interop returns the path of tool for an interop test: with TENANTGATE_INTEROP=1 a missing tool
// fails the test (examples/relay/README.md#tests), without the variable the test is skipped.
func interop(t *testing.T, tool string) string {
	t.Helper()
	if os.Getenv("TENANTGATE_INTEROP") != "1" {
		t.Skip("interop test: set TENANTGATE_INTEROP=1 (needs Debian's swaks, postfix, miltertest)")
	}
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("TENANTGATE_INTEROP=1 but %s is missing: %v (apt-get install -y swaks postfix miltertest)", tool, err)
	}
	return p
}

// TestInteropSwaks drives the relay with swaks (OpenSSL's TLS stack, a client certificate) as
// the examples/milter/README.md#tests setup does.
func TestInteropSwaks(t *testing.T) {
	swaks := interop(t, "swaks")
	w := newWorld(t, nil)
	dir := t.TempDir()
	exoCert, exoKey := writePEM(t, dir, "exo", w.exo)
	tests := []struct {
		name     string
		args     []string
		ok       bool
		wantText string // in swaks' transcript
	}{{
		// docs/threat-model.md#trust-rules: verified Exchange Online with contoso's header relays
		// (threat case 1's legitimate twin).
		name: "exo own tenant", ok: true, wantText: "250 ",
		args: []string{"--to", "erin@woodgrove.example", "--tls", "--tls-cert", exoCert, "--tls-key", exoKey,
			"--add-header", "X-MS-Exchange-CrossTenant-Id: " + contosoID,
			"--add-header", "X-MS-Exchange-CrossTenant-AuthAs: Internal",
			"--add-header", "X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted",
			"--header", "Subject: tok-swaks-own"},
	}, {
		name: "exo other tenant", wantText: "550 5.7.1",
		args: []string{"--to", "erin@woodgrove.example", "--tls", "--tls-cert", exoCert, "--tls-key", exoKey,
			"--add-header", "X-MS-Exchange-CrossTenant-Id: " + woodgroveID,
			"--add-header", "X-MS-Exchange-CrossTenant-AuthAs: Internal",
			"--add-header", "X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted",
			"--header", "Subject: tok-swaks-other"},
	}, {
		// Threat case 5: TLS without a client certificate, forged header.
		name: "no client certificate", wantText: "550 5.7.1",
		args: []string{"--to", "erin@woodgrove.example", "--tls",
			"--add-header", "X-MS-Exchange-CrossTenant-Id: " + contosoID, "--header", "Subject: tok-swaks-nocert"},
	}, {
		// Inbound to a served tenant: delivered with contoso's certificate
		// (docs/routing.md#the-gateways-next-hop).
		name: "inbound", ok: true, wantText: "250 ",
		args: []string{"--to", "alice@contoso.com", "--header", "Subject: tok-swaks-inbound"},
	}, {
		// Issue 12 item 1: a quoted local part that, pasted unquoted, would end the path and add
		// ORCPT at the tenant's Exchange Online. Refused at RCPT, nothing delivered.
		name: "quoted local part with a path end", wantText: "553 5.1.3",
		args: []string{"--to", `"victim@evil.example> ORCPT=rfc822;x"@contoso.com`, "--header", "Subject: tok-swaks-inject"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--server", w.relay, "--from", "carol@contoso.com", "--helo", "client.example", "--timeout", "20"}, tc.args...)
			out, err := tool(t, swaks, args...).CombinedOutput()
			if (err == nil) != tc.ok {
				t.Fatalf("swaks ok=%v, want %v:\n%s", err == nil, tc.ok, out)
			}
			if !strings.Contains(string(out), tc.wantText) {
				t.Errorf("swaks transcript lacks %q:\n%s", tc.wantText, out)
			}
			tok := tc.args[len(tc.args)-1][len("Subject: "):]
			want := 0
			if tc.ok {
				want = 1
			}
			if n := w.good.count(tok); n != want {
				t.Errorf("sink holds %d copies of %s, want %d", n, tok, want)
			}
		})
	}
	if m := w.good.find(t, "tok-swaks-inbound"); strings.Join(m.CertNames, ",") != "contoso.gw.example.net" {
		t.Errorf("inbound hop presented %q, want contoso.gw.example.net", m.CertNames)
	}
}
