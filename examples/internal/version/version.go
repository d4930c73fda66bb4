// Package version reports the build of an example program: module version, VCS revision and Go
// version from runtime/debug.ReadBuildInfo.
package version

import (
	"runtime/debug"
	"strings"
)

// String returns "<name> <module version> (<revision>[, modified], <go version>)" for the running
// binary: "(devel)" as the module version of a build from a checkout, the revision when the
// build recorded one (go build in a Git checkout), "unknown" parts when nothing was recorded.
func String(name string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " unknown (no build information)"
	}
	return Format(name, bi)
}

// Format is String for given build information.
func Format(name string, bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "unknown"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev == "" {
		rev = "revision unknown"
	} else if len(rev) > 12 {
		rev = rev[:12]
	}
	return strings.Join([]string{name, v, "(" + rev + modified + ",", bi.GoVersion + ")"}, " ")
}
