package topology

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/internal/golden"
	"github.com/tenantgate/tenantgate/route"
)

// stepKey is what the simulation tests compare of a Step: who handed the copy to whom, at which
// stage, what was decided, which certificate and identity were presented, and the reply.
type stepKey struct {
	Stage       Stage
	From, To    string // "kind:name"
	Decision    Decision
	Certificate []string
	Identity    string
	Reply       tenantgate.Reply
}

type traceKey struct {
	Steps   []stepKey
	Outcome Outcome
	Reply   tenantgate.Reply
	Codes   []string // Trace.Reasons codes
}

func label(p Party) string { return string(p.Kind) + ":" + p.Name }

func traceKeyOf(tr Trace) traceKey {
	k := traceKey{Outcome: tr.Outcome, Reply: tr.Reply}
	for _, s := range tr.Steps {
		k.Steps = append(k.Steps, stepKey{Stage: s.Stage, From: label(s.From), To: label(s.To), Decision: s.Decision,
			Certificate: s.Certificate, Identity: s.Identity, Reply: s.Reply})
	}
	for _, r := range tr.Reasons {
		k.Codes = append(k.Codes, r.Code)
	}
	return k
}

// Parties of the demo topology.
const (
	inetHost = "internet:mx.sender.example"
	gw       = "gateway:gw.example.net"
	exoC     = "exchange:contoso"
	exoF     = "exchange:fabrikam"
	exoW     = "exchange:woodgrove"
	mbC      = "mailbox:contoso"
	mbF      = "mailbox:fabrikam"
	mbW      = "mailbox:woodgrove"
)

var exoCert = []string{"mail.protection.outlook.com"}

