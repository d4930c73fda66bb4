package topology

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/route"
	"github.com/tenantgate/tenantgate/tlsid"
)

// Reason codes of Simulate (Trace.Reasons and simulator steps).
const (
	ReasonSimOrigin        = "simulate.origin.invalid"
	ReasonSimSenderTenant  = "simulate.sender.tenant-unknown"
	ReasonSimPlanRefused   = "simulate.plan.refused"
	ReasonSimPolicy        = "simulate.policy.invalid"
	ReasonSimMXInvalid     = "simulate.mx.invalid"
	ReasonSimNoDirectory   = "simulate.directory.nil"
	ReasonSimRepeatedState = "simulate.loop.repeated-state"
	ReasonSimMaxSteps      = "simulate.loop.max-steps"
	ReasonSimNoHost        = "simulate.host.none"
	ReasonSimSubmit        = "simulate.submit"
	ReasonSimDeliver       = "simulate.deliver"
	// ReasonSimOnPremisesBack: the on-premises server sends a cloud mailbox's copy back to
	// Exchange Online.
	ReasonSimOnPremisesBack = "simulate.on-premises.to-cloud"
)

// Addresses and names the simulated parties use (documentation ranges, RFC 5737 and RFC 2606,
// except Exchange Online's, which must lie in its published ranges).
const (
	onPremisesHELO = "mail.onprem.example"
	exoHELO        = "outbound.protection.outlook.com"
	exoCertName    = "mail.protection.outlook.com"
)

var (
	defaultOnPremisesAddr = netip.MustParseAddr("192.0.2.10")
	defaultEXOAddr        = netip.MustParseAddr("40.107.22.10")
	submissionCIP         = netip.MustParseAddr("255.255.255.255")
)

// Simulate moves the message of in through the topology of d, one recipient's copy at a time,
// hop by hop: the Internet host, on-premises server or mailbox it starts from; Exchange Online's
// ingress (classify.Attribute, whose Stamp is written into the header as Exchange Online
// does); the tenant's routing (Outbound); the gateway (classify.Policy with default options,
// then Plan.Next); and on, until the copy is delivered (to a mailbox, or to a host outside the
// topology), rejected (with the SMTP reply), or loops. A path loops when a party receives the
// copy a second time from the same kind of sender in the same state (the same tenant), or after
// MaxSteps steps; the loop is reported with Exchange Online's 5.4.14 (ReplyEXOHopCountExceeded).
// The gateway's own hop limit may stop it first (classify.ReplyLoop, 5.4.6, outcome looped too).
//
// Simulate composes the real decision functions and never re-implements them. What it adds is
// the topology: DNS (Injection.MX and its defaults), the addresses and certificates each party
// presents (the gateway: its first IPv4 address and, per Hop.Identity, the identity's
// certificate names as verified evidence; Exchange Online: the first address of the first IPv4
// network of Gateway.ExchangeOnline.Networks — 40.92.0.1 with Microsoft's defaults, 40.107.22.10
// when none is configured — with the certificate mail.protection.outlook.com), and the header
// the message accumulates: From and To, a Received field per SMTP hop, Exchange Online's stamps
// (incoming X-MS-Exchange-CrossTenant-* fields stripped and X-Forefront-Antispam-Report demoted
// to -Untrusted at each tenant boundary, docs/headers.md#passes) and the gateway's verdict header
// (Verdict.Apply). A mailbox's submission is stamped as Exchange Online stamps a cloud mailbox's
// mail: AuthAs Internal, FromEntityHeader Hosted, DIR OUT (INT for the tenant's own recipients).
//
// A tenant's on-premises server (the smart host of an OnPremises outbound connector that is not
// the gateway) delivers its own mailboxes' copies (Tenant.OnPremises.Recipients) and Internet
// copies, and sends a cloud mailbox's copy back to the tenant's Exchange Online host from
// Tenant.OnPremises.Address with the certificate Tenant.OnPremises.CertNames (defaults: the
// injection's address and certificate for an on-premises origin, else 192.0.2.10 without a
// certificate), so that a loop through on-premises (centralized mail transport whose returning
// copy Exchange Online does not recognise) is predicted.
//
// Simplifications, deliberate: which recipients have a cloud mailbox is route.Outbound's reading
// of Tenant.OnPremises (docs/routing.md#recipients); the gateway's routing table is
// built even when NewPlan refuses it (Trace.Reasons says so), so that the trace shows what
// Exchange Online then does.
//
// o passes options to the decision functions Simulate composes; the zero Options is every
// function's default. Simulate prepares the whole topology (the gateway's policy and routing
// table) for one message: a caller simulating many messages uses a Simulator.
func Simulate(d *tenantgate.Directory, in Injection, o Options) Trace {
	return NewSimulator(d, o).Simulate(in)
}

