package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate/headers"
)

// width is the widest line the explanation prints.
const width = 100

// runHeaders is "mailflow headers [flags] FILE".
func runHeaders(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow headers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var l headers.Limits
	limitFlags(fs, &l)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mailflow headers [flags] FILE.eml   (FILE \"-\" reads standard input)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := checkLimits("mailflow headers", l); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	name := fs.Arg(0)
	var r io.Reader
	if name == "-" {
		r, name = os.Stdin, "standard input"
	} else {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "mailflow headers: %v\n", err)
			return 1
		}
		defer f.Close()
		r = f
	}
	return explainReader(r, name, l, stdout, stderr)
}

func explainReader(r io.Reader, name string, l headers.Limits, stdout, stderr io.Writer) int {
	h, err := readMessage(r, l)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow headers: %s: %v\n", name, err)
		return 1
	}
	explain(stdout, h, headers.Parse(h))
	return 0
}

// explain prints what the header block says: the summary first, then the CrossTenant family
// (which Microsoft's Message Header Analyzer does not interpret), the antispam verdicts with the
// meaning of each code, authentication results, the hops with their delays, and problems.
func explain(w io.Writer, h textproto.Header, m *headers.Message) {
	p := &printer{w: w}
	latest := m.LatestPass()

	p.title("Summary (what the header claims; trust needs the connection's evidence)")
	summary(p, h, m)

	p.title("Cross-tenant fields (latest pass = bottom-most occurrence)")
	ct := m.CrossTenant
	p.kv("X-OriginatorOrg", orDash(latest.OriginatorOrg))
	if !latest.OriginalArrivalTime.IsZero() {
		p.kv("OriginalArrivalTime", latest.OriginalArrivalTime.Format("2006-01-02 15:04:05.0000 MST"))
	}
	p.kv("Network-Message-Id", orDash(latest.NetworkMessageID))
	p.kv("Id", fmt.Sprintf("%s (%d field(s))", lastValue(ct.ID), len(ct.ID)))
	if c := latest.ConnectingIP; c != nil {
		p.kv("OriginalAttributed…IP", "tenant "+c.TenantID.String())
		p.kv("", fmt.Sprintf("IP %s, HELO %s", c.IP, orDash(c.HELO)))
	}
	p.kv("AuthSource", orDash(latest.AuthSource))
	p.kv("AuthAs", orDash(latest.AuthAs))
	p.kv("FromEntityHeader", orDash(latest.FromEntityHeader))
	if latest.MailboxType != "" {
		p.kv("MailboxType", latest.MailboxType)
	}
	for _, f := range ct.EOPTenant {
		p.kv("X-EOPTenantAttributed…", f.Value)
	}
	for _, f := range ct.Stamped {
		p.kv("…HeadersStamped", fmt.Sprintf("%s (field %d)", f.Value, f.Index))
	}
	for _, f := range ct.Stripped {
		p.kv("…HeadersStripped", fmt.Sprintf("%s (field %d)", f.Value, f.Index))
	}
	if len(m.Organization)+len(m.CrossPremises) > 0 {
		p.title("Organization and CrossPremises fields")
		for _, f := range append(append([]headers.Field{}, m.Organization...), m.CrossPremises...) {
			name := f.Name
			if len(name) > len("X-MS-Exchange-") && strings.EqualFold(name[:len("X-MS-Exchange-")], "X-MS-Exchange-") {
				name = name[len("X-MS-Exchange-"):]
			}
			p.line(fmt.Sprintf("  %-40s %s", clip(name, 40), f.Value))
		}
	}

	for _, r := range m.Antispam {
		t := fmt.Sprintf("%s (field %d)", r.Name, r.Index)
		if r.Untrusted {
			t += ": an earlier pass's report"
		}
		p.title(t)
		for _, it := range r.Items() {
			p.code(it.Key, it.Value)
		}
	}
	for _, r := range m.MicrosoftAntispam {
		p.title(fmt.Sprintf("%s (field %d)", r.Name, r.Index))
		if r.BCL != nil {
			p.code("BCL", fmt.Sprint(*r.BCL))
		}
		if r.PCL != nil {
			p.code("PCL", fmt.Sprint(*r.PCL))
		}
	}

	if len(m.AuthResults) > 0 {
		p.title("Authentication results")
		for _, a := range m.AuthResults {
			head := fmt.Sprintf("%s (field %d)", a.Name, a.Index)
			if a.ServID != "" {
				head += " by " + a.ServID
			}
			p.line("  " + head)
			for _, r := range a.Results {
				p.line("    " + r.String())
			}
		}
	}

	p.title("Hops, oldest first (delay as Message Header Analyzer computes it)")
	for _, h := range m.Hops.List {
		if !h.Date.IsZero() {
			p.line("  first dated hop at " + h.Date.UTC().Format("2006-01-02 15:04:05 UTC") + "; times below are UTC")
			break
		}
	}
	p.line(fmt.Sprintf("  %3s %7s  %-37s %-37s %s", "#", "delay", "from", "by", "time"))
	for _, h := range m.Hops.List {
		delay := ""
		if h.HasDelay {
			delay = h.Delay.String()
		}
		when := "-"
		if !h.Date.IsZero() {
			when = h.Date.UTC().Format("15:04:05")
		}
		p.line(fmt.Sprintf("  %3d %7s  %-37s %-37s %s", h.Number, delay, clip(orDash(h.From), 37), clip(orDash(h.By), 37), when))
	}

	if len(m.Problems) > 0 {
		p.title("Problems")
		for _, pr := range m.Problems {
			p.line(fmt.Sprintf("  field %d %s: %s", pr.Index, pr.Field, pr.Reason))
		}
	}
}

