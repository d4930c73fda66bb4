package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/topology"
)

// namedTrace is one simulated flow with the name and tenant it is shown under.
type namedTrace struct {
	Name   string              `json:"name"`
	Tenant string              `json:"-"`               // the tenant's name in the configuration
	ID     tenantgate.TenantID `json:"tenant,omitzero"` // written as {id, name} (writeOutput)
	// Expected is the outcome a sound topology gives the flow: rejected for the flows that
	// try to abuse the gateway (wantRejected), delivered for the others; Met says whether the
	// simulated outcome is the expected one.
	Expected topology.Outcome `json:"expected,omitempty"`
	Met      bool             `json:"met"`
	Trace    topology.Trace   `json:"trace"`
}

// tenantName returns the configured name of tenant id, or its GUID when the configuration does
// not hold it.
func tenantName(d *tenantgate.Directory, id tenantgate.TenantID) string {
	if id.IsZero() {
		return ""
	}
	if t, ok := d.TenantInfo(id); ok && t.Name != "" {
		return t.Name
	}
	return id.String()
}

// outcomeStyle is the colour of an outcome or decision.
func outcomeStyle(s string) style {
	switch s {
	case string(topology.OutcomeDelivered), string(topology.DecisionDeliver), string(topology.DecisionAccept):
		return styleGreen
	case string(topology.DecisionUndecided):
		return styleYellow
	}
	return styleRed
}

// partyText names a party for people, short enough for one line: what it is and the host
// connected to (Exchange Online by its tenant host, which names the tenant), else its name.
func partyText(p topology.Party) string {
	host := p.Host
	if host == "" {
		host = p.Name
	}
	switch p.Kind {
	case topology.PartyInternet:
		return "Internet " + host
	case topology.PartyMailbox:
		return "mailbox (" + p.Name + ")"
	case topology.PartyExchange:
		if p.Host != "" {
			return "EXO " + p.Host
		}
		if p.Tenant.IsZero() {
			return "EXO"
		}
		return "EXO (" + p.Name + ")"
	case topology.PartyGateway:
		return "gateway " + host
	}
	return string(p.Kind) + " " + host
}

// originText describes where an injection starts.
func originText(in topology.Injection) string {
	switch in.Origin {
	case topology.PartyInternet:
		s := "from the Internet"
		if in.RemoteAddr.IsValid() {
			s += " (" + in.RemoteAddr.String() + ")"
		}
		switch in.Entry {
		case topology.EntryExchange:
			s += ", straight to Exchange Online"
		case topology.EntryGateway:
			s += ", straight to the gateway"
		}
		return s
	case topology.PartyMailbox:
		return "from a cloud mailbox"
	case topology.PartyOnPremises:
		s := "from an on-premises server"
		if in.RemoteAddr.IsValid() {
			s += " (" + in.RemoteAddr.String() + ")"
		}
		return s
	}
	return "from " + string(in.Origin)
}

// envelopeText is "from → to, to".
func envelopeText(in topology.Injection) string {
	from := in.From
	if from == "" {
		from = "<>"
	}
	return from + " → " + strings.Join(in.To, ", ")
}

// tlsText says what a step's SMTP session proved: TLS, the client certificate, the identity.
func tlsText(s topology.Step) string {
	if !s.RemoteAddr.IsValid() {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "from %s", s.RemoteAddr)
	if s.HELO != "" {
		fmt.Fprintf(&b, " (HELO %s)", s.HELO)
	}
	switch {
	case !s.TLS:
		b.WriteString(", no TLS")
	case len(s.Certificate) == 0:
		b.WriteString(", TLS, no client certificate")
	default:
		b.WriteString(", TLS, certificate " + strings.Join(s.Certificate, ", "))
	}
	if s.Identity != "" {
		b.WriteString(" (identity " + s.Identity + ")")
	}
	return b.String()
}

// reasonCodes lists the codes of rs, comma-separated.
func reasonCodes(rs []tenantgate.Reason) string {
	codes := make([]string, len(rs))
	for i, r := range rs {
		codes[i] = r.Code
	}
	return strings.Join(codes, ", ")
}

