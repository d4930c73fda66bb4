package route

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/tlsid"
)

// HopKind is where the gateway sends one recipient's copy (the kind of a Hop; Exchange Online's
// next hop is an OutboundHop).
type HopKind string

// Hop kinds. The zero value HopNone means the recipient is not sent anywhere: the Hop is a
// rejection and carries the reply.
const (
	HopNone HopKind = ""
	// HopTenant: into a served tenant's Exchange Online, through its smart host, presenting the
	// tenant's identity.
	HopTenant HopKind = "tenant"
	// HopInternet: to the MX of the recipient's domain, presenting the Internet identity — also
	// when that MX is another Office 365 tenant's *.mail.protection.outlook.com host.
	HopInternet HopKind = "internet"
)

// Hop is the gateway's next hop for one recipient: where to connect, which client identity to
// present and what to demand of the server's certificate. Its fields map one to one onto
// tlsid.ClientHop (ServerName = Host, Identity, VerifyNames).
type Hop struct {
	// Rcpt is the recipient as given to Next.
	Rcpt string `json:"rcpt"`
	// Kind is HopTenant, HopInternet, or HopNone for a rejected recipient.
	Kind HopKind `json:"kind"`
	// Tenant is the served tenant a HopTenant hop delivers into; zero otherwise.
	Tenant tenantgate.TenantID `json:"tenant,omitzero"`
	// Domain is the recipient's domain (A-label); "" when the address does not parse.
	Domain tenantgate.Domain `json:"domain,omitempty"`
	// Host is the host to connect to for HopTenant: the tenant's smart host
	// (Gateway.SmartHosts, else derived, see TenantSmartHost). "" for HopInternet: resolve the
	// MX of Domain (MailHosts) and connect to its hosts in order.
	Host string `json:"host,omitempty"`
	// Identity names the gateway identity (tenantgate.Identity.Name) whose certificate to present:
	// the tenant's identity for HopTenant ("" when the tenant has none: present no certificate),
	// the Internet identity for HopInternet. "" for HopNone.
	Identity string `json:"identity,omitempty"`
	// RequireTLS: the hop must use STARTTLS; a server that does not offer it is a temporary
	// failure, never a plaintext delivery. True for HopTenant (Exchange Online offers TLS, and
	// the tenant's connector can only recognise the gateway's certificate over TLS); false for
	// HopInternet (opportunistic TLS, RFC 7435).
	RequireTLS bool `json:"requireTLS,omitempty"`
	// VerifyNames are the host names the server's certificate must match (tlsid.VerifyPeer, any
	// one suffices). HopTenant: [Host] — Exchange Online's certificate carries
	// *.mail.protection.outlook.com, which matches every tenant host one label below it (a
	// *.mx.microsoft host needs its own name, which Host is). HopInternet: none, the server's
	// certificate is not checked (opportunistic).
	VerifyNames []string `json:"verifyNames,omitempty"`
	// Reply is the SMTP reply for a HopNone hop; zero otherwise.
	Reply tenantgate.Reply `json:"reply,omitzero"`
	// Reasons explain the hop (codes "plan.*") after the reasons of the verdict's recipient action.
	Reasons []tenantgate.Reason `json:"reasons,omitempty"`
}

// ClientHop returns the hop's TLS client settings for tlsid.Identities.ClientConfig: ServerName
// is Host ("" for an MX hop: set each MX host's name before the handshake), Identity and
// VerifyNames are the hop's (a copy). A HopNone hop gives the zero ClientHop.
func (h Hop) ClientHop() tlsid.ClientHop {
	return tlsid.ClientHop{ServerName: h.Host, Identity: h.Identity, VerifyNames: slices.Clone(h.VerifyNames)}
}

// Reason codes of Plan.Next.
const (
	ReasonPlanTenant       = "plan.tenant"
	ReasonPlanInternet     = "plan.internet"
	ReasonPlanRejected     = "plan.rejected"
	ReasonPlanNotInVerdict = "plan.rcpt.not-in-verdict"
	ReasonPlanNotServed    = "plan.tenant.not-served"
	ReasonPlanUndecided    = "plan.rcpt.undecided"
)

