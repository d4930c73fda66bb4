package main

import (
	"strings"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/topology"
)

// findingCounts counts findings by severity.
type findingCounts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
}

func countFindings(fs []topology.Finding) findingCounts {
	var c findingCounts
	for _, f := range fs {
		switch f.Severity {
		case topology.SeverityError:
			c.Errors++
		case topology.SeverityWarning:
			c.Warnings++
		default:
			c.Info++
		}
	}
	return c
}

func (c findingCounts) String() string {
	return plural(c.Errors, "error", "errors") + ", " + plural(c.Warnings, "warning", "warnings") + ", " + c.infoText()
}

func (c findingCounts) infoText() string {
	return plural(c.Info, "note", "notes")
}

// severityStyle is the colour of a severity.
func severityStyle(s topology.Severity) style {
	switch s {
	case topology.SeverityError:
		return styleRed
	case topology.SeverityWarning:
		return styleYellow
	}
	return styleDim
}

// writeFindingsText prints findings one block each: severity, code, ORCA ID and tenant on the
// first line, then the objects, what is wrong, why (verbose: with the decisions' reasons), and
// the fix with its PowerShell command.
func writeFindingsText(o *textOut, d *tenantgate.Directory, fs []topology.Finding, verbose bool) {
	const indent = "         "
	for i, f := range fs {
		if i > 0 {
			o.line("")
		}
		sev := f.Severity.String()
		head := strings.Repeat(" ", 8-len(sev)) + " " + f.Code
		if f.ORCA != "" {
			head += "  " + f.ORCA
		}
		if n := findingTenant(d, f.Tenant); n != "" {
			head += "  tenant " + n
		}
		if f.Flow != "" {
			head += "  flow " + f.Flow
		}
		o.line(o.paint(severityStyle(f.Severity), sev) + clip(sanitize(head), width-len(sev)))
		if len(f.Objects) > 0 {
			o.wrap(indent, strings.Join(f.Objects, "; "))
		}
		o.wrap(indent, f.Summary)
		if f.Detail != "" {
			o.wrap(indent+"why  ", f.Detail)
		}
		if verbose {
			for _, r := range f.Reasons {
				o.wrap(indent+"     ", r.Code+": "+r.Detail)
			}
		}
		o.wrap(indent+"fix  ", f.Fix)
		if f.PowerShell != "" {
			for _, l := range powerShellLines(indent+"PS> ", sanitize(f.PowerShell)) {
				o.line(l)
			}
		}
	}
}

// findingTenant names a finding's tenant; d may be nil (a tenant imported alone).
func findingTenant(d *tenantgate.Directory, id tenantgate.TenantID) string {
	if d == nil {
		if id.IsZero() {
			return ""
		}
		return id.String()
	}
	return tenantName(d, id)
}

// powerShellLines breaks a PowerShell command at spaces into lines of at most width columns,
// ending every line but the last with PowerShell's line continuation (a backtick), so that the
// lines pasted together still run as one command.
func powerShellLines(first, cmd string) []string {
	if utf8.RuneCountInString(first)+utf8.RuneCountInString(cmd) <= width {
		return []string{first + cmd}
	}
	// Break between tokens, leaving room for " `".
	avail := width - 2
	indent := strings.Repeat(" ", utf8.RuneCountInString(first))
	var out []string
	cur := first
	curN := utf8.RuneCountInString(first)
	empty := true
	for _, word := range psFields(cmd) {
		wn := utf8.RuneCountInString(word)
		if !empty && curN+1+wn > avail {
			out = append(out, cur+" `")
			cur, curN, empty = indent+"  ", utf8.RuneCountInString(indent)+2, true
		}
		if !empty {
			cur += " "
			curN++
		}
		cur += word
		curN += wn
		empty = false
	}
	return append(out, cur)
}

// psFields splits a PowerShell command at spaces outside quotes, so that a quoted name with spaces
// ('Inbound from gateway') stays on one line.
func psFields(cmd string) []string {
	var out []string
	var quote rune
	start := -1
	for i, r := range cmd {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
			if start < 0 {
				start = i
			}
		case r == ' ':
			if start >= 0 {
				out = append(out, cmd[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, cmd[start:])
	}
	return out
}
