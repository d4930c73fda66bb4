package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate/headers"
)

// printer writes the header explanation: every value whole, wrapped at width columns under its
// value column, or (verbose) on one line of any length with the reason codes. Control characters
// (an attacker's Subject may carry terminal escape sequences) are shown as U+FFFD.
type printer struct {
	w       io.Writer
	width   int
	verbose bool
	started bool
}

func (p *printer) title(s string) {
	if p.started {
		fmt.Fprintln(p.w)
	}
	p.started = true
	p.text("", s)
}

// text prints s after prefix, wrapped under prefix's width.
func (p *printer) text(prefix, s string) {
	s = sanitize(s)
	if p.verbose {
		fmt.Fprintln(p.w, strings.TrimRight(prefix+s, " "))
		return
	}
	w := p.width
	if w == 0 {
		w = width
	}
	if n := utf8.RuneCountInString(prefix); n > 0 && w-n < 20 {
		// Too narrow for the value column: the prefix on a line of its own, the value below.
		fmt.Fprintln(p.w, strings.TrimRight(prefix, " "))
		prefix = "    "
	}
	for _, l := range wrapWords(prefix, s, w, false) {
		fmt.Fprintln(p.w, strings.TrimRight(l, " "))
	}
}

// kv prints one summary row: key in a 24-column cell, value wrapped under the value column. A
// key wider than the cell gets a line of its own.
func (p *printer) kv(k, v string) {
	p.kvw(24, k, v)
}

func (p *printer) kvw(cell int, k, v string) {
	k = sanitize(k)
	if utf8.RuneCountInString(k) > cell {
		p.text("  ", k)
		k = ""
	}
	p.text(fmt.Sprintf("  %-*s ", cell, k), v)
}

// reason prints a sentence, with its code appended in verbose mode.
func (p *printer) reason(prefix, sentence, code string) {
	if p.verbose && code != "" {
		sentence += " [" + code + "]"
	}
	p.text(prefix, sentence)
}

