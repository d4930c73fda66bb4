package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/topology"
)

// topologyReport is what the demo and `mailflow lint` print: the canonical flows (optional) and
// the findings of one configuration. Its JSON form is a contract (README.md#json-output,
// schema/lint.schema.json): fields are only ever added.
type topologyReport struct {
	envelope
	// Source names the configuration: a file name, or "embedded demo".
	Source string `json:"source"`
	// Tenant is the tenant's name when the report is about one imported tenant alone.
	Tenant string `json:"-"`
	// TenantRef is Tenant in JSON (the exports carry no tenant ID unless --tenant-id gave it).
	TenantRef *tenantRef `json:"tenant,omitempty"`
	// Counts sums the findings up by severity.
	Counts findingCounts `json:"counts"`
	// Flows are the canonical flows (topology.CanonicalFlows) as simulated, when asked for.
	Flows []namedTrace `json:"flows,omitempty"`
	// Findings are topology.Lint's findings (topology.LintORCA's for a tenant alone), in its order.
	Findings []topology.Finding `json:"findings"`

	dir *tenantgate.Directory
}

// newTopologyReport lints d and, with flows, simulates its canonical flows.
func newTopologyReport(source string, d *tenantgate.Directory, flows bool) topologyReport {
	r := topologyReport{Source: source, Findings: topology.Lint(d, topology.Options{}), dir: d}
	if flows {
		// One Simulator for every flow: preparing one costs time in proportion to the tenants.
		sim := topology.NewSimulator(d, topology.Options{})
		for _, f := range topology.CanonicalFlows(d) {
			nt := namedTrace{Name: f.Name, Tenant: tenantName(d, f.Tenant), ID: f.Tenant, Trace: sim.Simulate(f.Injection),
				Expected: topology.OutcomeDelivered}
			if wantRejected(f.Name) {
				nt.Expected = topology.OutcomeRejected
			}
			nt.Met = nt.Trace.Outcome == nt.Expected
			r.Flows = append(r.Flows, nt)
		}
	}
	r.finish()
	return r
}

func (r *topologyReport) finish() {
	if r.Findings == nil {
		r.Findings = []topology.Finding{}
	}
	r.Counts = countFindings(r.Findings)
	r.envelope = newEnvelope(!r.failed())
	if r.Tenant != "" {
		r.TenantRef = &tenantRef{Name: r.Tenant}
	}
}

// failed reports whether the topology has an error finding (exit status 1).
func (r *topologyReport) failed() bool { return r.Counts.Errors > 0 }

// verdict is the one line that comes first: how the flows ended and what lint found.
func (r *topologyReport) verdict() string {
	var parts []string
	if len(r.Flows) > 0 {
		n := map[topology.Outcome]int{}
		wanted := 0
		for _, f := range r.Flows {
			n[f.Trace.Outcome]++
			if f.Trace.Outcome == topology.OutcomeRejected && wantRejected(f.Name) {
				wanted++
			}
		}
		s := plural(len(r.Flows), "flow", "flows") + " simulated: " + fmt.Sprintf("%d delivered", n[topology.OutcomeDelivered])
		if n[topology.OutcomeRejected] > 0 {
			s += fmt.Sprintf(", %d rejected", n[topology.OutcomeRejected])
			if wanted == n[topology.OutcomeRejected] {
				s += " as they should be"
			} else if wanted > 0 {
				s += fmt.Sprintf(" (%d as they should be)", wanted)
			}
		}
		if n[topology.OutcomeLooped] > 0 {
			s += fmt.Sprintf(", %d looped", n[topology.OutcomeLooped])
		}
		parts = append(parts, s)
	}
	parts = append(parts, "lint: "+r.Counts.String())
	status := "OK"
	if r.failed() {
		status = "FAIL"
	}
	return status + " " + strings.Join(parts, "; ")
}

func (r *topologyReport) writeText(o *textOut, verbose bool) {
	status, rest, _ := strings.Cut(r.verdict(), " ")
	st := styleGreen
	if r.failed() {
		st = styleRed
	}
	for i, l := range wrapLines(status+" ", sanitize(rest)) {
		if i == 0 {
			l = o.paint(st, status) + l[len(status):]
		}
		o.line(l)
	}
	what := r.Source
	if r.Tenant != "" {
		what = "tenant " + r.Tenant + " imported from " + r.Source
	}
	o.wrap("  ", what)
	if len(r.Flows) > 0 {
		o.line("")
		o.line(o.paint(styleBold, "Flows") + " (each hop: who sent → who received, decision; what was decided and why)")
		for _, f := range r.Flows {
			o.line("")
			writeTraceText(o, f, verbose)
		}
	}
	o.line("")
	if len(r.Findings) == 0 {
		o.line(o.paint(styleBold, "Findings") + ": none")
		return
	}
	o.line(o.paint(styleBold, "Findings") + " (in Lint's order: flows per tenant, configuration checks, the gateway)")
	o.line("")
	writeFindingsText(o, r.dir, r.Findings, verbose)
}

func (r *topologyReport) writeJSON(w io.Writer) error {
	return writeOutput(w, r, r.dir)
}

// writeMarkdown prints the report as Markdown a wiki or GitHub page renders: the verdict, one
// Mermaid sequence diagram per flow, and the findings as a list.
func (r *topologyReport) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "**%s** — %s\n", mdText(r.verdict()), mdText(r.Source))
	for _, f := range r.Flows {
		title := f.Name
		if f.Tenant != "" {
			title += " (" + f.Tenant + ")"
		}
		fmt.Fprintf(w, "\n### %s: %s\n\n```mermaid\n", mdText(title), f.Trace.Outcome)
		writeMermaid(w, f)
		fmt.Fprintln(w, "```")
	}
	fmt.Fprintln(w, "\n### Findings")
	fmt.Fprintln(w)
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "None.")
		return
	}
	for _, f := range r.Findings {
		head := f.Severity.String() + " " + mdCode(f.Code)
		if f.ORCA != "" {
			head += " " + f.ORCA
		}
		if n := findingTenant(r.dir, f.Tenant); n != "" {
			head += ", tenant " + mdText(n)
		}
		fmt.Fprintf(w, "- **%s**: %s\n  Fix: %s\n", head, mdText(f.Summary), mdText(f.Fix))
		if f.PowerShell != "" {
			fmt.Fprintf(w, "  %s\n", mdCode(f.PowerShell))
		}
	}
}

// mdCode writes s as a Markdown code span that shows it unchanged, backticks included (PowerShell's
// escape character; a connector name may hold one): the fence is one backtick longer than the
// longest run of backticks in s, and a space pads s when it starts or ends with a backtick or
// a space, which CommonMark strips again (https://spec.commonmark.org/0.31.2/#code-spans).
func mdCode(s string) string {
	s = sanitize(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdText keeps configuration text from turning into Markdown or HTML.
func mdText(s string) string {
	r := strings.NewReplacer("<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "|", "\\|")
	return r.Replace(sanitize(s))
}

// writeJSON prints v as indented JSON with a final newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
