package route

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// OutboundMessage is what Outbound needs to know of a message leaving a tenant's Exchange Online.
// The zero value is a message from a mailbox with no recipients.
type OutboundMessage struct {
	// MailFrom is the envelope sender (RFC 5321 MAIL FROM); "" is the null reverse-path.
	MailFrom string
	// Sender is who sent the message, as Exchange Online sees it when it routes the message out;
	// it decides a transport rule's FromScope and whether centralized transport applies:
	//   - classify.Mailbox, or "": a mailbox (or other recipient object) of the tenant in
	//     Exchange Online; in the organisation (FromScope InOrganization) whatever its MAIL FROM;
	//   - classify.OnPremises: mail the tenant's on-premises servers (or an add-on service
	//     treated as on-premises) relayed through an OnPremises inbound connector; in the
	//     organisation when its MAIL FROM is in one of the tenant's accepted domains, and
	//     centralized transport does not send it back on-premises;
	//   - classify.Relayed, and any other value: an Internet sender's message the tenant passes
	//     on (a forward, an InternalRelay domain, mail a gateway hands in anonymously); not in
	//     the organisation.
	Sender classify.Kind
	// Recipients are the envelope recipients (RCPT TO), each routed on its own.
	Recipients []string
	// Header is the message's header block, which transport rule exceptions test
	// (ExceptIfHeaderContainsMessageHeader). The zero value has no fields.
	Header textproto.Header
}

// Precedence chooses between the two readings of Microsoft's outbound connector precedence
// (docs/exchange-online.md#ambiguities, 10) when several connectors match a recipient.
type Precedence string

// Precedence readings. The zero value is MostSpecific.
const (
	// MostSpecific is the worked example of "set-up-connectors-to-route-mail" ("the most
	// specific connector possible"): an exact RecipientDomains entry, then the longest wildcard
	// ("*.sales.contoso.com" before "*.contoso.com"), then AllAcceptedDomains, then "*".
	MostSpecific Precedence = "most-specific"
	// StatedOrder is the order the same page states: an exact entry, then AllAcceptedDomains,
	// then wildcards (longest first), then "*".
	StatedOrder Precedence = "stated-order"
)

// OutboundOptions tune Outbound where Microsoft's documents leave a choice. The zero value is
// the default.
type OutboundOptions struct {
	// Precedence among matching connectors; "" means MostSpecific.
	Precedence Precedence
}

// OutboundHopKind is how Exchange Online hands a recipient's copy on.
type OutboundHopKind string

// Outbound hop kinds. The zero value OutboundNone means that the recipient could not be routed
// (see Reasons).
const (
	OutboundNone OutboundHopKind = ""
	// OutboundInternal: delivered inside the tenant (to a mailbox in one of its accepted domains).
	OutboundInternal OutboundHopKind = "internal"
	// OutboundSmartHost: to the connector's smart hosts.
	OutboundSmartHost OutboundHopKind = "smart-host"
	// OutboundMX: to the MX of the recipient's domain (a connector with UseMXRecord, or Exchange
	// Online's own Internet delivery when no connector applies).
	OutboundMX OutboundHopKind = "mx"
)

// OutboundHop is where Exchange Online sends a recipient's copy (Outbound); the gateway's own next
// hop is Hop.
type OutboundHop struct {
	Kind OutboundHopKind `json:"kind,omitempty"`
	// Hosts are the smart hosts (OutboundSmartHost): names, IP addresses or CIDR ranges, in the
	// connector's order.
	Hosts []string `json:"hosts,omitempty"`
	// Domain is the recipient's domain: whose MX is used (OutboundMX), or the accepted domain the
	// mailbox is in (OutboundInternal).
	Domain tenantgate.Domain `json:"domain,omitempty"`
}

// String describes the hop for people: "gw.example.net", "MX of woodgrove.example",
// "internal delivery in contoso.com" or "none".
func (h OutboundHop) String() string {
	switch h.Kind {
	case OutboundSmartHost:
		return strings.Join(h.Hosts, ", ")
	case OutboundMX:
		return "MX of " + string(h.Domain)
	case OutboundInternal:
		return "internal delivery in " + string(h.Domain)
	}
	return "none"
}

// TLSRequirement is what the sending side demands of the next hop's TLS.
type TLSRequirement struct {
	// Settings is the connector's TLSSettings; "" (TLSOpportunistic) also for Exchange Online's
	// own delivery and for internal delivery.
	Settings tenantgate.TLSSettings `json:"settings,omitempty"`
	// Domain is the name the next hop's certificate must carry; set only with
	// TLSDomainValidation (TLSDomain is used only then).
	Domain tenantgate.DomainPattern `json:"domain,omitempty"`
}