// explainHeaders prints what the header block says: the summary first, the findings of MHA's
// rules, then the CrossTenant family (which Microsoft's Message Header Analyzer does not
// interpret), the antispam verdicts with the meaning of each code, the mailbox delivery,
// authentication results with compauth reasons, the hops with TLS and delays, and problems.
// Field numbers count from 1, as a person counts.
func explainHeaders(p *printer, a *headers.Analysis) {
	m := a.Message
	latest := m.LatestPass()

	p.title("Summary (what the header claims; trust needs the connection's evidence)")
	summary(p, a)

	if len(a.Verdict.Findings) > 0 {
		p.title("Findings (Message Header Analyzer's rules, and more)")
		for _, f := range a.Verdict.Findings {
			mark := "  i "
			if f.Error {
				mark = "  ! "
			}
			p.reason(mark, f.Reason.Detail, f.Reason.Code)
		}
	}

	p.title("Cross-tenant fields (latest pass = bottom-most occurrence)")
	ct := m.CrossTenant
	p.kv("X-OriginatorOrg", orDash(latest.OriginatorOrg))
	if !latest.OriginalArrivalTime.IsZero() {
		p.kv("OriginalArrivalTime", latest.OriginalArrivalTime.Format("2006-01-02 15:04:05.0000 MST"))
	}
	p.kv("Network-Message-Id", orDash(latest.NetworkMessageID))
	idv := "-"
	if n := len(ct.ID); n > 0 {
		idv = fmt.Sprintf("%s (%s)", ct.ID[n-1].Value, plural(n, "field", "fields"))
	}
	p.kv("Id", idv)
	if c := latest.ConnectingIP; c != nil {
		p.kv("OriginalAttributedTenantConnectingIp", fmt.Sprintf("tenant %s, IP %s, HELO %s", c.TenantID, c.IP, orDash(c.HELO)))
	}
	p.kv("AuthSource", orDash(latest.AuthSource))
	p.kv("AuthAs", orDash(latest.AuthAs))
	p.kv("FromEntityHeader", orDash(latest.FromEntityHeader))
	if latest.MailboxType != "" {
		p.kv("MailboxType", latest.MailboxType)
	}
	for _, f := range ct.EOPTenant {
		p.kv("X-EOPTenantAttributedMessage", f.Value)
	}
	for _, f := range ct.Stamped {
		p.kv("CrossTenantHeadersStamped", fmt.Sprintf("%s (field %d)", f.Value, f.Index+1))
	}
	for _, f := range ct.Stripped {
		p.kv("CrossTenantHeadersStripped", fmt.Sprintf("%s (field %d)", f.Value, f.Index+1))
	}
	if len(m.Organization)+len(m.CrossPremises) > 0 {
		p.title("Organization and CrossPremises fields")
		for _, f := range append(append([]headers.Field{}, m.Organization...), m.CrossPremises...) {
			name := f.Name
			if len(name) > len("X-MS-Exchange-") && strings.EqualFold(name[:len("X-MS-Exchange-")], "X-MS-Exchange-") {
				name = name[len("X-MS-Exchange-"):]
			}
			p.kvw(40, name, f.Value)
		}
	}

	if len(m.Antispam)+len(m.MicrosoftAntispam)+len(a.MailboxDelivery) > 0 {
		p.title("Antispam fields (meanings: " + headers.AntispamHeadersDoc + ")")
		p.started = false
	}
	for _, r := range m.Antispam {
		t := fmt.Sprintf("%s (field %d)", r.Name, r.Index+1)
		if r.Untrusted {
			t += ": an earlier pass's report"
		}
		p.title(t)
		for _, it := range r.Items() {
			p.code(it.Key, it.Value)
		}
	}
	msAntispam := func(r headers.MicrosoftAntispam, note string) {
		p.title(fmt.Sprintf("%s (field %d)%s", r.Name, r.Index+1, note))
		if r.BCL != nil {
			p.code("BCL", fmt.Sprint(*r.BCL))
		}
		if r.PCL != nil {
			p.code("PCL", fmt.Sprint(*r.PCL))
		}
		for _, it := range []headers.Param{{Key: "RULEID", Value: r.RULEID}, {Key: "ARA", Value: r.ARA}, {Key: "SRVR", Value: r.SRVR}} {
			if it.Value != "" {
				p.code(it.Key, it.Value)
			}
		}
		for _, it := range r.Unknown {
			p.code(it.Key, it.Value)
		}
	}
	for _, r := range m.MicrosoftAntispam {
		msAntispam(r, "")
	}
	for _, r := range a.MicrosoftAntispamUntrusted {
		msAntispam(r, ": an earlier pass's")
	}
	for _, d := range a.MailboxDelivery {
		p.title(fmt.Sprintf("%s (field %d): what the mailbox did", d.Name, d.Index+1))
		for _, it := range d.Items {
			meaning, ok := headers.ExplainDelivery(it.Key, it.Value)
			if !ok {
				meaning = "undocumented"
			}
			p.codeLine(it.Key, it.Value, meaning)
		}
	}

	if len(m.AuthResults) > 0 {
		p.title("Authentication results")
		for _, ar := range m.AuthResults {
			head := fmt.Sprintf("%s (field %d)", ar.Name, ar.Index+1)
			if ar.ServID != "" {
				head += " by " + ar.ServID
			}
			p.text("  ", head)
			for _, r := range ar.Results {
				p.text("    ", r.String())
				if mean := authMeaning(r); mean != "" {
					p.text("      → ", mean)
				}
			}
		}
	}

	hops(p, m)
	otherFields(p, a)

	if len(m.Problems) > 0 {
		p.title("Problems")
		for _, pr := range m.Problems {
			p.reason(fmt.Sprintf("  field %d %s: ", pr.Index+1, sanitize(pr.Field)), pr.Reason.Detail, pr.Reason.Code)
		}
	}
}