// Simulator simulates messages through one topology: what every message's simulation needs
// (the gateway's policy and routing table, which cost time in proportion to the number of
// tenants) is prepared once, in NewSimulator. Use it from one goroutine at a time.
type Simulator struct {
	s *simulator // nil for a nil Directory
}

// NewSimulator prepares the simulation of messages through d with the options o (see Simulate).
// A nil d gives a Simulator whose every trace is rejected, as Simulate's.
func NewSimulator(d *tenantgate.Directory, o Options) *Simulator {
	if d == nil {
		return &Simulator{}
	}
	return &Simulator{s: newSimulator(d, o)}
}

// Simulate is Simulate(d, in, o) for the Simulator's Directory and options.
func (sim *Simulator) Simulate(in Injection) Trace {
	if sim.s == nil {
		tr := Trace{Injection: in, Outcome: OutcomeRejected, Reply: route.ReplyNoRoute,
			Reasons: []tenantgate.Reason{{Code: ReasonSimNoDirectory, Detail: "no topology: nil Directory"}}}
		if len(in.To) == 0 {
			tr.Outcome, tr.Reply = OutcomeDelivered, tenantgate.Reply{}
		}
		for _, r := range in.To {
			tr.Recipients = append(tr.Recipients, RecipientResult{Rcpt: r, Outcome: OutcomeRejected, Reply: route.ReplyNoRoute})
		}
		return tr
	}
	return sim.s.run(in)
}

// Options choose the behaviour of the decision functions Simulate and Lint compose, where those
// functions have options. The zero value is every function's default.
type Options struct {
	// Policy is the gateway's classify.Policy configuration (relay kinds, DKIM fallback, …). A
	// value NewPolicy refuses makes every recipient fail (Trace.Reasons says why).
	Policy classify.PolicyConfig
	// Exchange are the classify.Attribute options Exchange Online's ingress runs with.
	Exchange classify.AttributeOptions
	// Outbound are the Outbound options Exchange Online's routing runs with.
	Outbound route.OutboundOptions
	// NoClientAuth is how Exchange Online treats a gateway identity certificate without the
	// clientAuth extended key usage (tenantgate.Identity.ClientAuth false); "" is
	// NoClientAuthIgnored.
	NoClientAuth NoClientAuth
}

// NoClientAuth chooses how Exchange Online treats a client certificate without the clientAuth
// extended key usage, which public CAs stopped issuing in 2026
// (docs/exchange-online.md#client-certificates-without-clientauth).
type NoClientAuth string

// NoClientAuth readings. The zero value is NoClientAuthIgnored.
const (
	// NoClientAuthIgnored: Exchange Online does not take the certificate as the client's
	// identity — no inbound connector matches it by name, and attribution falls to the connecting
	// IP or the recipient. NoSpamProxy's notice: such systems "can no longer authenticate to
	// Exchange Online with a TLS client certificate"
	// (https://www.nospamproxy.de/de/ende-der-tls-client-authentifizierungszertifikate/). The
	// simulated gateway then presents TLS evidence without a verified certificate.
	NoClientAuthIgnored NoClientAuth = ""
	// NoClientAuthAccepted: Exchange Online matches the certificate's names anyway, as before the
	// change.
	NoClientAuthAccepted NoClientAuth = "accepted"
)

// simulator holds what every simulated message of one topology shares.
type simulator struct {
	d         *tenantgate.Directory
	gw        *tenantgate.Gateway // d.Gateway(), a copy taken once
	o         Options
	policy    *classify.Policy
	policyErr error
	plan      *route.Plan
	planErr   error
	gwAddr    netip.Addr
	exoAddr   netip.Addr
	gwHosts   map[string]bool
}