// RecipientRoute is the route of one recipient.
type RecipientRoute struct {
	// Rcpt is the recipient as given.
	Rcpt string `json:"rcpt"`
	// Connector is the outbound connector's name; "" for Exchange Online's own MX delivery or
	// internal delivery (NextHop.Kind tells which).
	Connector string `json:"connector,omitempty"`
	// Rule is the transport rule that picked Connector, if one did.
	Rule string `json:"rule,omitempty"`
	// Centralized is set when Connector was chosen because it has RouteAllMessagesViaOnPremises.
	Centralized bool `json:"centralized,omitempty"`
	// NextHop is where the copy goes.
	NextHop OutboundHop `json:"nextHop"`
	// TLS is the connector's TLS requirement.
	TLS TLSRequirement `json:"tls"`
	// ConvertHeaders reports CloudServicesMailEnabled on the connector:
	// X-MS-Exchange-Organization-* headers leave as X-MS-Exchange-CrossPremises-* (otherwise
	// they are removed).
	ConvertHeaders bool `json:"convertHeaders,omitempty"`
	// Reasons explain the route, in the order they were established.
	Reasons []tenantgate.Reason `json:"reasons,omitempty"`
}

// OutboundDecision is Outbound's answer: one route per recipient, in the order given.
type OutboundDecision struct {
	// Tenant is the sending tenant.
	Tenant tenantgate.TenantID `json:"tenant"`
	// Recipients holds one route per OutboundMessage.Recipients entry.
	Recipients []RecipientRoute `json:"recipients"`
	// Reasons concern the whole message (an unknown tenant).
	Reasons []tenantgate.Reason `json:"reasons,omitempty"`
}

// Reason codes of Outbound. Each recipient route ends with exactly one of the codes that name a
// hop (rule.match, connector.centralized, connector.match, internal, internal-relay.no-connector,
// internal-relay.mx, mx) or with rcpt.invalid / tenant.unknown. ReasonCloudMailbox may precede ReasonInternal.
const (
	ReasonTenantUnknown        = "outbound.tenant.unknown"
	ReasonRcptInvalid          = "outbound.rcpt.invalid"
	ReasonRuleException        = "outbound.rule.exception"
	ReasonRuleConnectorOff     = "outbound.rule.connector-disabled"
	ReasonRuleMatch            = "outbound.rule.match"
	ReasonCentralized          = "outbound.connector.centralized"
	ReasonConnectorMatch       = "outbound.connector.match"
	ReasonInternal             = "outbound.internal"
	ReasonInternalRelayNoRoute = "outbound.internal-relay.no-connector"
	// ReasonInternalRelayMX: an InternalRelay domain's recipient without a mailbox in the tenant
	// (listed in onPremises.recipients), and no connector serves it: it goes to the domain's MX.
	ReasonInternalRelayMX = "outbound.internal-relay.mx"
	ReasonMX              = "outbound.mx"
	// ReasonCloudMailbox: a connector matches the recipient's domain, but the recipient is a
	// cloud mailbox of the tenant, which no outbound connector takes.
	ReasonCloudMailbox = "outbound.cloud-mailbox"
)

