package scenario

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/route"
	"github.com/tenantgate/tenantgate/topology"
)

// TopologyOptionsOf is the topology.Options of a file: its policy and exchangeOptions
// objects.
func topologyOptionsOf(f *File) topology.Options {
	o := topology.Options{Policy: policyConfigOf(f.Policy)}
	if f.ExchangeOptions != nil {
		o.Exchange = *f.ExchangeOptions
	}
	if so := f.SimulateOptions; so != nil {
		o.NoClientAuth = topology.NoClientAuth(so.NoClientAuth)
		o.Outbound.Precedence = route.Precedence(so.Precedence)
	}
	return o
}

// checkSimulateOptions names a simulateOptions value the simulator does not know.
func checkSimulateOptions(so *SimulateOptions) error {
	if so == nil {
		return nil
	}
	if !contains([]string{string(topology.NoClientAuthIgnored), string(topology.NoClientAuthAccepted)}, so.NoClientAuth) {
		return fmt.Errorf("simulateOptions.noClientAuth %q: want \"\" or %q", so.NoClientAuth, topology.NoClientAuthAccepted)
	}
	if !contains([]string{"", string(route.MostSpecific), string(route.StatedOrder)}, so.Precedence) {
		return fmt.Errorf("simulateOptions.precedence %q: want %q or %q", so.Precedence, route.MostSpecific, route.StatedOrder)
	}
	return nil
}

var (
	flowOrigins  = []string{string(topology.PartyInternet), string(topology.PartyMailbox), string(topology.PartyOnPremises)}
	flowEntries  = []string{string(topology.EntryMX), string(topology.EntryExchange), string(topology.EntryGateway)}
	flowOutcomes = []string{string(topology.OutcomeDelivered), string(topology.OutcomeRejected), string(topology.OutcomeLooped)}
)