func newSimulator(d *tenantgate.Directory, o Options) *simulator {
	d = withStandInTenant(d)
	s := &simulator{d: d, gw: d.Gateway(), o: o, gwAddr: gatewayAddr(d), exoAddr: defaultEXOAddr, gwHosts: map[string]bool{}}
	s.policy, s.policyErr = classify.NewPolicy(d, o.Policy)
	s.plan, s.planErr = route.NewPlanUnchecked(d)
	for _, n := range s.gw.ExchangeOnline.Networks {
		if n.Addr().Is4() && n.Bits() < 32 {
			s.exoAddr = n.Addr().Next()
			break
		}
	}
	if n := s.gw.Name; n != "" {
		s.gwHosts[strings.ToLower(n)] = true
	}
	for _, a := range s.gw.Addresses {
		s.gwHosts[a.String()] = true
	}
	return s
}

func (s *simulator) run(in Injection) Trace {
	tr := Trace{Injection: in, Outcome: OutcomeDelivered}
	if s.planErr != nil {
		tr.Reasons = append(tr.Reasons, tenantgate.Reason{Code: ReasonSimPlanRefused, Detail: s.planErr.Error()})
	}
	if s.policyErr != nil {
		tr.Reasons = append(tr.Reasons, tenantgate.Reason{Code: ReasonSimPolicy, Detail: s.policyErr.Error()})
	}
	var sender *tenantgate.Tenant
	switch in.Origin {
	case PartyInternet:
	case PartyMailbox, PartyOnPremises:
		sender = s.senderTenant(in)
		if sender == nil {
			tr.Reasons = append(tr.Reasons, tenantgate.Reason{Code: ReasonSimSenderTenant,
				Detail: fmt.Sprintf("no tenant of the configuration sends as %q; set the injection's tenant", clipText(in.From))})
		}
	default:
		tr.Reasons = append(tr.Reasons, tenantgate.Reason{Code: ReasonSimOrigin,
			Detail: fmt.Sprintf("origin %q (want internet, mailbox or on-premises)", clipText(string(in.Origin)))})
	}
	if len(in.MX) > 0 {
		mx := make(map[tenantgate.Domain]string, len(in.MX))
		for dom, host := range in.MX {
			d, err := tenantgate.ParseDomain(string(dom))
			if err != nil {
				tr.Reasons = append(tr.Reasons, tenantgate.Reason{Code: ReasonSimMXInvalid, Detail: fmt.Sprintf("MX of %q ignored: %v", clipText(string(dom)), err)})
				continue
			}
			mx[d] = host
		}
		in.MX = mx
	}
	fail := s.policyErr != nil || (in.Origin != PartyInternet && sender == nil)
	for _, rcpt := range in.To {
		p := &path{s: s, tr: &tr, in: &in, rcpt: rcpt, first: len(tr.Steps), seen: map[string]bool{}}
		p.h.Add("To", rcpt)
		if in.From != "" {
			p.h.Add("From", in.From)
		}
		switch {
		case fail:
			p.end(OutcomeRejected, Party{Kind: PartyExchange, Name: "exchange"}, route.ReplyNoRoute)
		case in.Origin == PartyInternet:
			p.fromInternet()
		case in.Origin == PartyMailbox:
			p.fromMailbox(sender)
		default:
			p.fromOnPremises(sender)
		}
	}
	for _, r := range tr.Recipients {
		switch {
		case r.Outcome == OutcomeLooped:
			tr.Outcome = OutcomeLooped
		case r.Outcome == OutcomeRejected && tr.Outcome == OutcomeDelivered:
			tr.Outcome = OutcomeRejected
		}
		if r.Outcome != OutcomeDelivered && tr.Reply.IsZero() {
			tr.Reply = r.Reply
		}
	}
	return tr
}

// senderTenant is the injection's tenant, or the owner of From's domain.
func (s *simulator) senderTenant(in Injection) *tenantgate.Tenant {
	if !in.Tenant.IsZero() {
		t, _ := s.d.Tenant(in.Tenant)
		return t
	}
	dom, err := tenantgate.AddressDomain(in.From)
	if err != nil {
		return nil
	}
	t, _, _ := s.d.Owner(dom)
	return t
}

// mxHost is the MX host of dom in the simulated DNS (Injection.MX, then the defaults).
func (s *simulator) mxHost(in *Injection, dom tenantgate.Domain) string {
	if h, ok := in.MX[dom]; ok {
		return strings.ToLower(strings.TrimSuffix(h, "."))
	}
	if t, _, ok := s.d.Owner(dom); ok {
		if s.d.Serves(t.ID) && mxAtGateway(t) {
			return strings.ToLower(s.gw.Name)
		}
		h, _ := route.TenantSmartHost(s.d, t.ID)
		return h
	}
	if dom == "" {
		return ""
	}
	return "mx." + string(dom)
}