// summary prints the key-value summary of what a header block claims: the tenant, the Exchange
// Online passes, direction and spam verdict, sender, authentication, From, Subject and transit.
func summary(p *printer, h textproto.Header, m *headers.Message) {
	latest := m.LatestPass()
	switch id, err := m.CrossTenantID(); {
	case err == nil:
		p.kv("Tenant", id.String()+" (X-MS-Exchange-CrossTenant-Id)")
	case errors.Is(err, headers.ErrNoTenantID):
		p.kv("Tenant", "none: no X-MS-Exchange-CrossTenant-Id field")
	default:
		p.kv("Tenant", "unusable: "+strings.TrimPrefix(err.Error(), "headers: "))
	}
	if n := len(m.CrossTenant.Stamped); n > 0 {
		s := fmt.Sprintf("%d, latest stamped by %s", n, latest.Stamped)
		if len(m.CrossTenant.Stripped) > 0 {
			s += "; earlier CrossTenant set stripped"
		}
		p.kv("EXO passes", s)
	} else {
		p.kv("EXO passes", "none stamped (no X-MS-Exchange-Transport-CrossTenantHeadersStamped)")
	}
	if r, ok := latestReport(m); ok {
		p.kv("Direction", codeMeaning("DIR", r.DIR))
		verdict := codeMeaning("SFV", r.SFV)
		if r.SCL != nil {
			verdict += "; " + codeMeaning("SCL", fmt.Sprint(*r.SCL))
		}
		if r.CAT != "" {
			verdict += "; " + codeMeaning("CAT", r.CAT)
		}
		p.kv("Spam verdict", verdict)
	} else {
		p.kv("Direction", "unknown: no X-Forefront-Antispam-Report")
	}
	if latest.FromEntityHeader != "" || latest.AuthAs != "" {
		p.kv("Sender", fmt.Sprintf("%s: %s; AuthAs %s", orDash(latest.FromEntityHeader),
			entityMeaning(latest.FromEntityHeader), orDash(latest.AuthAs)))
	}
	if a, ok := exoAuthResults(m); ok {
		var parts []string
		for _, r := range a.Results {
			parts = append(parts, r.Method+"="+r.Result)
		}
		p.kv("Authentication", strings.Join(parts, " ")+" ("+a.Name+")")
	}
	switch mb, ok := m.FromMailbox(); {
	case ok:
		p.kv("From", mb.Address)
	default:
		p.kv("From", fmt.Sprintf("not one mailbox (%d From fields): DKIM signing would be refused", len(m.From)))
	}
	mh := mail.Header{Header: message.Header{Header: h}}
	if subject, err := mh.Subject(); err == nil && subject != "" {
		p.kv("Subject", subject)
	}
	if id, err := mh.MessageID(); err == nil && id != "" {
		p.kv("Message-ID", "<"+id+">")
	}
	p.kv("Transit", fmt.Sprintf("%d hops, %s from first to last", len(m.Hops.List), m.Hops.Total))
	p.kv("Problems", fmt.Sprint(len(m.Problems)))
}

// latestReport returns the bottom-most trusted X-Forefront-Antispam-Report.
func latestReport(m *headers.Message) (headers.AntispamReport, bool) {
	for i := len(m.Antispam) - 1; i >= 0; i-- {
		if !m.Antispam[i].Untrusted {
			return m.Antispam[i], true
		}
	}
	return headers.AntispamReport{}, false
}

// exoAuthResults returns the authentication results Exchange Online wrote: the bottom-most
// X-MS-Exchange-Authentication-Results, else the bottom-most Authentication-Results without an
// authserv-id (EXO's form, go-ecosystem.md A.2).
func exoAuthResults(m *headers.Message) (headers.AuthResults, bool) {
	for _, want := range []string{"x-ms-exchange-authentication-results", "authentication-results"} {
		for i := len(m.AuthResults) - 1; i >= 0; i-- {
			a := m.AuthResults[i]
			if strings.EqualFold(a.Name, want) && a.ServID == "" && len(a.Results) > 0 {
				return a, true
			}
		}
	}
	return headers.AuthResults{}, false
}

func entityMeaning(v string) string {
	switch strings.ToLower(v) {
	case "hosted":
		return "a cloud mailbox"
	case "hybridonprem":
		return "on-premises or 3rd-party connector"
	case "internet":
		return "from the Internet"
	case "":
		return "absent"
	}
	return "unknown value"
}

func codeMeaning(key, value string) string {
	if value == "" {
		return key + ": (empty)"
	}
	s := key + ":" + value
	if m, ok := headers.Explain(key, value); ok {
		return s + " — " + m
	}
	return s
}

func lastValue(fs []headers.TenantIDField) string {
	if len(fs) == 0 {
		return "-"
	}
	return fs[len(fs)-1].Value
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s to n runes, marking the cut with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// printer writes lines no wider than width.
type printer struct {
	w     io.Writer
	first bool
}

func (p *printer) title(s string) {
	if p.first {
		fmt.Fprintln(p.w)
	}
	p.first = true
	p.line(s)
}

// line prints s clipped to width. Control characters (an attacker's Subject may carry terminal
// escape sequences) are shown as U+FFFD.
func (p *printer) line(s string) {
	fmt.Fprintln(p.w, clip(strings.TrimRight(sanitize(s), " "), width))
}

func (p *printer) kv(k, v string) {
	p.line(fmt.Sprintf("  %-24s %s", clip(k, 24), v))
}

// code prints one antispam item with the meaning of its value, or of its field.
func (p *printer) code(k, v string) {
	m, ok := headers.Explain(k, v)
	if !ok {
		m = headers.ExplainField(k)
	}
	p.line(fmt.Sprintf("  %-6s %-28s %s", k, clip(orDash(v), 28), m))
}