// authMeaning explains one result: the documented meaning of its value, and for compauth the
// reason code, for dmarc the action.
func authMeaning(r headers.AuthResult) string {
	var parts []string
	if m, ok := headers.ExplainAuth(r.Method, r.Result); ok {
		parts = append(parts, m)
	}
	if strings.EqualFold(r.Method, "compauth") && r.Reason != "" {
		if m, ok := headers.ExplainCompAuthReason(r.Reason); ok {
			parts = append(parts, "reason "+r.Reason+": "+m)
		}
	}
	if strings.EqualFold(r.Method, "dmarc") {
		if act, ok := r.Prop("", "action"); ok && !strings.EqualFold(act, "none") {
			if m, ok := headers.ExplainAuth("dmarc.action", act); ok {
				parts = append(parts, "action "+act+": "+m)
			}
		}
	}
	return strings.Join(parts, "; ")
}

// hops prints the Received chain oldest first, each hop's clauses whole, with TLS details.
func hops(p *printer, m *headers.Message) {
	p.title("Hops, oldest first (delay as Message Header Analyzer computes it; times UTC)")
	byIndex := map[int]headers.Received{}
	for _, r := range m.Received {
		byIndex[r.Index] = r
	}
	for _, h := range m.Hops.List {
		r := byIndex[h.Index]
		when := "no date"
		if !h.Date.IsZero() {
			when = h.Date.UTC().Format("2006-01-02 15:04:05")
		}
		delay := ""
		switch {
		case h.HasDelay && h.Delay < 0:
			delay = fmt.Sprintf(", %s earlier than the hop before: clock skew", -h.Delay)
		case h.HasDelay:
			delay = ", after " + h.Delay.String()
			if h.Percent > 0 {
				delay += fmt.Sprintf(" (%.0f%% of the transit)", h.Percent)
			}
		}
		p.text("  ", fmt.Sprintf("%d. %s%s (field %d)", h.Number, when, delay, h.Index+1))
		from := orDash(r.From)
		if r.FromReverse != "" && !strings.EqualFold(r.FromReverse, r.From) {
			from += " (" + r.FromReverse + ")"
		}
		if r.FromIP.IsValid() && !strings.Contains(from, r.FromIP.String()) {
			from += " [" + r.FromIP.String() + "]"
		}
		by := orDash(r.By)
		if r.ByIP.IsValid() && !strings.Contains(by, r.ByIP.String()) {
			by += " [" + r.ByIP.String() + "]"
		}
		for _, c := range []struct{ k, v string }{{"from", from}, {"by", by}, {"with", r.With}, {"id", r.ID}, {"for", r.For}, {"via", r.Via}, {"tls", r.TLS}} {
			if c.v != "" {
				p.text(fmt.Sprintf("     %-5s ", c.k), c.v)
			}
		}
	}
	if len(m.Hops.List) == 0 {
		p.text("  ", "no Received fields")
	}
}