// Outbound decides, like Exchange Online, how each recipient of a message sent from tenant from
// leaves the tenant: through which outbound connector, to which next hop, with which TLS
// requirement and header conversion. opts settles what Microsoft's documents leave open; the zero
// OutboundOptions is the default.
//
// A recipient of an Authoritative accepted domain is a cloud mailbox of the tenant unless the
// tenant's OnPremises.Recipients list it (a mail user whose mailbox is on-premises); a recipient
// of an InternalRelay domain may have no mailbox in the tenant, and is routed by connector
// (docs/routing.md#recipients).
//
// The steps, for each recipient (docs/exchange-online.md#outbound-connectors,
// docs/exchange-online.md#accepted-domains, docs/exchange-online.md#third-party-gateways):
//  1. Transport rules, in priority order: the first enabled rule whose FromScope and SentToScope
//     hold and whose header exception does not match picks its RouteMessageOutboundConnector, if
//     that connector is enabled. Rule-scoped connectors (IsTransportRuleScoped) are used only
//     this way. A rule whose exception header contains one of its words does not apply; that is
//     how the add-on-service pattern stops the returning message from looping
//     (docs/exchange-online.md#scenario-36).
//  2. Centralized mail transport: the first enabled OnPremises connector with
//     RouteAllMessagesViaOnPremises takes every recipient, whatever other connector matches,
//     except (a) when the message came from on-premises (Sender classify.OnPremises: "Messages
//     sent from on-premises recipients are always sent directly to Internet recipients"), and
//     (b) a cloud mailbox's copy of a message from a cloud mailbox (mail inside the Exchange
//     Online organisation stays there). Internet mail for a cloud mailbox is routed on-premises
//     first: "Since centralized mail transport is enabled, EOP routes the messages for both
//     recipients to an on-premises Exchange server"
//     (https://learn.microsoft.com/exchange/transport-routing). Mail from on-premises is mail
//     Exchange Online attributed as Originating through an OnPremises connector: "it will not send
//     the message back to Exchange on-premises if the message already came from Exchange
//     on-premises" (https://techcommunity.microsoft.com/t5/exchange-team-blog/demystifying-centralized-mail-transport-and-criteria-based/ba-p/2927777);
//     a returning copy Exchange Online does not recognise is Internet mail and goes on-premises
//     again.
//  3. Enabled connectors that are not rule-scoped and match the recipient's domain by
//     RecipientDomains (exact, "*.x" for x and its subdomains, "*"), or by AllAcceptedDomains for
//     an accepted domain: the highest by opts.Precedence wins, the first in configuration order
//     on a tie. No connector takes a cloud mailbox: outbound connectors serve recipients outside
//     the organisation and mailboxes on another email server
//     (https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/set-up-connectors-to-route-mail:
//     "to mailboxes on your email server"). Partner connectors serve only domains outside the
//     organisation (New-OutboundConnector: "Partner: external domains"), so they are not
//     candidates for an accepted domain. The centralized transport connector is not a candidate
//     for mail from on-premises either, whatever its RecipientDomains ("*" in KB 3194415, whose
//     mail from on-premises is not routed back through it,
//     https://learn.microsoft.com/troubleshoot/exchange/email-delivery/hybrid-messages-not-routed-through-on-premises).
//  4. No connector: an InternalRelay domain's recipient listed in OnPremises.Recipients (no
//     mailbox in the tenant) goes to the domain's MX; any other accepted domain's recipient is
//     delivered internally (for an InternalRelay domain the reason says that a recipient without
//     a mailbox would go to the MX); any other domain goes to its MX, with opportunistic TLS.
//
// The sender is in the organisation (FromScope InOrganization) when it is a mailbox, or an
// on-premises sender whose MAIL FROM is an accepted domain of the tenant; the recipient is when
// its domain is an accepted domain of the tenant (Authoritative or InternalRelay,
// MatchSubDomains aware).
//
// Disabled connectors and rules never apply. An unknown tenant or an unparsable recipient gets
// OutboundNone: nothing is routed on incomplete information.
func Outbound(d *tenantgate.Directory, from tenantgate.TenantID, m OutboundMessage, opts OutboundOptions) OutboundDecision {
	dec := OutboundDecision{Tenant: from, Recipients: make([]RecipientRoute, len(m.Recipients))}
	var t *tenantgate.Tenant
	if d != nil {
		t, _ = d.Tenant(from)
	}
	if t == nil {
		r := reason(ReasonTenantUnknown, "tenant %s is not in the directory", from)
		dec.Reasons = []tenantgate.Reason{r}
		for i, rcpt := range m.Recipients {
			dec.Recipients[i] = RecipientRoute{Rcpt: rcpt, Reasons: []tenantgate.Reason{r}}
		}
		return dec
	}
	o := outbound{d: d, t: t, m: &m, opts: opts}
	o.senderInOrg = o.senderInOrganization()
	for i, rcpt := range m.Recipients {
		dec.Recipients[i] = o.route(rcpt)
	}
	return dec
}

// outbound holds what every recipient of one message shares.
type outbound struct {
	d           *tenantgate.Directory
	t           *tenantgate.Tenant
	m           *OutboundMessage
	opts        OutboundOptions
	senderInOrg bool
}

func (o *outbound) senderInOrganization() bool {
	switch o.m.Sender {
	case "", classify.Mailbox:
		return true
	case classify.OnPremises:
		dom, err := tenantgate.AddressDomain(o.m.MailFrom)
		return err == nil && o.d.Accepts(o.t.ID, dom)
	}
	return false // classify.Relayed, and any unknown kind: not ours
}