func TestSimulate(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	tests := []struct {
		name string
		in   Injection
		want traceKey
	}{
		// docs/threat-model.md#deployment, inbound: MX → gateway (Policy: inbound; Plan: contoso's
		// host and identity) → Exchange Online (Partner connector by certificate) → mailbox.
		{"internet to contoso", Injection{Origin: PartyInternet, From: "bob@sender.example", To: []string{"alice@contoso.com"}}, traceKey{
			Outcome: OutcomeDelivered, Steps: []stepKey{
				{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionAccept},
				{Stage: StageExchangeIngress, From: gw, To: exoC, Decision: DecisionAccept, Certificate: []string{"contoso.gw.example.net"}, Identity: "contoso"},
				{Stage: StageExchangeRoute, From: exoC, To: mbC, Decision: DecisionDeliver},
			}}},
		// docs/threat-model.md#deployment, outbound, and docs/routing.md#the-gateways-next-hop:
		// Exchange Online (certificate mail.protection.outlook.com) → gateway (own-tenant mailbox:
		// relay) → the Internet MX with the Internet identity, which carries no certificate.
		{"contoso to the Internet", Injection{Origin: PartyMailbox, From: "carol@contoso.com", To: []string{"dave@sender.example"}}, traceKey{
			Outcome: OutcomeDelivered, Steps: []stepKey{
				{Stage: StageSubmit, From: mbC, To: exoC, Decision: DecisionAccept},
				{Stage: StageExchangeRoute, From: exoC, To: gw, Decision: DecisionAccept},
				{Stage: StageGateway, From: exoC, To: gw, Decision: DecisionAccept, Certificate: exoCert},
				{Stage: StageDeliver, From: gw, To: inetHost, Decision: DecisionDeliver, Identity: "internet"},
			}}},
		// Plan.Next: a co-served tenant's recipient goes straight to fabrikam with fabrikam's
		// identity; fabrikam's connector matches the gateway's address.
		{"contoso to co-served fabrikam", Injection{Origin: PartyMailbox, From: "carol@contoso.com", To: []string{"frank@fabrikam.com"}}, traceKey{
			Outcome: OutcomeDelivered, Steps: []stepKey{
				{Stage: StageSubmit, From: mbC, To: exoC, Decision: DecisionAccept},
				{Stage: StageExchangeRoute, From: exoC, To: gw, Decision: DecisionAccept},
				{Stage: StageGateway, From: exoC, To: gw, Decision: DecisionAccept, Certificate: exoCert},
				{Stage: StageExchangeIngress, From: gw, To: exoF, Decision: DecisionAccept, Certificate: []string{"fabrikam.gw.example.net"}, Identity: "fabrikam"},
				{Stage: StageExchangeRoute, From: exoF, To: mbF, Decision: DecisionDeliver},
			}}},
		// The identity rule again: woodgrove's MX is Exchange Online, the Internet identity goes
		// there, woodgrove attributes by recipient.
		{"contoso to woodgrove", Injection{Origin: PartyMailbox, From: "carol@contoso.com", To: []string{"erin@woodgrove.example"}}, traceKey{
			Outcome: OutcomeDelivered, Steps: []stepKey{
				{Stage: StageSubmit, From: mbC, To: exoC, Decision: DecisionAccept},
				{Stage: StageExchangeRoute, From: exoC, To: gw, Decision: DecisionAccept},
				{Stage: StageGateway, From: exoC, To: gw, Decision: DecisionAccept, Certificate: exoCert},
				{Stage: StageExchangeIngress, From: gw, To: exoW, Decision: DecisionAccept, Identity: "internet"},
				{Stage: StageExchangeRoute, From: exoW, To: mbW, Decision: DecisionDeliver},
			}}},
		// docs/exchange-online.md#third-party-gateways: the lockdown connector rejects a sender
		// that bypasses the MX.
		{"MX bypass", Injection{Origin: PartyInternet, Entry: EntryExchange, From: "bob@sender.example", To: []string{"alice@contoso.com"}}, traceKey{
			Outcome: OutcomeRejected, Reply: classify.ReplyPartnerRestricted, Steps: []stepKey{
				{Stage: StageExchangeIngress, From: inetHost, To: "exchange:exchange", Decision: DecisionReject, Reply: classify.ReplyPartnerRestricted},
			}}},
		// An MX override pointing contoso.com at an Internet host: the mail never touches the
		// topology.
		{"MX override to the Internet", Injection{Origin: PartyInternet, From: "bob@sender.example", To: []string{"alice@contoso.com"},
			MX: map[tenantgate.Domain]string{"contoso.com": "mx.elsewhere.example"}}, traceKey{
			Outcome: OutcomeDelivered, Steps: []stepKey{
				{Stage: StageDeliver, From: inetHost, To: "internet:mx.elsewhere.example", Decision: DecisionDeliver},
			}}},
		// MX keys are domains: any case, a trailing dot; an unparsable key is reported and ignored.
		{"MX override keys normalised", Injection{Origin: PartyInternet, From: "bob@sender.example", To: []string{"alice@contoso.com"},
			MX: map[tenantgate.Domain]string{"Contoso.COM.": "mx.elsewhere.example", "bad..domain": "x.example"}}, traceKey{
			Outcome: OutcomeDelivered, Codes: []string{ReasonSimMXInvalid}, Steps: []stepKey{
				{Stage: StageDeliver, From: inetHost, To: "internet:mx.elsewhere.example", Decision: DecisionDeliver},
			}}},
		// An MX override pointing woodgrove (not served) at the gateway: the Internet host is
		// not Exchange Online, so the gateway refuses the foreign recipient (threat case 3).
		{"foreign MX at the gateway", Injection{Origin: PartyInternet, From: "bob@sender.example", To: []string{"erin@woodgrove.example"},
			MX: map[tenantgate.Domain]string{"woodgrove.example": "GW.example.net."}}, traceKey{
			Outcome: OutcomeRejected, Reply: classify.ReplyRelayDenied, Steps: []stepKey{
				{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionReject, Reply: classify.ReplyRelayDenied},
			}}},
		// Mixed outcome: looped beats rejected beats delivered; Reply is the first failure's.
		{"two recipients, one refused", Injection{Origin: PartyInternet, Entry: EntryGateway, From: "bob@sender.example", To: []string{"alice@contoso.com", "erin@woodgrove.example"}}, traceKey{
			Outcome: OutcomeRejected, Reply: classify.ReplyRelayDenied, Steps: []stepKey{
				{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionAccept},
				{Stage: StageExchangeIngress, From: gw, To: exoC, Decision: DecisionAccept, Certificate: []string{"contoso.gw.example.net"}, Identity: "contoso"},
				{Stage: StageExchangeRoute, From: exoC, To: mbC, Decision: DecisionDeliver},
				{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionReject, Reply: classify.ReplyRelayDenied},
			}}},
		{"invalid origin", Injection{Origin: "moon", From: "a@b.example", To: []string{"alice@contoso.com"}}, traceKey{
			Outcome: OutcomeRejected, Reply: route.ReplyNoRoute, Codes: []string{ReasonSimOrigin}}},
		{"mailbox of no tenant", Injection{Origin: PartyMailbox, From: "a@nowhere.example", To: []string{"alice@contoso.com"}}, traceKey{
			Outcome: OutcomeRejected, Reply: route.ReplyNoRoute, Codes: []string{ReasonSimSenderTenant}}},
		{"no recipients", Injection{Origin: PartyInternet, From: "a@b.example"}, traceKey{Outcome: OutcomeDelivered}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, traceKeyOf(Simulate(d, tc.in, Options{}))); diff != "" {
				t.Errorf("trace (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSimulateStamps checks what the simulation writes where: Enhanced Filtering on contoso's
// connector finds the Internet host behind the gateway (docs/exchange-online.md#enhanced-filtering,
// #scenario-26), and the gateway, reading the copy Exchange Online sends back, finds contoso's
// stamps.
func TestSimulateStamps(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	tr := Simulate(d, Injection{Origin: PartyInternet, From: "bob@sender.example", To: []string{"alice@contoso.com"}}, Options{})
	if len(tr.Steps) < 2 || tr.Steps[1].Stamp == nil {
		t.Fatalf("no stamp on the Exchange Online step: %+v", tr.Steps)
	}
	st := tr.Steps[1].Stamp
	if want := netip.MustParseAddr("192.0.2.44"); st.CIP != want || !st.EnhancedFiltering.Applied {
		t.Errorf("stamp CIP %v, EF applied %v; want %v, true", st.CIP, st.EnhancedFiltering.Applied, want)
	}
	if st.DIR != "INB" || st.Tenant != tenantgate.MustParseTenantID(contosoID) {
		t.Errorf("stamp DIR %q tenant %v; want INB, contoso", st.DIR, st.Tenant)
	}
	// A contoso mailbox's mail reaches the gateway as own-tenant mailbox mail: the submission
	// stamps (AuthAs Internal, FromEntityHeader Hosted, DIR OUT) are what the policy read.
	tr = Simulate(d, Injection{Origin: PartyMailbox, From: "carol@contoso.com", To: []string{"dave@sender.example"}}, Options{})
	v := tr.Steps[2].Verdict
	if v == nil || v.Origin != classify.OwnTenant || v.Kind != classify.Mailbox {
		t.Fatalf("gateway verdict %+v, want own-tenant mailbox", v)
	}
}

// TestSimulatePlanRefused: an identity that cannot match contoso's connector makes NewPlan fail;
// the simulation says so and shows Exchange Online's rejection of the gateway
// (docs/exchange-online.md#rejections, 5.7.51).
func TestSimulatePlanRefused(t *testing.T) {
	b, err := os.ReadFile("../testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	d := compile(t, strings.Replace(string(b), `"certNames": ["contoso.gw.example.net"]`, `"certNames": ["other.gw.example.net"]`, 1))
	got := traceKeyOf(Simulate(d, Injection{Origin: PartyInternet, From: "bob@sender.example", To: []string{"alice@contoso.com"}}, Options{}))
	want := traceKey{Outcome: OutcomeRejected, Reply: classify.ReplyPartnerRestricted, Codes: []string{ReasonSimPlanRefused}, Steps: []stepKey{
		{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionAccept},
		{Stage: StageExchangeIngress, From: gw, To: "exchange:exchange", Decision: DecisionReject, Certificate: []string{"other.gw.example.net"}, Identity: "contoso", Reply: classify.ReplyPartnerRestricted},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	// The same undeliverable flow is a lint finding.
	var codes []string
	for _, f := range Lint(d, Options{}) {
		codes = append(codes, f.Code)
	}
	if !strings.Contains(strings.Join(codes, " "), FindingUndeliverable) {
		t.Errorf("lint codes %v, want %s", codes, FindingUndeliverable)
	}
}

// TestSimulateInvalidPolicy: an option NewPolicy refuses makes every recipient fail closed.
func TestSimulateInvalidPolicy(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	tr := Simulate(d, Injection{Origin: PartyInternet, From: "bob@sender.example", To: []string{"alice@contoso.com"}},
		Options{Policy: classify.PolicyConfig{RelayKinds: []classify.Kind{"bogus"}}})
	if diff := cmp.Diff(traceKey{Outcome: OutcomeRejected, Reply: route.ReplyNoRoute, Codes: []string{ReasonSimPolicy}}, traceKeyOf(tr)); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
}

// TestSimulateSmartHostRange: an outbound connector whose smart host is a CIDR range holding
// the gateway's address sends to the gateway (New-OutboundConnector: SmartHosts may be CIDR).
func TestSimulateSmartHostRange(t *testing.T) {
	b, err := os.ReadFile("../testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	d := compile(t, strings.Replace(string(b), `"smartHosts": ["gw.example.net"],
          "useMXRecord": false`, `"smartHosts": ["198.51.100.0/24"],
          "useMXRecord": false`, 1))
	tr := Simulate(d, Injection{Origin: PartyMailbox, From: "carol@contoso.com", To: []string{"dave@sender.example"}}, Options{})
	if len(tr.Steps) < 3 || tr.Steps[1].Route == nil || tr.Steps[1].Route.NextHop.Hosts[0] != "198.51.100.0/24" ||
		tr.Steps[1].To.Kind != PartyGateway || tr.Outcome != OutcomeDelivered {
		t.Errorf("trace %+v, want contoso's mail through the gateway", traceKeyOf(tr))
	}
}

// TestNilDirectory: no topology fails closed without a panic.
func TestNilDirectory(t *testing.T) {
	tr := Simulate(nil, Injection{Origin: PartyInternet, From: "a@b.example", To: []string{"c@d.example"}}, Options{})
	if diff := cmp.Diff(traceKey{Outcome: OutcomeRejected, Reply: route.ReplyNoRoute, Codes: []string{ReasonSimNoDirectory}}, traceKeyOf(tr)); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	if len(tr.Recipients) != 1 || tr.Recipients[0].Outcome != OutcomeRejected {
		t.Errorf("recipients %+v", tr.Recipients)
	}
	if fs := Lint(nil, Options{}); fs != nil {
		t.Errorf("Lint(nil, Options{}) = %v", fs)
	}
	if fs := CanonicalFlows(nil); fs != nil {
		t.Errorf("CanonicalFlows(nil) = %v", fs)
	}
}

// TestSimulateMaxSteps: a path is cut at MaxSteps with Exchange Online's 5.4.14.
func TestSimulateMaxSteps(t *testing.T) {
	tr := &Trace{}
	p := &path{tr: tr, in: &Injection{}, rcpt: "a@b.example", seen: map[string]bool{}}
	n := 0
	for p.add(Step{From: Party{Kind: PartyGateway, Name: "gw"}, To: Party{Kind: PartyExchange, Name: "x"}}) {
		n++
	}
	if n != MaxSteps || len(tr.Steps) != MaxSteps+1 {
		t.Fatalf("added %d steps, trace has %d; want %d and %d", n, len(tr.Steps), MaxSteps, MaxSteps+1)
	}
	last := tr.Steps[MaxSteps]
	if last.Decision != DecisionLoop || last.Reply != ReplyEXOHopCountExceeded || tr.Recipients[0].Outcome != OutcomeLooped {
		t.Errorf("last step %+v, result %+v; want a loop with %q", last, tr.Recipients, ReplyEXOHopCountExceeded)
	}
}

// canonicalWant is what every canonical flow of the demo topology (../testdata/config/demo.json)
// must do, keyed by the golden file's name (flow, then the first 8 hex digits of the tenant).
// Contoso (1111…) locks its Partner connector to the certificate contoso.gw.example.net and sends
// everything (recipientDomains *) to the gateway; fabrikam (2222…) locks its connector to the
// gateway's address 198.51.100.25 and routes external mail to the gateway by transport rule;
// woodgrove is an Office 365 tenant the gateway does not serve, whose MX is Exchange Online.
var canonicalWant = map[string]traceKey{
	// The Internet sender reaches the gateway by MX; the gateway hands the mail to the tenant's
	// Exchange Online with the tenant's identity, whose connector accepts it; delivered.
	"internet-to-tenant-11111111": {Outcome: OutcomeDelivered, Steps: []stepKey{
		{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionAccept},
		{Stage: StageExchangeIngress, From: gw, To: exoC, Decision: DecisionAccept, Certificate: []string{"contoso.gw.example.net"}, Identity: "contoso"},
		{Stage: StageExchangeRoute, From: exoC, To: mbC, Decision: DecisionDeliver},
	}},
	"internet-to-tenant-22222222": {Outcome: OutcomeDelivered, Steps: []stepKey{
		{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionAccept},
		{Stage: StageExchangeIngress, From: gw, To: exoF, Decision: DecisionAccept, Certificate: []string{"fabrikam.gw.example.net"}, Identity: "fabrikam"},
		{Stage: StageExchangeRoute, From: exoF, To: mbF, Decision: DecisionDeliver},
	}},
	// Around the MX, straight to Exchange Online: both tenants' connectors are restricted (to a
	// certificate, to an IP address) and match every sender domain, so Exchange Online refuses
	// the Internet host with 5.7.51 before any tenant is chosen.
	"internet-to-tenant-direct-11111111": {Outcome: OutcomeRejected, Reply: classify.ReplyPartnerRestricted, Steps: []stepKey{
		{Stage: StageExchangeIngress, From: inetHost, To: "exchange:exchange", Decision: DecisionReject, Reply: classify.ReplyPartnerRestricted},
	}},
	"internet-to-tenant-direct-22222222": {Outcome: OutcomeRejected, Reply: classify.ReplyPartnerRestricted, Steps: []stepKey{
		{Stage: StageExchangeIngress, From: inetHost, To: "exchange:exchange", Decision: DecisionReject, Reply: classify.ReplyPartnerRestricted},
	}},
	// A mailbox writes to the Internet: the tenant's outbound connector (contoso's for *,
	// fabrikam's by its transport rule) sends to the gateway, which presents Exchange Online's
	// certificate-verified peer to the policy (own-tenant mailbox: relay) and delivers to the
	// Internet MX with the Internet identity.
	"tenant-to-internet-11111111": {Outcome: OutcomeDelivered, Steps: []stepKey{
		{Stage: StageSubmit, From: mbC, To: exoC, Decision: DecisionAccept},
		{Stage: StageExchangeRoute, From: exoC, To: gw, Decision: DecisionAccept},
		{Stage: StageGateway, From: exoC, To: gw, Decision: DecisionAccept, Certificate: exoCert},
		{Stage: StageDeliver, From: gw, To: inetHost, Decision: DecisionDeliver, Identity: "internet"},
	}},
	"tenant-to-internet-22222222": {Outcome: OutcomeDelivered, Steps: []stepKey{
		{Stage: StageSubmit, From: mbF, To: exoF, Decision: DecisionAccept},
		{Stage: StageExchangeRoute, From: exoF, To: gw, Decision: DecisionAccept},
		{Stage: StageGateway, From: exoF, To: gw, Decision: DecisionAccept, Certificate: exoCert},
		{Stage: StageDeliver, From: gw, To: inetHost, Decision: DecisionDeliver, Identity: "internet"},
	}},
	// To woodgrove, not served: through the gateway like Internet mail, with the Internet
	// identity, to woodgrove's Exchange Online, which attributes it by recipient.
	"tenant-to-office365-11111111": {Outcome: OutcomeDelivered, Steps: []stepKey{
		{Stage: StageSubmit, From: mbC, To: exoC, Decision: DecisionAccept},
		{Stage: StageExchangeRoute, From: exoC, To: gw, Decision: DecisionAccept},
		{Stage: StageGateway, From: exoC, To: gw, Decision: DecisionAccept, Certificate: exoCert},
		{Stage: StageExchangeIngress, From: gw, To: exoW, Decision: DecisionAccept, Identity: "internet"},
		{Stage: StageExchangeRoute, From: exoW, To: mbW, Decision: DecisionDeliver},
	}},
	"tenant-to-office365-22222222": {Outcome: OutcomeDelivered, Steps: []stepKey{
		{Stage: StageSubmit, From: mbF, To: exoF, Decision: DecisionAccept},
		{Stage: StageExchangeRoute, From: exoF, To: gw, Decision: DecisionAccept},
		{Stage: StageGateway, From: exoF, To: gw, Decision: DecisionAccept, Certificate: exoCert},
		{Stage: StageExchangeIngress, From: gw, To: exoW, Decision: DecisionAccept, Identity: "internet"},
		{Stage: StageExchangeRoute, From: exoW, To: mbW, Decision: DecisionDeliver},
	}},
	// An Internet host asks the gateway to relay to a domain nobody serves: refused at RCPT.
	"internet-relay-attempt": {Outcome: OutcomeRejected, Reply: classify.ReplyRelayDenied, Steps: []stepKey{
		{Stage: StageGateway, From: inetHost, To: gw, Decision: DecisionReject, Reply: classify.ReplyRelayDenied},
	}},
}

// TestSimulateGolden checks every canonical flow of the demo topology against canonicalWant and
// keeps its Trace, without prose, as JSON in testdata/simulate (run with -update after a
// deliberate change, and read the diff). The JSON field names the CLI prints, prose included,
// are pinned by examples/mailflow's output goldens.
func TestSimulateGolden(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	flows := CanonicalFlows(d)
	if len(flows) != len(canonicalWant) {
		t.Errorf("%d canonical flows, %d entries in canonicalWant", len(flows), len(canonicalWant))
	}
	for _, f := range flows {
		name := f.Name
		if !f.Tenant.IsZero() {
			name = f.Name + "-" + f.Tenant.String()[:8]
		}
		t.Run(name, func(t *testing.T) {
			tr := Simulate(d, f.Injection, Options{})
			want, ok := canonicalWant[name]
			if !ok {
				t.Fatalf("no entry for %s in canonicalWant: state what the flow must do", name)
			}
			if diff := cmp.Diff(want, traceKeyOf(tr)); diff != "" {
				t.Errorf("trace (-want +got):\n%s", diff)
			}
			golden.Decision(t, filepath.Join("testdata", "simulate", name+".json"), tr)
		})
	}
}

// TestSimulatorReuse: one Simulator used for every canonical flow of the demo gives the traces
// Simulate gives for each on its own, in any order: the simulation keeps no state from one
// message to the next. mailflow lint --flows relies on it to prepare the topology once.
func TestSimulatorReuse(t *testing.T) {
	d := loadConfigFile(t, "../testdata/config/demo.json")
	flows := CanonicalFlows(d)
	sim := NewSimulator(d, Options{})
	for _, order := range [][]int{ascending(len(flows)), descending(len(flows))} {
		for _, i := range order {
			f := flows[i]
			want, got := Simulate(d, f.Injection, Options{}), sim.Simulate(f.Injection)
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("flow %s of %s: the shared Simulator's trace differs (-Simulate +Simulator):\n%s", f.Name, f.Tenant, diff)
			}
		}
	}
	if tr := NewSimulator(nil, Options{}).Simulate(flows[0].Injection); tr.Outcome != OutcomeRejected {
		t.Errorf("nil Directory: outcome %v, want rejected as Simulate's", tr.Outcome)
	}
}

func ascending(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func descending(n int) []int {
	s := ascending(n)
	slices.Reverse(s)
	return s
}