// party classifies a host of the simulated topology. A smart host given as a CIDR range is the
// gateway when the range holds one of the gateway's addresses.
func (s *simulator) party(host string, onPremises bool) Party {
	switch {
	case s.gwHosts[strings.ToLower(host)] || s.gatewayRange(host):
		return Party{Kind: PartyGateway, Name: s.gw.Name, Host: host}
	case route.IsEXOHost(host):
		return Party{Kind: PartyExchange, Name: "exchange", Host: host}
	case onPremises:
		return Party{Kind: PartyOnPremises, Name: host}
	}
	return Party{Kind: PartyInternet, Name: host}
}

func (s *simulator) gatewayRange(host string) bool {
	p, err := netip.ParsePrefix(host)
	if err != nil {
		return false
	}
	for _, a := range s.gw.Addresses {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *simulator) tenantName(id tenantgate.TenantID) string {
	if t, ok := s.d.Tenant(id); ok {
		return t.Name
	}
	return id.String()
}

// path is one recipient's copy on its way.
type path struct {
	s     *simulator
	tr    *Trace
	in    *Injection
	rcpt  string
	first int // index of the path's first step in tr.Steps
	h     textproto.Header
	rcv   []headers.Received // top-most first
	seen  map[string]bool
	done  bool
}

func (p *path) steps() int { return len(p.tr.Steps) - p.first }

// add records a step; it reports false (and records a loop instead) when the path is over
// MaxSteps.
func (p *path) add(st Step) bool {
	if p.steps() >= MaxSteps {
		p.loop(st.From, st.To, ReasonSimMaxSteps, fmt.Sprintf("more than %d hops", MaxSteps))
		return false
	}
	st.N = len(p.tr.Steps) + 1
	st.Rcpt = p.rcpt
	st.MailFrom = p.in.From
	p.tr.Steps = append(p.tr.Steps, st)
	return true
}

// visit reports false (and records a loop) when to already received the copy from the same kind
// of sender in the same state.
func (p *path) visit(from, to Party) bool {
	key := fmt.Sprintf("%s/%s/%s<%s/%s/%s", to.Kind, to.Name, to.Tenant, from.Kind, from.Name, from.Tenant)
	if p.seen[key] {
		p.loop(from, to, ReasonSimRepeatedState, fmt.Sprintf("%s received this copy from %s before", to.Name, from.Name))
		return false
	}
	p.seen[key] = true
	return true
}

func (p *path) loop(from, to Party, code, detail string) {
	p.tr.Steps = append(p.tr.Steps, Step{N: len(p.tr.Steps) + 1, Rcpt: p.rcpt, Stage: stageOf(to), From: from, To: to,
		MailFrom: p.in.From, Decision: DecisionLoop, Summary: "routing loop: " + detail, Reply: ReplyEXOHopCountExceeded,
		Reasons: []tenantgate.Reason{{Code: code, Detail: detail}}})
	p.end(OutcomeLooped, to, ReplyEXOHopCountExceeded)
}

func stageOf(to Party) Stage {
	switch to.Kind {
	case PartyGateway:
		return StageGateway
	case PartyExchange:
		return StageExchangeIngress
	}
	return StageDeliver
}

func (p *path) end(o Outcome, at Party, reply tenantgate.Reply) {
	if p.done {
		return
	}
	p.done = true
	p.tr.Recipients = append(p.tr.Recipients, RecipientResult{Rcpt: p.rcpt, Outcome: o, At: at, Reply: reply, Steps: p.steps()})
}

// received prepends the Received field of an SMTP hop to the header and the chain.
func (p *path) received(helo string, addr netip.Addr, by string, tls bool) {
	with := "ESMTP"
	if tls {
		with = "ESMTPS"
	}
	v := fmt.Sprintf("from %s (%s [%s]) by %s with %s; Thu, 26 Nov 2026 10:00:00 +0000", helo, helo, addr, by, with)
	p.h.Add("Received", v)
	if r, err := headers.ParseReceived(v); err == nil {
		p.rcv = append([]headers.Received{r}, p.rcv...)
	}
}

func (p *path) domain() tenantgate.Domain {
	d, _ := tenantgate.AddressDomain(p.rcpt)
	return d
}

// fromInternet starts an Internet sender's copy.
func (p *path) fromInternet() {
	addr := p.in.RemoteAddr
	if !addr.IsValid() {
		addr = internetAddr
	}
	me := Party{Kind: PartyInternet, Name: internetHost}
	ev := evidenceOf(p.in.TLSNames)
	var to Party
	switch p.in.Entry {
	case EntryGateway:
		to = p.s.party(p.s.gw.Name, false)
	case EntryExchange:
		host := route.SmartHostFor(p.domain())
		if t, _, ok := p.s.d.Owner(p.domain()); ok {
			host, _ = route.TenantSmartHost(p.s.d, t.ID)
		}
		to = Party{Kind: PartyExchange, Name: "exchange", Host: host}
	default:
		to = p.s.party(p.s.mxHost(p.in, p.domain()), false)
	}
	p.smtp(me, to, addr, internetHost, ev, "")
}

// fromMailbox submits a mailbox's copy to its tenant and routes it.
func (p *path) fromMailbox(t *tenantgate.Tenant) {
	me := Party{Kind: PartyMailbox, Name: t.Name, Tenant: t.ID}
	exo := Party{Kind: PartyExchange, Name: t.Name, Tenant: t.ID}
	dir := "OUT"
	if dom := p.domain(); dom != "" && p.s.d.Accepts(t.ID, dom) {
		dir = "INT"
	}
	st := classify.Stamp{Tenant: t.ID, Recipients: []string{p.rcpt}, Direction: classify.Originating, AuthAs: classify.AuthAsInternal,
		FromEntityHeader: "Hosted", DIR: dir, CIP: submissionCIP}
	p.stamp(st, "")
	if !p.add(Step{Stage: StageSubmit, From: me, To: exo, Decision: DecisionAccept, Stamp: &st,
		Summary: "submitted by a mailbox of " + t.Name + " (AuthAs Internal, FromEntityHeader Hosted)",
		Reasons: []tenantgate.Reason{{Code: ReasonSimSubmit, Detail: "cloud mailbox submission"}}}) {
		return
	}
	p.route(exo, classify.Mailbox)
}

// fromOnPremises sends an on-premises server's copy to its tenant's Exchange Online host.
func (p *path) fromOnPremises(t *tenantgate.Tenant) {
	addr := p.in.RemoteAddr
	if !addr.IsValid() {
		addr = defaultOnPremisesAddr
	}
	host, _ := route.TenantSmartHost(p.s.d, t.ID)
	me := Party{Kind: PartyOnPremises, Name: onPremisesHELO, Tenant: t.ID}
	p.smtp(me, Party{Kind: PartyExchange, Name: "exchange", Host: host}, addr, onPremisesHELO, evidenceOf(p.in.TLSNames), "")
}

// evidenceOf is verified evidence for names, or TLS without a certificate.
func evidenceOf(names []string) tlsid.Evidence {
	if len(names) == 0 {
		return tlsid.Evidence{TLS: true}
	}
	return tlsid.Evidence{TLS: true, Verified: true, Names: append([]string(nil), names...)}
}

// smtp hands the copy from `from` (at addr, saying helo, with TLS evidence ev and gateway
// identity) to the party `to` and lets it decide.
func (p *path) smtp(from, to Party, addr netip.Addr, helo string, ev tlsid.Evidence, identity string) {
	switch to.Kind {
	case PartyGateway:
		p.atGateway(from, to, classify.Session{RemoteAddr: addr, HELO: helo, TLS: ev}, identity)
	case PartyOnPremises:
		if p.atOnPremises(from, to, addr, helo, ev) {
			return
		}
		p.deliver(from, to, addr, helo, ev, identity)
	case PartyExchange:
		p.atExchange(from, to, classify.Connection{RemoteAddr: addr, HELO: helo, TLS: ev, MailFrom: p.in.From,
			RcptTo: []string{p.rcpt}, Received: p.rcv}, identity)
	default:
		p.deliver(from, to, addr, helo, ev, identity)
	}
}

// deliver ends the path at a host outside the simulated topology.
func (p *path) deliver(from, to Party, addr netip.Addr, helo string, ev tlsid.Evidence, identity string) {
	if to.Name == "" {
		p.add(Step{Stage: StageDeliver, From: from, To: to, Decision: DecisionReject, Reply: route.ReplyNoRoute,
			Summary: "no host to deliver to", Reasons: []tenantgate.Reason{{Code: ReasonSimNoHost, Detail: "the recipient's domain has no mail host"}}})
		p.end(OutcomeRejected, from, route.ReplyNoRoute)
		return
	}
	if !p.add(Step{Stage: StageDeliver, From: from, To: to, RemoteAddr: addr, HELO: helo, TLS: ev.TLS, Certificate: certOf(ev),
		Identity: identity, Decision: DecisionDeliver, Summary: "delivered to " + to.Name,
		Reasons: []tenantgate.Reason{{Code: ReasonSimDeliver, Detail: "the host is outside the simulated topology"}}}) {
		return
	}
	p.end(OutcomeDelivered, to, tenantgate.Reply{})
}

func certOf(ev tlsid.Evidence) []string {
	if !ev.Verified {
		return nil
	}
	return ev.Names
}

// atExchange: Exchange Online receives the copy; Attribute decides.
func (p *path) atExchange(from, to Party, c classify.Connection, identity string) {
	a := classify.Attribute(p.s.d, c, p.s.o.Exchange)
	st := Step{Stage: StageExchangeIngress, From: from, To: to, RemoteAddr: c.RemoteAddr, HELO: c.HELO, TLS: c.TLS.TLS,
		Certificate: certOf(c.TLS), Identity: identity, Reasons: a.Reasons}
	if len(a.Recipients) == 0 {
		st.Decision, st.Reply, st.Summary = DecisionReject, route.ReplyNoRoute, "no recipient"
		p.add(st)
		p.end(OutcomeRejected, to, route.ReplyNoRoute)
		return
	}
	ra := a.Recipients[0]
	st.Attribution = &ra
	if !ra.Accepted {
		st.Decision, st.Reply = DecisionReject, ra.Reply
		st.Summary = "rejected: " + ra.Reply.String()
		if ra.Phase == classify.PhaseDATA {
			// docs/exchange-online.md#when-a-refusal-is-sent: RCPT got 250, a call-ahead sees nothing.
			st.Summary = "rejected after DATA (RCPT got 250): " + ra.Reply.String()
		}
		p.add(st)
		p.end(OutcomeRejected, to, ra.Reply)
		return
	}
	st.To.Tenant, st.To.Name = ra.Tenant, p.s.tenantName(ra.Tenant)
	if !p.visit(from, st.To) {
		return
	}
	var stamp *classify.Stamp
	for i := range a.Stamps {
		if a.Stamps[i].Tenant == ra.Tenant {
			stamp = &a.Stamps[i]
			break
		}
	}
	st.Stamp = stamp
	st.Decision = DecisionAccept
	how := string(ra.Method)
	if ra.Connector != "" {
		how += " through connector " + ra.Connector
	}
	st.Summary = fmt.Sprintf("accepted for %s as %s (AuthAs %s) by %s", st.To.Name, ra.Direction, ra.AuthAs, how)
	if !p.add(st) {
		return
	}
	p.received(c.HELO, c.RemoteAddr, to.Host, c.TLS.TLS)
	if stamp != nil {
		p.stamp(*stamp, to.Host)
	}
	kind := classify.Relayed
	if ra.Direction == classify.Originating {
		kind = classify.OnPremises
	}
	p.route(st.To, kind)
}

// route: Exchange Online routes the tenant's copy; route.Outbound decides.
func (p *path) route(exo Party, kind classify.Kind) {
	dec := route.Outbound(p.s.d, exo.Tenant, route.OutboundMessage{MailFrom: p.in.From, Sender: kind, Recipients: []string{p.rcpt}, Header: p.h}, p.s.o.Outbound)
	var rr route.RecipientRoute
	if len(dec.Recipients) > 0 {
		rr = dec.Recipients[0]
	}
	st := Step{Stage: StageExchangeRoute, From: exo, Route: &rr, Reasons: append(append([]tenantgate.Reason(nil), dec.Reasons...), rr.Reasons...)}
	var host string
	onPrem := false
	switch rr.NextHop.Kind {
	case route.OutboundInternal:
		st.To = Party{Kind: PartyMailbox, Name: exo.Name, Tenant: exo.Tenant}
		st.Decision, st.Summary = DecisionDeliver, "delivered to a mailbox of "+exo.Name
		if p.add(st) {
			p.end(OutcomeDelivered, st.To, tenantgate.Reply{})
		}
		return
	case route.OutboundSmartHost:
		host = strings.ToLower(strings.TrimSuffix(rr.NextHop.Hosts[0], "."))
		if c := p.s.outboundConnector(exo.Tenant, rr.Connector); c != nil && c.Type() == tenantgate.ConnectorOnPremises {
			onPrem = true
		}
	case route.OutboundMX:
		host = p.s.mxHost(p.in, rr.NextHop.Domain)
	default:
		st.To = exo
		st.Decision, st.Reply, st.Summary = DecisionReject, route.ReplyNoRoute, "no route"
		p.add(st)
		p.end(OutcomeRejected, exo, route.ReplyNoRoute)
		return
	}
	st.To = p.s.party(host, onPrem)
	if st.To.Kind == PartyOnPremises {
		st.To.Tenant = exo.Tenant
	}
	st.Decision = DecisionAccept
	via := "Exchange Online's own MX delivery"
	switch {
	case rr.Rule != "":
		via = "rule " + rr.Rule + " and connector " + rr.Connector
	case rr.Connector != "":
		via = "connector " + rr.Connector
	}
	st.Summary = fmt.Sprintf("routed to %s by %s", host, via)
	if !p.add(st) {
		return
	}
	p.smtp(exo, st.To, p.s.exoAddr, exoHELO, tlsid.Evidence{TLS: true, Verified: true, Names: []string{exoCertName}}, "")
}

// atOnPremises: tenant to.Tenant's on-premises server receives the copy. It reports false when
// the copy ends there (an on-premises mailbox, an Internet recipient: the caller delivers it);
// a cloud mailbox's copy it sends back to the tenant's Exchange Online host.
func (p *path) atOnPremises(from, to Party, addr netip.Addr, helo string, ev tlsid.Evidence) bool {
	t, ok := p.s.d.Tenant(to.Tenant)
	if !ok {
		return false
	}
	dom := p.domain()
	_, ad, owned := p.s.d.Owner(dom)
	if !owned || !p.s.d.Accepts(t.ID, dom) || ad.Type() != tenantgate.Authoritative || t.OnPremisesRecipient(p.rcpt) {
		return false
	}
	if !p.visit(from, to) {
		return true
	}
	host, _ := route.TenantSmartHost(p.s.d, t.ID)
	if !p.add(Step{Stage: StageOnPremises, From: from, To: to, RemoteAddr: addr, HELO: helo, TLS: ev.TLS, Certificate: certOf(ev),
		Decision: DecisionAccept, Summary: "on-premises: " + p.rcpt + " is a cloud mailbox of " + t.Name + "; sent back to Exchange Online at " + host,
		Reasons: []tenantgate.Reason{{Code: ReasonSimOnPremisesBack, Detail: fmt.Sprintf("%s has no on-premises mailbox (tenant %s, onPremises.recipients): the on-premises server routes it to the tenant's Exchange Online through its Send connector", clipText(p.rcpt), t.Name)}}}) {
		return true
	}
	p.received(helo, addr, to.Name, ev.TLS)
	back, backEv := defaultOnPremisesAddr, tlsid.Evidence{TLS: true}
	if p.in.Origin == PartyOnPremises {
		if p.in.RemoteAddr.IsValid() {
			back = p.in.RemoteAddr
		}
		backEv = evidenceOf(p.in.TLSNames)
	}
	if o := t.OnPremises; o != nil {
		if o.Address.IsValid() {
			back = o.Address
		}
		if o.CertNames != nil {
			backEv = evidenceOf(o.CertNames)
		}
	}
	me := Party{Kind: PartyOnPremises, Name: to.Name, Tenant: t.ID}
	p.smtp(me, Party{Kind: PartyExchange, Name: "exchange", Host: host}, back, to.Name, backEv, "")
	return true
}

func (s *simulator) outboundConnector(id tenantgate.TenantID, name string) *tenantgate.OutboundConnector {
	t, ok := s.d.Tenant(id)
	if !ok {
		return nil
	}
	for i := range t.Outbound {
		if t.Outbound[i].Name == name {
			return &t.Outbound[i]
		}
	}
	return nil
}

// atGateway: the gateway receives the copy; Policy and Plan.Next decide.
func (p *path) atGateway(from, to Party, sess classify.Session, identity string) {
	if !p.visit(from, to) {
		return
	}
	v := p.s.policy.Decide(classify.Transaction{Session: sess, MailFrom: p.in.From, RcptTo: []string{p.rcpt}, Header: p.h})
	hop := p.s.plan.Next(v, p.rcpt)
	st := Step{Stage: StageGateway, From: from, To: to, RemoteAddr: sess.RemoteAddr, HELO: sess.HELO, TLS: sess.TLS.TLS,
		Certificate: certOf(sess.TLS), Identity: identity, Verdict: &v, Hop: &hop, Reasons: hop.Reasons}
	if hop.Kind == route.HopNone {
		st.Decision, st.Reply = DecisionReject, hop.Reply
		st.Summary = fmt.Sprintf("%s mail (%s): rejected: %s", v.Origin, orUnknown(string(v.Kind)), hop.Reply)
		if !p.add(st) {
			return
		}
		if hop.Reply == classify.ReplyLoop {
			p.end(OutcomeLooped, to, hop.Reply)
			return
		}
		p.end(OutcomeRejected, to, hop.Reply)
		return
	}
	st.Decision = DecisionAccept
	p.received(sess.HELO, sess.RemoteAddr, to.Name, sess.TLS.TLS)
	v.Apply(&p.h)
	gw := Party{Kind: PartyGateway, Name: p.s.gw.Name}
	ident, _ := p.s.d.Identity(hop.Identity)
	ev := identityEvidence(ident, p.s.o.NoClientAuth)
	var next Party
	if hop.Kind == route.HopTenant {
		next = Party{Kind: PartyExchange, Name: "exchange", Host: hop.Host}
		st.Summary = fmt.Sprintf("%s mail (%s): to tenant %s at %s with identity %s", v.Origin, orUnknown(string(v.Kind)),
			p.s.tenantName(hop.Tenant), hop.Host, orNone(hop.Identity))
	} else {
		host := p.s.mxHost(p.in, hop.Domain)
		next = p.s.party(host, false)
		st.Summary = fmt.Sprintf("%s mail (%s): to the MX of %s (%s) with identity %s", v.Origin, orUnknown(string(v.Kind)),
			hop.Domain, host, orNone(hop.Identity))
	}
	if !p.add(st) {
		return
	}
	p.smtp(gw, next, p.s.gwAddr, p.s.gw.Name, ev, hop.Identity)
}

func orUnknown(s string) string {
	if s == "" {
		return "kind unknown"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// stamp writes what Exchange Online stamps on the copy it accepted for st.Tenant: incoming
// CrossTenant fields are stripped (X-MS-Exchange-Transport-CrossTenantHeadersStripped), an
// earlier X-Forefront-Antispam-Report becomes -Untrusted, then the new CrossTenant set and
// anti-spam report are appended (docs/headers.md#crosstenant-fields, docs/headers.md#passes).
func (p *path) stamp(st classify.Stamp, host string) {
	stripped := false
	var demoted []string
	for f := p.h.Fields(); f.Next(); {
		k := strings.ToLower(f.Key())
		switch {
		case strings.HasPrefix(k, "x-ms-exchange-crosstenant-"):
			f.Del()
			stripped = true
		case k == "x-forefront-antispam-report":
			demoted = append(demoted, f.Value())
			f.Del()
		}
	}
	for _, v := range demoted {
		p.h.Add("X-Forefront-Antispam-Report-Untrusted", v)
	}
	if stripped {
		p.h.Add("X-MS-Exchange-Transport-CrossTenantHeadersStripped", host)
	}
	ct := headers.CrossTenant{ID: st.Tenant, AuthAs: string(st.AuthAs), FromEntityHeader: st.FromEntityHeader}
	if st.ConnectingIP.IsValid() {
		ct.ConnectingIP = &headers.TenantConnectingIP{TenantID: st.Tenant, IP: st.ConnectingIP, HELO: st.ConnectingHELO}
	}
	// The values come from the configuration and the simulation: none holds a line break, so
	// the writers cannot fail.
	_ = ct.Stamp(&p.h)
	_ = headers.StampAntispam(&p.h, headers.AntispamReport{CIP: st.CIP, DIR: st.DIR, H: st.H})
	if st.ExternalOriginalInternetSender != "" {
		p.h.Add("X-MS-Exchange-ExternalOriginalInternetSender", st.ExternalOriginalInternetSender)
	}
	if st.SkipListedInternetSender != "" {
		p.h.Add("X-MS-Exchange-SkipListedInternetSender", st.SkipListedInternetSender)
	}
}