func (o *outbound) route(rcpt string) RecipientRoute {
	r := RecipientRoute{Rcpt: rcpt}
	dom, err := tenantgate.AddressDomain(rcpt)
	if err != nil {
		r.Reasons = append(r.Reasons, reason(ReasonRcptInvalid, "%v", err))
		return r
	}
	var ad *tenantgate.AcceptedDomain
	if owner, a, ok := o.d.Owner(dom); ok && owner.ID == o.t.ID {
		ad = a
	}
	inOrg := ad != nil
	// cloud: a mailbox of the tenant in Exchange Online (docs/routing.md#recipients).
	cloud := inOrg && ad.Type() == tenantgate.Authoritative && !o.t.OnPremisesRecipient(rcpt)

	// 1. Transport rules (docs/exchange-online.md#outbound-connectors,
	//    docs/exchange-online.md#scenario-36).
	for i := range o.t.Rules {
		rule := &o.t.Rules[i]
		if !rule.IsEnabled() || !scopeHolds(rule.FromScope, o.senderInOrg) || !scopeHolds(rule.SentToScope, inOrg) {
			continue
		}
		if h, w, ok := o.exception(rule); ok {
			r.Reasons = append(r.Reasons, reason(ReasonRuleException, "rule %q does not apply: header %s contains %q", rule.Name, h, w))
			continue
		}
		c := o.connector(rule.RouteMessageOutboundConnector)
		if c == nil || !c.IsEnabled() {
			r.Reasons = append(r.Reasons, reason(ReasonRuleConnectorOff, "rule %q routes to connector %q, which is disabled or missing", rule.Name, rule.RouteMessageOutboundConnector))
			continue
		}
		r.Rule = rule.Name
		r.Reasons = append(r.Reasons, reason(ReasonRuleMatch, "rule %q routes to connector %q", rule.Name, c.Name))
		return via(r, c, dom)
	}

	// 2. Centralized mail transport (https://learn.microsoft.com/exchange/transport-routing,
	//    docs/exchange-online.md#loops): everything but mail from on-premises and mail between
	//    cloud mailboxes.
	fromMailbox := o.m.Sender == "" || o.m.Sender == classify.Mailbox
	if o.m.Sender != classify.OnPremises && !(cloud && fromMailbox) {
		for i := range o.t.Outbound {
			c := &o.t.Outbound[i]
			if c.IsEnabled() && !c.IsTransportRuleScoped && c.Type() == tenantgate.ConnectorOnPremises && c.RouteAllMessagesViaOnPremises {
				r.Centralized = true
				what := "Internet-bound mail"
				switch {
				case cloud:
					what = "Internet mail for cloud mailboxes"
				case inOrg:
					what = "mail for on-premises recipients"
				}
				r.Reasons = append(r.Reasons, reason(ReasonCentralized, "connector %q routes %s via on-premises (RouteAllMessagesViaOnPremises)", c.Name, what))
				return via(r, c, dom)
			}
		}
	}

	// 3. Connectors by recipient domain, the most specific (or by the stated order) first.
	var best *tenantgate.OutboundConnector
	bestRank, bestWhy := -1, ""
	for i := range o.t.Outbound {
		c := &o.t.Outbound[i]
		if !c.IsEnabled() || c.IsTransportRuleScoped || (inOrg && c.Type() == tenantgate.ConnectorPartner) {
			continue
		}
		if o.m.Sender == classify.OnPremises && c.Type() == tenantgate.ConnectorOnPremises && c.RouteAllMessagesViaOnPremises {
			continue // centralized transport never sends on-premises mail back (step 2)
		}
		if rank, why := o.rank(c, dom, inOrg); rank > bestRank {
			best, bestRank, bestWhy = c, rank, why
		}
	}
	if best != nil && cloud {
		r.Reasons = append(r.Reasons, reason(ReasonCloudMailbox, "connector %q matches %s by %s, but %s is a cloud mailbox of the tenant, which no outbound connector takes", best.Name, dom, bestWhy, rcpt))
		best = nil
	}
	if best != nil {
		r.Reasons = append(r.Reasons, reason(ReasonConnectorMatch, "connector %q matches %s by %s", best.Name, dom, bestWhy))
		return via(r, best, dom)
	}

	// 4. No connector.
	if inOrg && ad.Type() == tenantgate.InternalRelay && o.t.OnPremisesRecipient(rcpt) {
		// An InternalRelay recipient without a mailbox in the tenant leaves it like an external
		// one: to the MX of its domain, which loops when that MX leads back to the tenant (a
		// domain missing from the hybrid connector, docs/routing.md#recipients).
		r.NextHop = OutboundHop{Kind: OutboundMX, Domain: dom}
		r.Reasons = append(r.Reasons, reason(ReasonInternalRelayMX, "%s is an InternalRelay domain (%s), %s has no mailbox in the tenant (onPremises.recipients) and no outbound connector serves it: Exchange Online sends it to the MX of %s", dom, ad.Name, rcpt, dom))
		return r
	}
	if inOrg {
		r.NextHop = OutboundHop{Kind: OutboundInternal, Domain: dom}
		if ad.Type() == tenantgate.InternalRelay {
			r.Reasons = append(r.Reasons, reason(ReasonInternalRelayNoRoute, "%s is an InternalRelay domain (%s) and no outbound connector serves it: recipients without a mailbox go to the MX of %s", dom, ad.Name, dom))
		} else {
			r.Reasons = append(r.Reasons, reason(ReasonInternal, "%s is an accepted domain (%s) of the tenant and no connector takes the recipient", dom, ad.Name))
		}
		return r
	}
	r.NextHop = OutboundHop{Kind: OutboundMX, Domain: dom}
	r.Reasons = append(r.Reasons, reason(ReasonMX, "no outbound connector applies to %s: Exchange Online delivers to its MX", dom))
	return r
}

