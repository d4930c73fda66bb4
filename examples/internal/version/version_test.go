package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/tenantgate/tenantgate/examples", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "4c0f1910abcdef0123456789"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := Format("tenantgate-relay", bi), "tenantgate-relay v0.3.0 (4c0f1910abcd, modified, go1.26.8)"; got != want {
		t.Errorf("Format = %q; want %q", got, want)
	}
	if got := Format("x", &debug.BuildInfo{GoVersion: "go1.26.8"}); got != "x unknown (revision unknown, go1.26.8)" {
		t.Errorf("Format without information = %q", got)
	}
	// The test binary has build information: the Go version at least.
	if s := String("t"); !strings.HasPrefix(s, "t ") || !strings.Contains(s, "go1.") {
		t.Errorf("String = %q", s)
	}
}