// writeTraceText prints one flow: the verdict line first, then the message, then every step with
// who sent, who received, what was decided and why, and the certificate presented. verbose adds
// each reason's detail.
func writeTraceText(o *textOut, nt namedTrace, verbose bool) {
	tr := nt.Trace
	title := nt.Name
	if nt.Tenant != "" {
		title += " (" + nt.Tenant + ")"
	}
	head := sanitize(title) + ": "
	verdict := strings.ToUpper(string(tr.Outcome))
	if tr.Outcome == "" {
		verdict = "NOT SIMULATED"
	}
	st := outcomeStyle(string(tr.Outcome))
	if tr.Outcome == topology.OutcomeRejected && wantRejected(nt.Name) {
		verdict, st = verdict+" (as it should be)", styleGreen
	}
	o.line(o.paint(styleBold, head) + o.paint(st, verdict) + replySuffix(replyCode(tr.Reply)))
	o.wrap("  message   ", envelopeText(tr.Injection)+", "+originText(tr.Injection))
	for _, r := range tr.Reasons {
		o.wrap("  problem  ", r.Code+": "+r.Detail)
	}
	for _, s := range tr.Steps {
		writeStepText(o, s, len(tr.Injection.To) > 1, verbose)
	}
}

// wantRejected reports whether a canonical flow tests that mail is refused: the Internet going
// around the gateway straight to Exchange Online, and relay attempts through the gateway. Lint
// reports mx-bypass or relay-hole when they are delivered instead.
func wantRejected(flow string) bool {
	switch flow {
	case topology.FlowInternetDirect, topology.FlowRelayAttempt, topology.FlowOtherTenantRelay, topology.FlowDirectSendRelay:
		return true
	}
	return false
}

// replyCode is the reply code and enhanced status code of an SMTP reply ("550 5.7.51"), for a
// title line; the whole reply is shown at the step that gave it.
func replyCode(r tenantgate.Reply) string {
	return tenantgate.Reply{Code: r.Code, Enhanced: r.Enhanced}.String()
}

func replySuffix(reply string) string {
	if reply == "" {
		return ""
	}
	return " — " + sanitize(reply)
}

// writeStepText prints one step: its number and decision, who sent and who received (for a
// routing step: where Exchange Online routes to), then the session with the certificate
// presented, what was decided, the reply and the reasons.
func writeStepText(o *textOut, s topology.Step, showRcpt, verbose bool) {
	const indent = "                "
	dec := string(s.Decision)
	first := fmt.Sprintf("  %2d  %-9s ", s.N, dec)
	what := partyText(s.From) + " → " + partyText(s.To)
	if s.Stage == topology.StageExchangeRoute {
		what = partyText(s.From) + " routes to " + partyText(s.To)
	}
	for i, l := range wrapLines(first, sanitize(what)) {
		if i == 0 {
			l = strings.Replace(l, dec, o.paint(outcomeStyle(dec), dec), 1)
		}
		o.line(l)
	}
	if showRcpt {
		o.wrap(indent, "for "+s.Rcpt)
	}
	if t := tlsText(s); t != "" {
		o.wrap(indent, t)
	}
	o.wrap(indent, s.Summary)
	if !s.Reply.IsZero() && !strings.Contains(s.Summary, s.Reply.String()) {
		o.wrap(indent, "reply "+s.Reply.String())
	}
	if len(s.Reasons) == 0 {
		return
	}
	if !verbose {
		o.wrap(indent+"why ", reasonCodes(s.Reasons))
		return
	}
	for _, r := range s.Reasons {
		o.wrap(indent+"why ", r.Code+": "+r.Detail)
	}
}