// rank returns how well c matches dom under the options' precedence (-1: not at all) and which
// setting made it match.
func (o *outbound) rank(c *tenantgate.OutboundConnector, dom tenantgate.Domain, inOrg bool) (int, string) {
	const exact = 1 << 16 // tenantgate.DomainPattern.Specificity of an exact domain
	best, why := -1, ""
	for _, p := range c.RecipientDomains {
		if !p.Match(dom) {
			continue
		}
		s := p.Specificity() // "*" 0, "*.x" 2 + dots of x, exact 1<<16
		if o.opts.Precedence == StatedOrder && s >= exact {
			s = exact << 1
		}
		if s > best {
			best, why = s, fmt.Sprintf("recipientDomains %q", p)
		}
	}
	if inOrg && c.AllAcceptedDomains {
		// Between "*" (0) and the shortest wildcard (2) for MostSpecific; between wildcards
		// and exact entries for StatedOrder.
		s := 1
		if o.opts.Precedence == StatedOrder {
			s = exact
		}
		if s > best {
			best, why = s, "allAcceptedDomains"
		}
	}
	return best, why
}

// exception reports whether rule's header exception matches: a field named
// ExceptIfHeaderContainsMessageHeader whose value contains one of the words, case-insensitively.
func (o *outbound) exception(rule *tenantgate.TransportRule) (header, word string, ok bool) {
	if rule.ExceptIfHeaderContainsMessageHeader == "" {
		return "", "", false
	}
	for _, v := range o.m.Header.Values(rule.ExceptIfHeaderContainsMessageHeader) {
		lv := strings.ToLower(v)
		for _, w := range rule.ExceptIfHeaderContainsWords {
			if w != "" && strings.Contains(lv, strings.ToLower(w)) {
				return rule.ExceptIfHeaderContainsMessageHeader, w, true
			}
		}
	}
	return "", "", false
}

// connector returns the tenant's outbound connector with the given name, or nil.
func (o *outbound) connector(name string) *tenantgate.OutboundConnector {
	i := slices.IndexFunc(o.t.Outbound, func(c tenantgate.OutboundConnector) bool { return c.Name == name })
	if i < 0 {
		return nil
	}
	return &o.t.Outbound[i]
}

// scopeHolds reports whether a rule scope ("" any, InOrganization, NotInOrganization) holds for a
// party that is or is not in the organisation.
func scopeHolds(s tenantgate.Scope, inOrg bool) bool {
	switch s {
	case "":
		return true
	case tenantgate.InOrganization:
		return inOrg
	case tenantgate.NotInOrganization:
		return !inOrg
	}
	return false // Compile refuses other values; fail closed anyway
}

// via completes r with connector c's hop, TLS and header settings.
func via(r RecipientRoute, c *tenantgate.OutboundConnector, dom tenantgate.Domain) RecipientRoute {
	r.Connector = c.Name
	if c.UsesMX() {
		r.NextHop = OutboundHop{Kind: OutboundMX, Domain: dom}
	} else {
		r.NextHop = OutboundHop{Kind: OutboundSmartHost, Hosts: slices.Clone(c.SmartHosts)}
	}
	r.TLS = TLSRequirement{Settings: c.TLSSettings}
	if c.TLSSettings == tenantgate.TLSDomainValidation {
		r.TLS.Domain = c.TLSDomain
	}
	r.ConvertHeaders = c.CloudServicesMailEnabled
	return r
}

func reason(code, format string, args ...any) tenantgate.Reason {
	return tenantgate.Reason{Code: code, Detail: fmt.Sprintf(format, args...)}
}
