package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// TestReplacingExOTASteps follows README.md's "Replacing ExOTA-Milter" with the commands and
// JSON written there. Step 1 converts an ExOTA-Milter installation whose environment is
// ExOTA-Milter's systemd example (INSTALL/systemd/exota-milter.conf: MILTER_SOCKET
// inet:4321@127.0.0.1, DKIM enabled, LOG_LEVEL info) with the current test policy; step 2 applies
// the README's jq filter (".milter += {…}", an object merge); the result loads in monitor mode on
// the README's addresses. The README's exotaPolicyFile configuration loads too. Before this test,
// step 1 wrote the converter's output as a configFile, which does not load.
func TestReplacingExOTASteps(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(readme, []byte("## Replacing ExOTA-Milter"))
	end := bytes.Index(readme, []byte("## Migrating from ExOTA-Milter"))
	if start < 0 || end < start {
		t.Fatal("README.md lacks the section")
	}
	section := string(readme[start:end])
	policy, err := filepath.Abs("testdata/exota-policy-current.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	// Step 1: sh -c '. /etc/exota-milter/exota-milter.conf && milter -convert-exota-env -gateway gw.example.net' > milter.json
	if !strings.Contains(section, "milter -convert-exota-env -gateway gw.example.net' > /etc/tenantgate/milter.json") {
		t.Fatal("step 1's command changed; follow it here")
	}
	env := map[string]string{"LOG_LEVEL": "info", "MILTER_SOCKET": "inet:4321@127.0.0.1", "MILTER_POLICY_FILE": policy,
		"MILTER_DKIM_ENABLED": "True", "MILTER_DKIM_ALIGNMENT_REQUIRED": "True", "MILTER_TRUSTED_AUTHSERVID": "DKIMAuthservID",
		"MILTER_X509_ENABLED": "True", "MILTER_X509_TRUSTED_CN": "mail.protection.outlook.com", "MILTER_X509_IP_WHITELIST": "127.0.0.1,::1",
		"MILTER_ADD_HEADER": "True", "MILTER_AUTHSERVID": "some-auth-serv-id"}
	var out, warnings bytes.Buffer
	if err := convertExOTAEnv("", "gw.example.net", func(k string) (string, bool) { v, ok := env[k]; return v, ok }, &out, &warnings); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "milter.json")

	// Step 2: jq '.milter += {…}' milter.json, with the object the README gives.
	m := regexp.MustCompile(`jq '\.milter \+= (\{[^']*\})' milter\.json`).FindStringSubmatch(section)
	if m == nil {
		t.Fatal("step 2's jq command not found")
	}
	var file map[string]json.RawMessage
	var milterSec, add map[string]any
	if err := json.Unmarshal(out.Bytes(), &file); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(file["milter"], &milterSec); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(m[1]), &add); err != nil {
		t.Fatalf("step 2's object %s: %v", m[1], err)
	}
	for k, v := range add {
		milterSec[k] = v
	}
	if file["milter"], err = json.Marshal(milterSec); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	// Step 3: milter -config milter.json.
	l, err := LoadFile(path)
	if err != nil {
		t.Fatalf("step 3: %v\n%s", err, b)
	}
	s := l.Section
	if s.Mode != ops.Monitor || s.Listen != "127.0.0.1:8894" || s.MetricsListen != "127.0.0.1:9894" || s.LogLevel != "info" {
		t.Errorf("mode %q listen %q metricsListen %q logLevel %q; want monitor on the README's addresses, info", s.Mode, s.Listen, s.MetricsListen, s.LogLevel)
	}
	// ExOTA-Milter checked DKIM (MILTER_DKIM_ENABLED) for yad's entry and took DKIM for a
	// missing tenant header (no MILTER_TENANT_ID_REQUIRED).
	if !l.Policy.DKIMFallback || len(l.Policy.Tenants) != 1 || !l.NeedsDKIM {
		t.Errorf("policy %+v; want dkimFallback and DKIM required for yad's tenant", l.Policy)
	}
	if _, err := l.App(slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}

	// The exotaPolicyFile alternative of step 1, with ExOTA-Milter's file here.
	j := regexp.MustCompile("(?s)```json\n\\s*(\\{ \"exotaPolicyFile\".*?)```").FindStringSubmatch(section)
	if j == nil {
		t.Fatal("the exotaPolicyFile configuration not found")
	}
	conf := strings.ReplaceAll(j[1], "/etc/exota-milter/exota-milter-policy.json", policy)
	if _, err := Load([]byte(conf), dir); err != nil {
		t.Errorf("the README's exotaPolicyFile configuration: %v", err)
	}
}