// writeMermaid prints one flow as a Mermaid sequence diagram: one participant per party, one
// arrow per SMTP transaction (crossed when refused), a note with each decision.
func writeMermaid(w io.Writer, nt namedTrace) {
	tr := nt.Trace
	title := nt.Name
	if nt.Tenant != "" {
		title += " (" + nt.Tenant + ")"
	}
	fmt.Fprintln(w, "sequenceDiagram")
	fmt.Fprintf(w, "    title %s: %s\n", mermaidText(title), mermaidText(string(tr.Outcome)+replySuffix(replyCode(tr.Reply))))
	// A participant is a party by kind, tenant and name; the host it was reached at is shown
	// when known (the gateway is the same participant whether or not a step names its host).
	type key struct {
		kind   topology.PartyKind
		tenant tenantgate.TenantID
		name   string
	}
	ids := map[key]string{}
	hosts := map[key]string{}
	var order []topology.Party
	add := func(p topology.Party) {
		k := key{p.Kind, p.Tenant, p.Name}
		if _, ok := ids[k]; !ok {
			ids[k] = fmt.Sprintf("P%d", len(ids)+1)
			order = append(order, p)
		}
		if p.Host != "" && hosts[k] == "" {
			hosts[k] = p.Host
		}
	}
	id := func(p topology.Party) string { return ids[key{p.Kind, p.Tenant, p.Name}] }
	for _, s := range tr.Steps {
		add(s.From)
		add(s.To)
	}
	for _, p := range order {
		p.Host = hosts[key{p.Kind, p.Tenant, p.Name}]
		kind, name := partyLabel(p)
		fmt.Fprintf(w, "    participant %s as %s<br/>%s\n", id(p), mermaidText(kind), mermaidText(name))
	}
	multi := len(tr.Injection.To) > 1
	for _, s := range tr.Steps {
		note := fmt.Sprintf("%d. %s: %s", s.N, s.Decision, s.Summary)
		if !s.Reply.IsZero() && !strings.Contains(s.Summary, s.Reply.String()) {
			note += " — " + s.Reply.String()
		}
		if s.Stage == topology.StageExchangeRoute && s.To.Kind != topology.PartyMailbox {
			// Routing is Exchange Online's own decision, not a transaction: a note over it.
			fmt.Fprintf(w, "    Note over %s: %s\n", id(s.From), mermaidWrap(note))
			continue
		}
		arrow := "->>"
		if s.Decision == topology.DecisionReject || s.Decision == topology.DecisionLoop {
			arrow = "-x"
		}
		label := "SMTP"
		switch {
		case s.Stage == topology.StageSubmit:
			label = "submit"
		case s.To.Kind == topology.PartyMailbox:
			label = "deliver"
		}
		switch {
		case s.RemoteAddr.IsValid() && !s.TLS:
			label += ", no TLS"
		case s.RemoteAddr.IsValid() && len(s.Certificate) == 0:
			label += ", TLS, no certificate"
		case s.RemoteAddr.IsValid():
			label += ", TLS, cert " + strings.Join(s.Certificate, " ")
		}
		if multi {
			label += ", for " + s.Rcpt
		}
		fmt.Fprintf(w, "    %s%s%s: %s\n", id(s.From), arrow, id(s.To), mermaidText(label))
		fmt.Fprintf(w, "    Note over %s: %s\n", id(s.To), mermaidWrap(note))
	}
}

// partyLabel returns the two lines a diagram shows for a party.
func partyLabel(p topology.Party) (string, string) {
	name := p.Name
	if p.Host != "" && p.Host != p.Name {
		name = p.Host
	}
	switch p.Kind {
	case topology.PartyInternet:
		return "Internet", name
	case topology.PartyMailbox:
		return "mailbox", p.Name
	case topology.PartyExchange:
		if p.Tenant.IsZero() {
			return "Exchange Online", name
		}
		if p.Host == "" {
			return "Exchange Online", p.Name
		}
		return "Exchange Online " + p.Name, p.Host
	case topology.PartyGateway:
		return "gateway", name
	}
	return string(p.Kind), name
}

// mermaidText escapes text for a Mermaid sequence diagram: ';' and '#' would end or start an
// entity, '<' and '>' could open HTML; control characters are dropped.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range sanitize(s) {
		switch r {
		case ';':
			b.WriteString("#59;")
		case '#':
			b.WriteString("#35;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mermaidWrap escapes s and breaks it into lines of about 60 characters with <br/>, since Mermaid
// does not wrap notes by itself.
func mermaidWrap(s string) string {
	const w = 60
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if cur != "" && utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(word) > w {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += word
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i := range lines {
		lines[i] = mermaidText(lines[i])
	}
	return strings.Join(lines, "<br/>")
}