// FlowInjection converts a flow case's inject object into a topology.Injection, naming the bad
// field in the error.
func flowInjection(c *FlowCase) (topology.Injection, error) {
	in := c.Inject
	if !contains(flowOrigins, in.Origin) {
		return topology.Injection{}, fmt.Errorf("inject.origin %q: want one of %q", in.Origin, flowOrigins)
	}
	if !contains(flowEntries, in.Entry) {
		return topology.Injection{}, fmt.Errorf("inject.entry %q: want one of %q", in.Entry, flowEntries)
	}
	if in.Entry != "" && in.Origin != string(topology.PartyInternet) {
		return topology.Injection{}, fmt.Errorf("inject.entry is for origin internet only")
	}
	if len(in.To) == 0 {
		return topology.Injection{}, fmt.Errorf("inject.to: no recipient")
	}
	out := topology.Injection{Origin: topology.PartyKind(in.Origin), Entry: topology.Entry(in.Entry), From: in.From, To: in.To, TLSNames: in.TLSNames}
	if in.RemoteAddr != "" {
		a, err := parseAddr("inject.remoteAddr", in.RemoteAddr)
		if err != nil {
			return topology.Injection{}, err
		}
		out.RemoteAddr = a
	}
	if in.Tenant != "" {
		id, err := tenantgate.ParseTenantID(in.Tenant)
		if err != nil {
			return topology.Injection{}, fmt.Errorf("inject.tenant: %v", err)
		}
		out.Tenant = id
	}
	for dom, host := range in.MX {
		d, err := tenantgate.ParseDomain(dom)
		if err != nil {
			return topology.Injection{}, fmt.Errorf("inject.mx: key %q: %v", dom, err)
		}
		if _, err := netip.ParseAddr(host); err == nil {
			// an address literal: the gateway's, or an Internet host
		} else if _, err := tenantgate.ParseDomain(host); err != nil {
			return topology.Injection{}, fmt.Errorf("inject.mx.%s: host %q: %v", dom, host, err)
		}
		if out.MX == nil {
			out.MX = make(map[tenantgate.Domain]string, len(in.MX))
		}
		out.MX[d] = host
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// EvalFlows evaluates one flows case with topology.Simulate and the file's options.
func EvalFlows(env *Env, c *FlowCase) []string {
	var m mismatches
	in, err := flowInjection(c)
	if err != nil {
		m.Addf("%v", err)
		return m
	}
	e := c.Expect
	if e.Outcome != nil && !contains(flowOutcomes, *e.Outcome) {
		m.Addf("expect.outcome %q: want one of %q", *e.Outcome, flowOutcomes)
		return m
	}
	if e.Outcome == nil && e.DeliveredTo == nil && e.Reply == nil && e.MaxHops == nil && e.Reasons == nil && e.Recipients == nil {
		m.Addf("expect names nothing to compare")
		return m
	}
	tr := topology.Simulate(env.Dir, in, topologyOptionsOf(env.File))
	if e.Outcome != nil {
		m.String("outcome", e.Outcome, string(tr.Outcome))
	}
	if e.DeliveredTo != nil {
		got := tr.DeliveredTo()
		if strings.Join(got, ",") != strings.Join(e.DeliveredTo, ",") {
			m.Addf("deliveredTo: want %q, got %q", e.DeliveredTo, got)
		}
	}
	m.Prefix("reply", e.Reply, tr.Reply.String())
	if e.MaxHops != nil {
		for _, r := range tr.Recipients {
			if r.Steps > *e.MaxHops {
				m.Addf("maxHops: %s took %d steps, want at most %d", r.Rcpt, r.Steps, *e.MaxHops)
			}
		}
	}
	if e.Reasons != nil {
		all := append([]tenantgate.Reason(nil), tr.Reasons...)
		for _, s := range tr.Steps {
			all = append(all, s.Reasons...)
		}
		m.Reasons(e.Reasons, all)
	}
	for _, re := range e.Recipients {
		flowRecipient(&m, &tr, re)
	}
	if len(m) > 0 {
		m.Addf("trace:\n%s", traceText(&tr))
	}
	return m
}

func flowRecipient(m *mismatches, tr *topology.Trace, re FlowRecipientExpect) {
	var res *topology.RecipientResult
	for i := range tr.Recipients {
		if tr.Recipients[i].Rcpt == re.Rcpt {
			res = &tr.Recipients[i]
			break
		}
	}
	if res == nil {
		m.Addf("recipients: %q is not a recipient of the injection", re.Rcpt)
		return
	}
	if re.Outcome != nil && !contains(flowOutcomes, *re.Outcome) {
		m.Addf("recipients[%s].outcome %q: want one of %q", re.Rcpt, *re.Outcome, flowOutcomes)
	}
	m.String("recipients["+re.Rcpt+"].outcome", re.Outcome, string(res.Outcome))
	m.Prefix("recipients["+re.Rcpt+"].reply", re.Reply, res.Reply.String())
	if re.Via == nil {
		return
	}
	var got []string
	for _, s := range tr.Steps {
		if s.Rcpt == re.Rcpt {
			got = append(got, string(s.To.Kind)+":"+s.To.Name)
		}
	}
	ok := len(got) == len(re.Via)
	for i := 0; ok && i < len(got); i++ {
		w := re.Via[i]
		ok = got[i] == w || (!strings.Contains(w, ":") && strings.HasPrefix(got[i], w+":"))
	}
	if !ok {
		m.Addf("recipients[%s].via: want %q, got %q", re.Rcpt, re.Via, got)
	}
}

// traceText renders a trace for failure messages, one line per step.
func traceText(tr *topology.Trace) string {
	var b strings.Builder
	for _, r := range tr.Reasons {
		fmt.Fprintf(&b, "  (%s)\n", r)
	}
	for _, s := range tr.Steps {
		fmt.Fprintf(&b, "  %d. %s: %s:%s -> %s:%s %s: %s\n", s.N, s.Rcpt, s.From.Kind, s.From.Name, s.To.Kind, s.To.Name, s.Decision, s.Summary)
	}
	return strings.TrimRight(b.String(), "\n")
}
