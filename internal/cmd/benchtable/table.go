package main

import (
	"fmt"
	"slices"
	"strings"
)

// measured holds one row's samples, one per round.
type measured struct {
	Row       row
	Base      []float64 // baseline ns/op
	Cand      []float64 // candidate ns/op, or the metric, or the process's wall time
	Ratios    []float64 // candidate ÷ baseline of the same round
	RSS       []float64 // processBelow: peak RSS in bytes
	Wall      []float64 // processBelow: the whole process's wall time in ns (Cand: Compile's)
	Extra     map[string][]float64
	CPU       bool  // Base and Cand are CPU time per iteration (-cputime)
	Err       error // the first error; the row then fails
	ErrRounds int
	NotRun    string // why the row was not measured (it then neither passes nor fails)
}

// median of xs (the mean of the middle two for an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// pass reports whether the row's medians meet its budget. A row with an error or no samples fails.
func (m measured) pass() bool {
	if m.Err != nil || len(m.Cand) == 0 {
		return false
	}
	switch m.Row.Check {
	case ratioAtMost:
		return median(m.Ratios) <= m.Row.Limit
	case nsBelow:
		return median(m.Cand) < m.Row.Limit
	case metricAtLeast, peerRatioAtLeast:
		return median(m.Cand) >= m.Row.Limit
	case metricAtMost, loadCPUAtMost:
		return median(m.Cand) <= m.Row.Limit
	case processBelow:
		return median(m.Cand) < m.Row.Limit && median(m.RSS) < gib
	}
	return false
}

// formatNS prints a duration given in nanoseconds with three significant digits or so.
func formatNS(ns float64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

// formatRatio prints a ratio with the range over rounds, as a percentage if asked.
func formatRatio(xs []float64, percent bool) string {
	f := func(x float64) string { return fmt.Sprintf("%.2f", x) }
	unit := "×"
	if percent {
		f = func(x float64) string { return fmt.Sprintf("%.1f", 100*x) }
		unit = "%"
	}
	s := "**" + f(median(xs)) + unit + "**"
	if len(xs) > 1 {
		s += " (" + f(slices.Min(xs)) + "–" + f(slices.Max(xs)) + ")"
	}
	return s
}

// cells returns the measured and ratio columns of a row.
func (m measured) cells() (string, string) {
	if m.NotRun != "" {
		return "not run (" + m.NotRun + ")", "—"
	}
	if len(m.Cand) == 0 {
		return "no result", "—"
	}
	switch m.Row.Check {
	case ratioAtMost:
		unit := ""
		if m.CPU {
			unit = " CPU"
		}
		return formatNS(median(m.Cand)) + unit + " vs " + formatNS(median(m.Base)) + unit, formatRatio(m.Ratios, m.Row.Percent)
	case nsBelow:
		s := formatNS(median(m.Cand)) + "/op"
		if b := m.Extra["B/op"]; len(b) > 0 {
			s += fmt.Sprintf(", %.0f MB/op", median(b)/1e6)
		}
		return s, fmt.Sprintf("%.2f of budget", median(m.Cand)/m.Row.Limit)
	case metricAtLeast:
		var parts []string
		for _, k := range []string{"relay-cpu-ns/msg", "pass-cpu-ns/msg"} {
			if v := m.Extra[k]; len(v) > 0 {
				parts = append(parts, strings.NewReplacer("relay-cpu-ns/msg", "relay", "pass-cpu-ns/msg", "pass-through").Replace(k)+" "+formatNS(median(v))+" CPU/msg")
			}
		}
		return strings.Join(parts, ", "), formatRatio(m.Cand, false)
	case metricAtMost:
		v := median(m.Cand)
		s := fmt.Sprintf("%.1f %s", v, m.Row.Metric)
		if m.Row.Metric == "B/op" {
			s = fmt.Sprintf("%.0f B per transaction", v)
			if a := m.Extra["allocs/op"]; len(a) > 0 {
				s += fmt.Sprintf(", %.0f allocations", median(a))
			}
		}
		return s, fmt.Sprintf("%.2f of budget", v/m.Row.Limit)
	case loadCPUAtMost:
		var under, one []string
		for _, nw := range sortedNetworks(m.Extra, "load ") {
			under = append(under, networkName(nw)+" "+formatNS(median(m.Extra["load "+nw])))
			if v := m.Extra["one "+nw]; len(v) > 0 {
				one = append(one, networkName(nw)+" "+formatNS(median(v)))
			}
		}
		s := "highest at 16–128 connections: " + strings.Join(under, ", ")
		if len(one) > 0 {
			s += "; at 1 connection (not counted): " + strings.Join(one, ", ")
		}
		return s, fmt.Sprintf("%.2f of budget", median(m.Cand)/m.Row.Limit)
	case peerRatioAtLeast:
		var parts []string
		for _, nw := range sortedNetworks(m.Extra, "ours ") {
			parts = append(parts, fmt.Sprintf("%s %.0f vs %.0f tx/s", networkName(nw), median(m.Extra["ours "+nw]), median(m.Extra["peer "+nw])))
		}
		return "peak " + strings.Join(parts, ", "), formatRatio(m.Cand, false)
	case processBelow:
		return fmt.Sprintf("`Compile` %s (the whole process %s), %.0f MiB peak RSS", formatNS(median(m.Cand)), formatNS(median(m.Wall)), median(m.RSS)/(1<<20)),
			fmt.Sprintf("%.2f of budget", median(m.Cand)/m.Row.Limit)
	}
	return "", ""
}

// sortedNetworks are the networks of the Extra keys with prefix, TCP first.
func sortedNetworks(extra map[string][]float64, prefix string) []string {
	var nws []string
	for k := range extra {
		if nw, ok := strings.CutPrefix(k, prefix); ok {
			nws = append(nws, nw)
		}
	}
	slices.Sort(nws) // "tcp" < "unix"
	return nws
}

// networkName is how the milter README names a network.
func networkName(nw string) string {
	switch nw {
	case "tcp":
		return "TCP"
	case "unix":
		return "unix socket"
	}
	return nw
}

// benchmarkCell names what a row runs.
func (m measured) benchmarkCell() string {
	r := m.Row
	if r.Check == processBelow || r.Check == loadCPUAtMost || r.Check == peerRatioAtLeast {
		return "`" + r.Candidate + "` (" + r.Pkg + ")"
	}
	s := "`" + r.Candidate + "`"
	if r.Baseline != "" {
		s = "`" + r.Candidate + "` vs `" + r.Baseline + "`"
	}
	if len(r.Args) > 0 {
		s += " `" + strings.Join(r.Args, " ") + "`"
	}
	return s + " (" + r.Pkg + ")"
}

// table renders the rows as one Markdown table.
func table(ms []measured) string {
	var b strings.Builder
	b.WriteString("| budget | benchmark | measured (median) | ratio (range) | result |\n|---|---|---|---|---|\n")
	for _, m := range ms {
		meas, ratio := m.cells()
		res := "PASS"
		switch {
		case m.NotRun != "":
			res = "not run"
		case !m.pass():
			res = "**FAIL**"
		}
		if m.Err != nil {
			res += fmt.Sprintf(" (%d of the runs failed)", m.ErrRounds)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", m.Row.Budget, m.benchmarkCell(), meas, ratio, res)
	}
	return b.String()
}
