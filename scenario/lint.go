package scenario

import (
	"strings"

	"github.com/tenantgate/tenantgate/topology"
)

// EvalLint evaluates the file's lint case with topology.Lint and the file's options: every
// code of expect.findings must be among the findings, no code of expect.absent may be.
func EvalLint(env *Env, c *LintCase) []string {
	var m mismatches
	e := c.Expect
	if len(e.Findings) == 0 && len(e.Absent) == 0 {
		m.Addf("expect names no finding and no absent code")
		return m
	}
	fs := topology.Lint(env.Dir, topologyOptionsOf(env.File))
	var got []string
	for _, f := range fs {
		got = append(got, f.Code)
	}
	for _, w := range e.Findings {
		if !contains(got, w) {
			m.Addf("findings: want %q among %q", w, got)
		}
	}
	for _, a := range e.Absent {
		for _, f := range fs {
			if f.Code == a {
				m.Addf("absent: %q found: %s (%s)", a, f.Summary, strings.Join(f.Objects, ", "))
			}
		}
	}
	return m
}