// summary prints the key-value summary of what a header block claims: the tenant, the Exchange
// Online passes, direction, spam verdict and folder from every source, sender, authentication,
// the envelope fields MHA summarizes, and transit.
func summary(p *printer, a *headers.Analysis) {
	m := a.Message
	latest := m.LatestPass()
	v := a.Verdict
	switch id, err := m.CrossTenantID(); {
	case err == nil:
		p.kv("Tenant", id.String()+" (X-MS-Exchange-CrossTenant-Id)")
	case errors.Is(err, headers.ErrNoTenantID):
		p.kv("Tenant", "none: no X-MS-Exchange-CrossTenant-Id field")
	default:
		p.kv("Tenant", "unusable: "+strings.TrimPrefix(err.Error(), "headers: ")+" (see Problems)")
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
	if v.Direction != "" {
		p.kv("Direction", v.Direction+" ("+v.DirectionSource+")")
	} else {
		p.kv("Direction", "unknown: no X-Forefront-Antispam-Report DIR and no X-MS-Exchange-Organization-MessageDirectionality")
	}
	var verdict []string
	if v.SFV != "" {
		verdict = append(verdict, codeMeaning("SFV", v.SFV))
	}
	if v.SCL != nil {
		scl := codeMeaning("SCL", fmt.Sprint(*v.SCL))
		if !strings.HasPrefix(strings.ToLower(v.SCLSource), "x-forefront-antispam-report") {
			scl += " (" + v.SCLSource + ")"
		}
		verdict = append(verdict, scl)
	}
	if v.CAT != "" {
		verdict = append(verdict, codeMeaning("CAT", v.CAT))
	}
	if v.BCL != nil {
		verdict = append(verdict, codeMeaning("BCL", fmt.Sprint(*v.BCL)))
	}
	if len(verdict) > 0 {
		p.kv("Spam verdict", strings.Join(verdict, "; "))
	} else {
		p.kv("Spam verdict", "unknown: no SFV or SCL in any field")
	}
	switch {
	case v.Folder != "":
		s := v.Folder + " (dest:" + v.Dest
		if v.FolderReason != "" {
			s += "; OFR:" + v.FolderReason
			if mean, ok := headers.ExplainDelivery("OFR", v.FolderReason); ok {
				s += " — " + mean
			}
		}
		p.kv("Folder", s+")")
	case v.Direction == "inbound":
		p.kv("Folder", "unknown: no X-Microsoft-Antispam-Mailbox-Delivery dest")
	}
	if latest.FromEntityHeader != "" || latest.AuthAs != "" || v.AuthAs != "" {
		authAs := latest.AuthAs
		if authAs == "" {
			authAs = v.AuthAs
		}
		if latest.FromEntityHeader == "" {
			p.kv("Sender", "AuthAs "+authAs)
		} else {
			p.kv("Sender", fmt.Sprintf("%s: %s; AuthAs %s", latest.FromEntityHeader,
				entityMeaning(latest.FromEntityHeader), orDash(authAs)))
		}
	}
	if ar, ok := a.ExoAuthResults(); ok {
		var parts []string
		for _, r := range ar.Results {
			s := r.Method + "=" + r.Result
			if r.Reason != "" {
				s += " reason=" + r.Reason
			}
			parts = append(parts, s)
		}
		p.kv("Authentication", strings.Join(parts, " ")+" ("+ar.Name+")")
		if r, ok := ar.Result("compauth"); ok {
			if mean := authMeaning(r); mean != "" {
				p.kv("", "compauth: "+mean)
			}
		}
	}
	switch mb, ok := m.FromMailbox(); {
	case ok:
		p.kv("From", mailbox(mb))
	case len(m.From) == 0:
		p.kv("From", "none: no From field; DKIM signing would be refused")
	default:
		p.kv("From", fmt.Sprintf("not one mailbox (%s, see Problems): DKIM signing would be refused", plural(len(m.From), "From field", "From fields")))
	}
	e := a.Envelope
	if e.ReplyToFields > 0 {
		var rs []string
		for _, mb := range e.ReplyTo {
			rs = append(rs, mailbox(mb))
		}
		s := strings.Join(rs, ", ")
		if len(rs) == 0 {
			s = "does not parse (see Problems)"
		}
		if e.ReplyToDiffers {
			s += " — differs from From: replies go elsewhere"
		}
		p.kv("Reply-To", s)
	}
	p.kv("To / Cc", recipients(e))
	for _, r := range []struct {
		k    string
		list []headers.Mailbox
	}{{"To", e.To}, {"Cc", e.Cc}} {
		if len(r.list) > 0 {
			var ms []string
			for _, mb := range r.list {
				ms = append(ms, mailbox(mb))
			}
			p.kv(r.k, strings.Join(ms, ", "))
		}
	}
	if e.Subject != "" {
		p.kv("Subject", e.Subject)
	}
	switch {
	case !e.Date.IsZero():
		s := e.Date.Format("Mon, 2 Jan 2006 15:04:05 -0700")
		switch {
		case e.HasDeliveryTime && e.DeliveryTime < 0:
			s += fmt.Sprintf("; last hop %s before it: clock skew", -e.DeliveryTime)
		case e.HasDeliveryTime:
			s += "; delivered after " + e.DeliveryTime.String()
		}
		p.kv("Date", s)
	case e.DateText != "":
		p.kv("Date", e.DateText+" (does not parse, see Problems)")
	}
	if e.MessageID != "" {
		s := e.MessageID
		if !e.MessageIDValid {
			s += " (malformed, see Problems)"
		}
		p.kv("Message-ID", s)
	}
	if e.ArchivedAt != "" {
		p.kv("Archived-At", e.ArchivedAt)
	}
	p.kv("Transit", fmt.Sprintf("%s, %s from first to last", plural(len(m.Hops.List), "hop", "hops"), transit(m.Hops.Total)))
	p.kv("Problems", fmt.Sprint(len(m.Problems)))
}

func transit(d time.Duration) string {
	if d < 0 {
		return fmt.Sprintf("%s backwards: clock skew", -d)
	}
	return d.String()
}

// recipients says how many To and Cc mailboxes there are, telling "no field" from "a field that
// did not parse".
func recipients(e headers.Envelope) string {
	count := func(fields int, list []headers.Mailbox, name string) string {
		switch {
		case fields == 0:
			return "no " + name
		case len(list) == 0:
			return "a " + name + " with no mailbox that parses"
		}
		return plural(len(list), name+" mailbox", name+" mailboxes")
	}
	s := count(e.ToFields, e.To, "To") + ", " + count(e.CcFields, e.Cc, "Cc")
	if e.ToFields == 0 && e.CcFields == 0 {
		s += " (undisclosed recipients)"
	}
	return s
}

func mailbox(mb headers.Mailbox) string {
	if mb.Name == "" {
		return mb.Address
	}
	return mb.Name + " <" + mb.Address + ">"
}

// code prints one antispam item with the meaning of its value, or of its field.
func (p *printer) code(k, v string) {
	m, ok := headers.Explain(k, v)
	if !ok {
		m = headers.ExplainField(k)
	}
	p.codeLine(k, v, m)
}

// codeLine prints "KEY    value    meaning": a value wider than its 28-column cell is printed
// whole on its own lines, the meaning below it.
func (p *printer) codeLine(k, v, meaning string) {
	v = orDash(v)
	prefix := fmt.Sprintf("  %-6s ", k)
	if utf8.RuneCountInString(k) > 6 {
		prefix = "  " + k + " "
	}
	if p.verbose || utf8.RuneCountInString(v) <= 28 {
		p.text(prefix+fmt.Sprintf("%-28s ", sanitize(v)), meaning)
		return
	}
	p.text(prefix, v)
	if meaning != "" {
		p.text(strings.Repeat(" ", utf8.RuneCountInString(prefix)+29), meaning)
	}
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

// otherFields lists every field no other section shows: names by default, names and values (whole)
// with -v.
func otherFields(p *printer, a *headers.Analysis) {
	var names []string
	var fields []headers.Field
	for _, f := range a.Others {
		names = append(names, f.Name)
		fields = append(fields, f)
	}
	if len(fields) == 0 {
		return
	}
	p.title(fmt.Sprintf("Other fields (%d)", len(fields)))
	if !p.verbose {
		p.text("  ", strings.Join(names, ", ")+" (-v prints their values)")
		return
	}
	for _, f := range fields {
		p.text(fmt.Sprintf("  %d %s: ", f.Index+1, sanitize(f.Name)), f.Value)
	}
}