// ReplyNoRoute refuses a recipient Next cannot route: one the verdict does not decide, or a
// tenant the plan does not serve (fail closed).
// It is a value, not a constant, because a tenantgate.Reply is a struct: never assign to it.
var ReplyNoRoute = tenantgate.Reply{Code: 554, Enhanced: tenantgate.EnhancedCode{5, 4, 4}, Text: "Unable to route"}

// tenantHop is what a Plan knows about a served tenant.
type tenantHop struct {
	name     string
	host     string
	identity string
}

// Plan is the gateway's routing table: for every served tenant its smart host and identity. A
// Plan is immutable and safe for concurrent use.
type Plan struct {
	d        *tenantgate.Directory
	tenants  map[tenantgate.TenantID]tenantHop
	internet string
	// internetDetail is the detail of ReasonPlanInternet after the recipient's domain.
	internetDetail string
}

// NewPlan builds the routing table of d's gateway. It refuses, all errors at once, a served
// tenant
//   - without a smart host (neither Gateway.SmartHosts nor a derivable domain);
//   - whose enabled inbound connectors name a TLSSenderCertificateName that none of the
//     certificate names of the tenant's identity matches (tlsid.MatchConnectorName, the default
//     wildcard rule), or that has such connectors but no identity: Exchange Online could never
//     recognise the gateway's deliveries by certificate (docs/exchange-online.md#pitfalls,
//     docs/exchange-online.md#enhanced-filtering).
//
// A tenant whose connectors identify the gateway by IP only needs no identity.
func NewPlan(d *tenantgate.Directory) (*Plan, error) {
	p, err := NewPlanUnchecked(d)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// NewPlanUnchecked builds the routing table as NewPlan does, but returns it even when NewPlan
// refuses it, together with NewPlan's error (nil Plan only for a nil Directory). It is for
// simulators and linters that show what a misconfigured gateway would do (a tenant without a
// smart host then gets a Hop with an empty Host); an MTA uses NewPlan.
func NewPlanUnchecked(d *tenantgate.Directory) (*Plan, error) {
	if d == nil {
		return nil, errors.New("route: NewPlan: nil Directory")
	}
	p := &Plan{d: d, tenants: make(map[tenantgate.TenantID]tenantHop)}
	if id := d.InternetIdentity(); id != nil {
		p.internet = id.Name
	}
	p.internetDetail = " with identity " + strconv.Quote(p.internet) + ", opportunistic TLS"
	var errs []error
	for _, t := range d.Tenants() {
		if !d.Serves(t.ID) {
			continue
		}
		th := tenantHop{name: t.Name}
		th.host, _ = TenantSmartHost(d, t.ID)
		if th.host == "" {
			errs = append(errs, fmt.Errorf("route: tenant %s (%s): no smart host: set gateway.smartHosts", t.ID, t.Name))
		}
		id, hasID := d.TenantIdentity(t.ID)
		if hasID {
			th.identity = id.Name
		}
		if err := identityMatches(&t, id); err != nil {
			errs = append(errs, fmt.Errorf("route: tenant %s (%s): %w", t.ID, t.Name, err))
		}
		p.tenants[t.ID] = th
	}
	return p, errors.Join(errs...)
}

// identityMatches checks that id (nil: none) can match one of t's enabled inbound connectors
// that identify their sender by certificate, if t has any.
func identityMatches(t *tenantgate.Tenant, id *tenantgate.Identity) error {
	var want []string
	for i := range t.Inbound {
		c := &t.Inbound[i]
		if !c.IsEnabled() || c.TLSSenderCertificateName == "" {
			continue
		}
		want = append(want, fmt.Sprintf("%s (%s)", c.TLSSenderCertificateName, c.Name))
		if id == nil {
			continue
		}
		for _, n := range id.CertNames {
			if tlsid.MatchConnectorName(c.TLSSenderCertificateName, n, tlsid.WildcardOneLabel) {
				return nil
			}
		}
	}
	switch {
	case len(want) == 0:
		return nil
	case id == nil:
		return fmt.Errorf("inbound connectors expect certificate %v but the gateway has no identity for the tenant", want)
	}
	return fmt.Errorf("identity %q (certificate names %v) matches none of the inbound connector certificate names %v", id.Name, id.CertNames, want)
}

// Next returns the hop for recipient rcpt of a message the gateway's Policy decided (v):
//   - a recipient the verdict rejects gets HopNone with the verdict's reply;
//   - a recipient the verdict sends Inbound, or relays while its domain is an accepted domain of
//     a tenant this gateway serves, goes straight to that tenant: its smart host, its identity,
//     TLS required and the host's name verified;
//   - every other relayed recipient goes to the MX of its domain with the Internet identity and
//     opportunistic TLS — also when that MX is another Office 365 tenant's
//     *.mail.protection.outlook.com host: a tenant's certificate presented there could make
//     Exchange Online attribute the message to the sending tenant
//     (docs/exchange-online.md#pitfalls, docs/exchange-online.md#enhanced-filtering);
//   - a recipient the verdict does not list, or leaves undecided, and an Inbound tenant the plan
//     does not serve, are refused with ReplyNoRoute (fail closed).
//
// rcpt is matched against the verdict's recipients exactly as given; the first match counts.
func (p *Plan) Next(v classify.Verdict, rcpt string) Hop {
	h := Hop{Rcpt: rcpt}
	if dom, err := tenantgate.AddressDomain(rcpt); err == nil {
		h.Domain = dom
	}
	var act *classify.RecipientAction
	for i := range v.Recipients {
		if v.Recipients[i].Rcpt == rcpt {
			act = &v.Recipients[i]
			break
		}
	}
	if act == nil {
		return p.refuse(h, ReasonPlanNotInVerdict, "the verdict does not decide "+clipText(rcpt))
	}
	// Room for the plan's own reason after the verdict's.
	h.Reasons = append(make([]tenantgate.Reason, 0, len(act.Reasons)+1), act.Reasons...)
	switch act.Action {
	case classify.Reject:
		h.Reply = act.Reply
		if h.Reply.IsZero() {
			h.Reply = ReplyNoRoute
		}
		h.Reasons = append(h.Reasons, tenantgate.Reason{Code: ReasonPlanRejected, Detail: "the verdict rejects the recipient"})
		return h
	case classify.Inbound:
		return p.tenant(h, act.Tenant)
	case classify.Relay:
		if h.Domain != "" {
			if t, ok := p.d.OwnerInfo(h.Domain); ok && p.d.Serves(t.ID) {
				return p.tenant(h, t.ID)
			}
		}
		h.Kind = HopInternet
		h.Identity = p.internet
		h.Reasons = append(h.Reasons, tenantgate.Reason{Code: ReasonPlanInternet,
			Detail: "to the MX of " + string(h.Domain) + p.internetDetail})
		return h
	}
	return p.refuse(h, ReasonPlanUndecided, fmt.Sprintf("the verdict's action %q routes nowhere", act.Action))
}

func (p *Plan) tenant(h Hop, id tenantgate.TenantID) Hop {
	th, ok := p.tenants[id]
	if !ok {
		return p.refuse(h, ReasonPlanNotServed, fmt.Sprintf("tenant %s is not served by the gateway", id))
	}
	h.Kind, h.Tenant, h.Host, h.Identity, h.RequireTLS = HopTenant, id, th.host, th.identity, true
	h.VerifyNames = []string{th.host}
	ident := th.identity
	if ident == "" {
		ident = "none"
	}
	h.Reasons = append(h.Reasons, tenantgate.Reason{Code: ReasonPlanTenant,
		Detail: "into tenant " + th.name + " at " + th.host + " with identity " + ident + ", TLS required"})
	return h
}

func (p *Plan) refuse(h Hop, code, detail string) Hop {
	h.Kind, h.Reply = HopNone, ReplyNoRoute
	h.Reasons = append(h.Reasons, tenantgate.Reason{Code: code, Detail: detail})
	return h
}
