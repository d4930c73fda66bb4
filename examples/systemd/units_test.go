package systemd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// units are the unit files of this directory and the binary each starts.
var units = map[string]string{
	"tenantgate-relay.service":  "tenantgate-relay",
	"tenantgate-milter.service": "tenantgate-milter",
}

// TestUnitsVerify runs systemd-analyze on the units, gated like the interop tests
// (TENANTGATE_INTEROP=1; .ci/run sets it). systemd-analyze verify exits 0 on unknown keys and
// bad values, printing them, so any output fails; systemd-analyze security --offline must rate
// each unit's exposure at most 2.0 ("OK"). ExecStart must name an executable, so the units are
// checked as copies whose /usr/local/bin is a directory with stand-in executables.
func TestUnitsVerify(t *testing.T) {
	if os.Getenv("TENANTGATE_INTEROP") != "1" {
		t.Skip("interop test: set TENANTGATE_INTEROP=1 (needs systemd-analyze, Debian's systemd package)")
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatalf("TENANTGATE_INTEROP=1 but systemd-analyze is missing: %v (apt-get install -y systemd)", err)
	}
	dir := t.TempDir()
	var paths []string
	for unit, bin := range units {
		data, err := os.ReadFile(unit)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "ExecStart=/usr/local/bin/"+bin+" ") {
			t.Fatalf("%s: ExecStart does not start /usr/local/bin/%s", unit, bin)
		}
		for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes"} {
			if !strings.Contains(string(data), "\n"+want+"\n") {
				t.Errorf("%s lacks %s", unit, want)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, bin), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, unit)
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(data), "/usr/local/bin/", dir+"/")), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(analyze, append([]string{"verify"}, paths...)...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, p := range paths {
		out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=20", "--no-pager", p).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze security %s: %v\n%s", filepath.Base(p), err, out)
		}
	}
}

// TestRelayBindsPort25: the relay's unit grants exactly the capability to bind port 25 and the
// milter's none (README.md, "Running as a service").
func TestRelayBindsPort25(t *testing.T) {
	relay, _ := os.ReadFile("tenantgate-relay.service")
	milter, _ := os.ReadFile("tenantgate-milter.service")
	if !strings.Contains(string(relay), "\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n") || !strings.Contains(string(relay), "\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n") {
		t.Error("the relay's unit does not grant CAP_NET_BIND_SERVICE alone")
	}
	if !strings.Contains(string(milter), "\nCapabilityBoundingSet=\n") || strings.Contains(string(milter), "AmbientCapabilities") {
		t.Error("the milter's unit grants capabilities")
	}
}
