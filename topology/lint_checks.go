package topology

import (
	"fmt"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// FindingUndeliverable is the code of a canonical flow that must work but is rejected on its way
// (for example Exchange Online refuses the gateway's deliveries, or the gateway refuses the
// tenant's own mail). An addition to the codes of testdata/scenarios/README.md.
const FindingUndeliverable = "undeliverable"

// tenant simulates t's canonical flows and checks their traces.
func (l *linter) tenant(t *tenantgate.Tenant) {
	for _, f := range tenantFlows(t, l.other, l.otherMX) {
		tr := l.sim.run(f.Injection)
		l.loop(t, f.Name, &tr)
		switch f.Name {
		case FlowInternetToTenant:
			l.internetToTenant(t, &tr)
		case FlowInternetDirect:
			l.mxBypass(t, &tr)
		case FlowTenantToInternet:
			l.undeliverable(t, f.Name, &tr)
		case FlowTenantToOffice365:
			l.misattribution(t, &tr)
		}
	}
	l.directSendRelay(t)
}

// gateway runs the checks of the gateway as a whole.
func (l *linter) gateway() {
	tr := l.sim.run(Injection{Origin: PartyInternet, Entry: EntryGateway, From: internetSender, To: []string{relayVictim}})
	if tr.Outcome == OutcomeDelivered {
		l.add(Finding{Code: FindingRelayHole, Severity: SeverityError, Objects: []string{"gateway"}, Flow: FlowRelayAttempt,
			Summary: "an Internet host can relay through the gateway to a foreign recipient",
			Detail:  "The gateway accepted mail from a host that is not verified Exchange Online for a recipient no served tenant accepts.",
			Fix:     "Relay only own-tenant mail from verified Exchange Online.",
			Reasons: lastReasons(&tr)})
	}
	l.otherTenantRelay()
}

// loop reports a flow that loops.
func (l *linter) loop(t *tenantgate.Tenant, flow string, tr *Trace) {
	if tr.Outcome != OutcomeLooped {
		return
	}
	f := Finding{Code: FindingLoop, Severity: SeverityError, Tenant: t.ID, Flow: flow,
		Summary: fmt.Sprintf("flow %s of %s loops between Exchange Online and the gateway", flow, t.Name),
		Detail:  "Exchange Online hands the message back to the gateway, which delivers it to Exchange Online again, until Exchange Online gives up with 5.4.14 after 20 hops (https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/fix-error-code-5-4-14-in-exchange-online).",
		Reasons: lastReasons(tr)}
	// The culprit is the connector that sent the copy to the gateway.
	for i := len(tr.Steps) - 1; i >= 0; i-- {
		s := &tr.Steps[i]
		if s.Stage != StageExchangeRoute || s.To.Kind != PartyGateway || s.Route == nil || s.Route.Connector == "" {
			continue
		}
		f.Tenant = s.From.Tenant
		f.Objects = []string{"outbound connector " + s.Route.Connector}
		c := l.sim.outboundConnector(s.From.Tenant, s.Route.Connector)
		switch {
		case c != nil && c.Type() == tenantgate.ConnectorPartner:
			// A Partner connector takes only external recipients: the copy came back because
			// Exchange Online took the gateway's delivery for the wrong tenant, or as the
			// tenant's own outbound mail.
			f.Fix = "The connector is right; the loop starts where Exchange Online attributes the gateway's delivery to a tenant that does not own the recipient. Fix the misattribution or connector-type finding of this flow."
		case s.Route.Centralized:
			f.Fix = "Turn centralized mail transport off: the gateway is not on-premises Exchange, and Microsoft does not support it in that path (Enhanced Filtering page). " +
				"If it must stay on, Exchange Online stops sending the copy back only when it takes the gateway's deliveries as the tenant's on-premises mail: an OnPremises inbound connector matching the gateway's tenant certificate, whose name is an accepted domain (https://learn.microsoft.com/exchange/mail-flow-best-practices/updated-requirements-smtp-relay)."
			f.PowerShell = fmt.Sprintf("Set-OutboundConnector -Identity %s -RouteAllMessagesViaOnPremises $false", psName(s.Route.Connector))
		default:
			// No connector takes a cloud mailbox (route.Outbound, docs/routing.md#recipients): the
			// copy was for a recipient outside the organisation, an on-premises recipient
			// (onPremises.recipients) or an InternalRelay domain.
			f.Fix = "Let the connector take only external recipients: a Partner connector never takes the tenant's own domains, and recipients listed in onPremises.recipients belong on a connector to the on-premises servers, not to the gateway."
			f.PowerShell = fmt.Sprintf("Set-OutboundConnector -Identity %s -RouteAllMessagesViaOnPremises $false -ConnectorType Partner", psName(s.Route.Connector))
		}
		break
	}
	if f.Fix == "" {
		f.Fix = "Follow the trace: one of the hops sends the message back where it came from."
	}
	l.add(f)
	l.reverseConnectorType(flow, tr)
}

// reverseConnectorType is the reverse of the connector-type pitfall
// (docs/exchange-online.md#pitfalls): Exchange Online routes mail to the gateway over an OnPremises
// outbound connector — it treats the gateway as the tenant's on-premises organisation — while it
// takes the gateway's deliveries through a Partner inbound connector as Incoming Internet mail. The
// two halves disagree, and a looping trace is where that shows: the copy the gateway delivers is
// routed back to it. Reported as a warning next to the loop, because the usual fix is on the
// outbound side (a Partner connector, no centralized transport); the other is an OnPremises inbound
// connector matching the gateway's tenant certificate.
func (l *linter) reverseConnectorType(flow string, tr *Trace) {
	gw := gatewayDelivery(tr)
	if gw == nil || gw.Attribution == nil || !gw.Attribution.Accepted || gw.Attribution.Direction != classify.Incoming || gw.Attribution.Connector == "" {
		return
	}
	ten, ok := l.d.Tenant(gw.Attribution.Tenant)
	if !ok {
		return
	}
	var in *tenantgate.InboundConnector
	for i := range ten.Inbound {
		if ten.Inbound[i].Name == gw.Attribution.Connector {
			in = &ten.Inbound[i]
		}
	}
	if in == nil || in.Type() != tenantgate.ConnectorPartner {
		return
	}
	for i := range tr.Steps {
		s := &tr.Steps[i]
		if s.Stage != StageExchangeRoute || s.To.Kind != PartyGateway || s.Route == nil || s.From.Tenant != ten.ID {
			continue
		}
		out := l.sim.outboundConnector(ten.ID, s.Route.Connector)
		if out == nil || out.Type() != tenantgate.ConnectorOnPremises {
			continue
		}
		l.add(Finding{Code: FindingConnectorType, Severity: SeverityWarning, Tenant: ten.ID, Flow: flow,
			Objects:    []string{"outbound connector " + out.Name, "inbound connector " + in.Name},
			Summary:    fmt.Sprintf("%s sends mail to the gateway as to its on-premises organisation (OnPremises connector %s) but takes the gateway's mail as a partner's (Partner connector %s)", ten.Name, out.Name, in.Name),
			Detail:     "An OnPremises outbound connector (centralized transport, or recipient domains that include the tenant's on-premises recipients or InternalRelay domains) hands the gateway mail Exchange Online expects back as on-premises mail; the gateway's deliveries arrive as Incoming Internet mail instead and are routed out again.",
			Fix:        "Make the outbound connector a Partner connector for external recipients only; or, if the gateway really stands in for on-premises, identify it with an OnPremises inbound connector matching its tenant certificate, whose name is an accepted domain.",
			PowerShell: fmt.Sprintf("Set-OutboundConnector -Identity %s -ConnectorType Partner -RouteAllMessagesViaOnPremises $false", psName(out.Name)),
			Reasons:    gw.Reasons})
		return
	}
}

// gatewayDelivery returns the first step where Exchange Online received the copy from the
// gateway, or nil.
func gatewayDelivery(tr *Trace) *Step {
	for i := range tr.Steps {
		s := &tr.Steps[i]
		if s.Stage == StageExchangeIngress && s.From.Kind == PartyGateway {
			return s
		}
	}
	return nil
}

// rejection returns the step that rejected the copy, or nil.
func rejection(tr *Trace) *Step {
	for i := range tr.Steps {
		if tr.Steps[i].Decision == DecisionReject {
			return &tr.Steps[i]
		}
	}
	return nil
}

func lastReasons(tr *Trace) []tenantgate.Reason {
	if len(tr.Steps) == 0 {
		return tr.Reasons
	}
	return tr.Steps[len(tr.Steps)-1].Reasons
}

// internetToTenant checks how Exchange Online takes the gateway's delivery of Internet mail.
func (l *linter) internetToTenant(t *tenantgate.Tenant, tr *Trace) {
	s := gatewayDelivery(tr)
	if s == nil || s.Attribution == nil {
		l.undeliverable(t, FlowInternetToTenant, tr)
		return
	}
	ra := s.Attribution
	if !ra.Accepted {
		l.undeliverable(t, FlowInternetToTenant, tr)
		return
	}
	if ra.Tenant != t.ID {
		l.add(Finding{Code: FindingMisattribution, Severity: SeverityError, Tenant: ra.Tenant, Flow: FlowInternetToTenant,
			Objects:    []string{"inbound connector " + ra.Connector},
			Summary:    fmt.Sprintf("Exchange Online attributes the gateway's deliveries for %s to %s", t.Name, l.sim.tenantName(ra.Tenant)),
			Detail:     "The certificate or address the gateway presents matches an OnPremises connector of another tenant, which takes the message as its own (MC1226222).",
			Fix:        "Identify the gateway in each tenant by a certificate name only that tenant's connector expects, and use Partner connectors for it.",
			PowerShell: fmt.Sprintf("Set-InboundConnector -Identity %s -ConnectorType Partner", psName(ra.Connector)),
			Reasons:    s.Reasons})
		return
	}
	if ra.Direction == classify.Originating {
		l.add(Finding{Code: FindingConnectorType, Severity: SeverityError, Tenant: t.ID, Flow: FlowInternetToTenant,
			Objects:    []string{"inbound connector " + ra.Connector},
			Summary:    fmt.Sprintf("Internet mail the gateway delivers to %s arrives through OnPremises connector %s, as the tenant's own mail", t.Name, ra.Connector),
			Detail:     "An OnPremises connector fits only mail whose sender is the tenant's own (https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud). Internet mail through it is Originating: a spoofed sender of the tenant's domains is treated as internal, and Exchange Online may relay it to the Internet.",
			Fix:        "Make the connector that identifies the gateway a Partner connector, locked to the gateway's certificate.",
			PowerShell: fmt.Sprintf("Set-InboundConnector -Identity %s -ConnectorType Partner -SenderDomains * -RequireTls $true -RestrictDomainsToCertificate $true", psName(ra.Connector)),
			Reasons:    s.Reasons})
		return
	}
	if !mxAtGateway(t) {
		return
	}
	switch {
	case ra.Connector == "":
		l.add(Finding{Code: FindingMissingEnhancedFiltering, Severity: SeverityError, ORCA: "ORCA-233", Tenant: t.ID, Flow: FlowInternetToTenant,
			Objects: []string{"tenant " + t.Name},
			Summary: fmt.Sprintf("no inbound connector of %s identifies the gateway, so Enhanced Filtering cannot apply", t.Name),
			Detail:  "The tenant's MX points at the gateway. Without a connector that identifies the gateway, Exchange Online filters every Internet message as if the gateway had sent it: SPF and DMARC fail and mail is quarantined (https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors).",
			Fix:     "Create a Partner inbound connector that identifies the gateway by its certificate (or IP addresses), with Enhanced Filtering.",
			PowerShell: fmt.Sprintf("New-InboundConnector -Name from-gateway -ConnectorType Partner -SenderDomains * -TlsSenderCertificateName %s -RequireTls $true -RestrictDomainsToCertificate $true -EFSkipLastIP $true",
				psName(orNone(identityCertName(l.d, t.ID)))),
			Reasons: s.Reasons})
	case s.Stamp != nil && !s.Stamp.EnhancedFiltering.Enabled:
		l.add(Finding{Code: FindingMissingEnhancedFiltering, Severity: SeverityError, ORCA: "ORCA-233", Tenant: t.ID, Flow: FlowInternetToTenant,
			Objects:    []string{"inbound connector " + ra.Connector},
			Summary:    fmt.Sprintf("inbound connector %s of %s takes the gateway's deliveries without Enhanced Filtering", ra.Connector, t.Name),
			Detail:     "The tenant's MX points at the gateway, so every Internet message arrives from the gateway's address. Without Enhanced Filtering, Exchange Online judges SPF, DMARC and IP reputation against the gateway, not the original sender (https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors).",
			Fix:        "Turn on Enhanced Filtering for Connectors on this connector, skipping the gateway's address.",
			PowerShell: fmt.Sprintf("Set-InboundConnector -Identity %s -EFSkipLastIP $true", psName(ra.Connector)),
			Reasons:    s.Reasons})
	case s.Stamp != nil && !s.Stamp.EnhancedFiltering.SkipListed:
		l.add(Finding{Code: FindingMissingEnhancedFiltering, Severity: SeverityError, ORCA: "ORCA-233", Tenant: t.ID, Flow: FlowInternetToTenant,
			Objects:    []string{"inbound connector " + ra.Connector},
			Summary:    fmt.Sprintf("Enhanced Filtering on connector %s of %s does not skip the gateway", ra.Connector, t.Name),
			Detail:     "The connector lists EFSkipIPs without the address the gateway delivers from, so skip listing stops at the gateway and Exchange Online filters against it (https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors).",
			Fix:        "Skip the gateway: EFSkipLastIP, or add its addresses to EFSkipIPs.",
			PowerShell: fmt.Sprintf("Set-InboundConnector -Identity %s -EFSkipLastIP $true", psName(ra.Connector)),
			Reasons:    s.Reasons})
	}
}

// undeliverable reports a canonical flow that should deliver but is rejected.
func (l *linter) undeliverable(t *tenantgate.Tenant, flow string, tr *Trace) {
	if tr.Outcome != OutcomeRejected {
		return
	}
	s := rejection(tr)
	if s == nil {
		return
	}
	f := Finding{Code: FindingUndeliverable, Severity: SeverityError, Tenant: t.ID, Flow: flow,
		Summary: fmt.Sprintf("flow %s of %s is rejected by %s: %s", flow, t.Name, s.To.Name, s.Reply),
		Reasons: s.Reasons}
	switch {
	case s.Stage == StageExchangeIngress && s.From.Kind == PartyGateway && s.Attribution != nil && s.Attribution.Reply == classify.ReplyCertificateNotAccepted:
		f.Detail = "The gateway's certificate matches an OnPremises connector whose certificate name is not an accepted domain of the tenant, nor is its parent; since June 2025 Exchange Online refuses such connections with 5.7.51 (https://techcommunity.microsoft.com/blog/exchange/tls-certificates-in-exchange-hybrid---common-issues--how-to-fix-them/4420592)."
		f.Objects = []string{"inbound connector " + s.Attribution.Connector, "gateway identity " + orNone(s.Identity)}
		f.Fix = "Add the certificate name (or its parent) as an accepted domain, or set the connector to a wildcard of an accepted domain (the cert-name-not-accepted finding); for Internet mail the gateway passes on, a Partner connector fits better."
	case s.Stage == StageExchangeIngress && s.From.Kind == PartyGateway:
		f.Detail = "Exchange Online refuses the gateway's delivery: the certificate or address the gateway presents does not satisfy the tenant's inbound connector."
		f.Objects = []string{"gateway identity " + orNone(s.Identity)}
		if s.Attribution != nil && s.Attribution.Connector != "" {
			f.Objects = append([]string{"inbound connector " + s.Attribution.Connector}, f.Objects...)
		}
		f.Fix = "Make the identity the gateway presents to the tenant carry the certificate name the tenant's inbound connector expects (or list the gateway's addresses on it)."
		if n := identityCertName(l.d, t.ID); n != "" && s.Attribution != nil && s.Attribution.Connector != "" {
			f.PowerShell = fmt.Sprintf("Set-InboundConnector -Identity %s -TlsSenderCertificateName %s", psName(s.Attribution.Connector), psName(n))
		}
	case s.Stage == StageExchangeIngress && s.From.Kind == PartyInternet:
		f.Detail = "The tenant's MX does not point at the gateway (its MX report says Exchange Online), but an inbound connector accepts the tenant's mail only from the gateway: Internet senders following the MX are rejected."
		if s.Attribution != nil && s.Attribution.Connector != "" {
			f.Objects = []string{"inbound connector " + s.Attribution.Connector}
		}
		f.Fix = "Point the MX at the gateway, or lift the connector's restriction while the MX points at Exchange Online."
	case s.Stage == StageGateway:
		f.Detail = "The gateway refuses the tenant's mail; the reasons say which rule failed."
		f.Objects = []string{"gateway"}
		f.Fix = "Check that the gateway serves the tenant and recognises Exchange Online (gateway.serves, gateway.exchangeOnline)."
	default:
		f.Detail = "The flow is rejected on its way; the trace shows where."
		f.Fix = "Follow the trace of the flow."
	}
	l.add(f)
}

// mxBypass reports a tenant whose Exchange Online takes Internet mail directly although its MX
// points at the gateway.
func (l *linter) mxBypass(t *tenantgate.Tenant, tr *Trace) {
	if tr.Outcome != OutcomeDelivered {
		return
	}
	f := Finding{Code: FindingMXBypass, Severity: SeverityError, Tenant: t.ID, Flow: FlowInternetDirect,
		Summary: fmt.Sprintf("Internet mail reaches %s directly, around the gateway", t.Name),
		Detail:  "The MX points at the gateway, but no Partner connector restricts the tenant's mail to it: a sender that connects straight to the tenant's Exchange Online host skips the gateway's filtering (https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud).",
		Reasons: lastReasons(tr)}
	// The connector the gateway's deliveries match is the one to lock down.
	c := l.gatewayConnector(t)
	switch {
	case c == nil:
		f.Objects = []string{"tenant " + t.Name}
		f.Fix = "Create a Partner inbound connector for all sender domains that accepts mail only from the gateway's certificate."
		f.PowerShell = fmt.Sprintf("New-InboundConnector -Name from-gateway -ConnectorType Partner -SenderDomains * -TlsSenderCertificateName %s -RequireTls $true -RestrictDomainsToCertificate $true -EFSkipLastIP $true",
			psName(orNone(identityCertName(l.d, t.ID))))
	case c.TLSSenderCertificateName != "":
		f.Objects = []string{"inbound connector " + c.Name}
		f.Fix = "Restrict the connector to the gateway's certificate."
		f.PowerShell = fmt.Sprintf("Set-InboundConnector -Identity %s -SenderDomains * -RequireTls $true -RestrictDomainsToCertificate $true", psName(c.Name))
	default:
		f.Objects = []string{"inbound connector " + c.Name}
		f.Fix = "Restrict the connector to the gateway's addresses."
		f.PowerShell = fmt.Sprintf("Set-InboundConnector -Identity %s -SenderDomains * -RestrictDomainsToIPAddresses $true", psName(c.Name))
	}
	l.add(f)
}

// gatewayConnector is t's inbound connector that Exchange Online matches to the gateway's
// deliveries of Internet mail, or nil.
func (l *linter) gatewayConnector(t *tenantgate.Tenant) *tenantgate.InboundConnector {
	tr := l.sim.run(Injection{Origin: PartyInternet, From: internetSender, To: []string{tenantAddress(t)},
		MX: map[tenantgate.Domain]string{l.domainOf(tenantAddress(t)): l.sim.gw.Name}})
	s := gatewayDelivery(&tr)
	if s == nil || s.Attribution == nil || s.Attribution.Connector == "" || s.Attribution.Tenant != t.ID {
		return nil
	}
	for i := range t.Inbound {
		if t.Inbound[i].Name == s.Attribution.Connector {
			return &t.Inbound[i]
		}
	}
	return nil
}

func (l *linter) domainOf(addr string) tenantgate.Domain {
	d, _ := tenantgate.AddressDomain(addr)
	return d
}

// misattribution reports the gateway's delivery to another Office 365 tenant being attributed
// to a tenant that does not own the recipient (docs/exchange-online.md#pitfalls, first pitfall).
func (l *linter) misattribution(t *tenantgate.Tenant, tr *Trace) {
	s := gatewayDelivery(tr)
	if s == nil || s.Attribution == nil {
		return
	}
	ra := s.Attribution
	var owner tenantgate.TenantID
	if o, _, ok := l.d.Owner(l.domainOf(ra.Rcpt)); ok {
		owner = o.ID
	}
	wrong := ra.Accepted && ra.Tenant != owner
	if !wrong && !(!ra.Accepted && ra.Reply == classify.ReplyTenantAttribution) {
		return
	}
	victim := ra.Tenant
	if victim.IsZero() {
		victim = t.ID
	}
	f := Finding{Code: FindingMisattribution, Severity: SeverityError, Tenant: victim, Flow: FlowTenantToOffice365,
		Objects: []string{"gateway identity " + orNone(s.Identity)},
		Summary: fmt.Sprintf("mail from %s to another Office 365 tenant is attributed to %s by Exchange Online", t.Name, l.sim.tenantName(victim)),
		Detail: "The gateway delivers to the other tenant's Exchange Online host, and the certificate or address it presents there matches an OnPremises connector of " +
			l.sim.tenantName(victim) + ": Exchange Online takes the message as that tenant's outbound mail — misrouted, looped or rejected (Message Center MC1226222).",
		Fix:     "Present no certificate (or one no tenant's connector expects) towards other tenants, and identify the gateway with Partner connectors.",
		Reasons: s.Reasons}
	if ra.Connector != "" {
		f.Objects = append([]string{"inbound connector " + ra.Connector}, f.Objects...)
		f.PowerShell = fmt.Sprintf("Set-InboundConnector -Identity %s -ConnectorType Partner", psName(ra.Connector))
	}
	if !ra.Accepted {
		f.Summary = fmt.Sprintf("mail from %s to another Office 365 tenant is rejected as a relay attempt of %s: %s", t.Name, l.sim.tenantName(victim), ra.Reply)
	}
	l.add(f)
}

// exoSession is the session of verified Exchange Online at the simulator's address.
func (l *linter) exoSession() classify.Session {
	return classify.Session{RemoteAddr: l.sim.exoAddr, HELO: exoHELO, TLS: evidenceOf([]string{exoCertName})}
}

// relays asks the gateway's policy whether it relays a message from verified Exchange Online
// stamped for tenant id with the given FromEntityHeader, AuthAs and DIR, to a foreign recipient.
func (l *linter) relays(id tenantgate.TenantID, mailFrom, fromEntity, authAs, dir string) (bool, []tenantgate.Reason) {
	if l.sim.policy == nil {
		return false, nil
	}
	var h textproto.Header
	h.Add("X-Forefront-Antispam-Report", "CIP:"+internetAddr.String()+";DIR:"+dir+";")
	h.Add("X-MS-Exchange-CrossTenant-FromEntityHeader", fromEntity)
	h.Add("X-MS-Exchange-CrossTenant-AuthAs", authAs)
	h.Add("X-MS-Exchange-CrossTenant-Id", id.String())
	h.Add("From", mailFrom)
	v := l.sim.policy.Decide(classify.Transaction{Session: l.exoSession(), MailFrom: mailFrom, RcptTo: []string{relayVictim}, Header: h})
	return len(v.Recipients) == 1 && v.Recipients[0].Action == classify.Relay, v.Reasons
}

// otherTenantRelay reports a gateway that relays another tenant's mail (EchoSpoofing).
func (l *linter) otherTenantRelay() {
	id := tenantgate.MustParseTenantID(otherTenantID)
	ts := l.d.Tenants() // a copy: take it once
	for i := range ts {
		if t := &ts[i]; !l.d.Serves(t.ID) {
			id = t.ID
			break
		}
	}
	if l.d.Serves(id) {
		return
	}
	if ok, reasons := l.relays(id, "ceo@"+otherDomain, "Hosted", "Internal", "OUT"); ok {
		l.add(Finding{Code: FindingRelayHole, Severity: SeverityError, Objects: []string{"gateway"}, Flow: FlowOtherTenantRelay,
			Summary: "the gateway relays mail of a tenant it does not serve (EchoSpoofing)",
			Detail:  "Exchange Online's address and certificate are shared by every tenant; only the tenant evidence tells ours from the attacker's (https://techcommunity.microsoft.com/t5/exchange-team-blog/office-365-message-attribution/ba-p/749143).",
			Fix:     "Relay only for tenants listed in gateway.serves, by X-MS-Exchange-CrossTenant-Id from verified Exchange Online.",
			Reasons: reasons})
	}
}

// directSendRelay reports a tenant whose anonymous, passed-on Internet mail the gateway relays
// (docs/threat-model.md#threat-31): an Internet sender can then relay through the tenant and the
// gateway.
func (l *linter) directSendRelay(t *tenantgate.Tenant) {
	ok, reasons := l.relays(t.ID, "ceo@"+string(l.domainOf(tenantAddress(t))), "Internet", "Anonymous", "INB")
	if !ok {
		return
	}
	f := Finding{Code: FindingRelayHole, Severity: SeverityWarning, Tenant: t.ID, Objects: []string{"gateway policy relayKinds"}, Flow: FlowDirectSendRelay,
		Summary: fmt.Sprintf("the gateway relays anonymous Internet mail that %s passed on (forwards, Direct Send)", t.Name),
		Detail:  "Relayed mail carries the tenant's ID but AuthAs Anonymous: anyone who gets a message into the tenant that is forwarded out relays through the gateway with its reputation and signature (https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790).",
		Fix:     "Do not let the gateway relay the relayed kind (classify.PolicyConfig.RelayKinds without Relayed), or at least reject Direct Send in the tenant.",
		Reasons: reasons}
	if !t.RejectDirectSend {
		f.Severity = SeverityError
		f.Objects = append(f.Objects, "organization config RejectDirectSend")
		f.Detail += " RejectDirectSend is off, so a spoofed sender of the tenant's own domains gets in without any connector."
		f.PowerShell = "Set-OrganizationConfig -RejectDirectSend $true"
	}
	l.add(f)
}
