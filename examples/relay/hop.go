package main

import (
	"slices"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/route"
)

// hop is where one recipient's copy goes and how the relay identifies itself there: route.Plan's
// Hop of kind HopTenant or HopInternet (Host "" means the MX hosts of Domain; ClientHop gives
// the TLS client settings).
type hop struct{ route.Hop }

// key says which transactions may share one next-hop session: the same destination, tenant,
// identity and TLS demands. The tenant is part of it because Exchange Online binds a
// transaction without relay rights to one tenant and defers another tenant's recipient with
// 451 4.4.5 ATTR46 (docs/exchange-online.md#one-tenant-per-transaction), even when two served
// tenants share a smart host and an identity.
func (h hop) key() string {
	dest := h.Host
	if dest == "" {
		dest = "mx:" + string(h.Domain)
	}
	tenant := ""
	if h.Kind == route.HopTenant {
		tenant = h.Tenant.String()
	}
	return dest + "|" + tenant + "|" + h.Identity + "|" + strings.Join(h.VerifyNames, ",")
}

// same reports whether h and o have the same key, without building it (Data compares the hops
// of every message).
func (h hop) same(o hop) bool {
	tenant := h.Kind == route.HopTenant
	return h.Host == o.Host && (h.Host != "" || h.Domain == o.Domain) &&
		tenant == (o.Kind == route.HopTenant) && (!tenant || h.Tenant == o.Tenant) &&
		h.Identity == o.Identity && slices.Equal(h.VerifyNames, o.VerifyNames)
}

// planner chooses the hop of one recipient of a verdict (route.Plan.Next's shape:
// docs/routing.md#the-gateways-next-hop).
type planner interface {
	next(v classify.Verdict, rcpt string) (hop, bool)
}

// plannerFor returns the relay's hop planner: route.Plan, which applies
// docs/routing.md#the-gateways-next-hop's identity rule — a hop to a served tenant presents that
// tenant's identity and requires TLS verified for the tenant's Exchange Online host; every other
// hop presents the Internet identity with opportunistic TLS, even a hop to another tenant's
// *.mail.protection.outlook.com.
func plannerFor(d *tenantgate.Directory) (planner, error) {
	p, err := route.NewPlan(d)
	if err != nil {
		return nil, err
	}
	return routePlan{p}, nil
}

type routePlan struct{ p *route.Plan }

func (r routePlan) next(v classify.Verdict, rcpt string) (hop, bool) {
	h := r.p.Next(v, rcpt)
	if h.Kind != route.HopTenant && h.Kind != route.HopInternet {
		return hop{}, false
	}
	return hop{h}, true
}

// provisional is the verdict a recipient would get if the message turns out as the RCPT stage
// expects: Inbound as decided, a deferred recipient relayed. The relay opens the next-hop session
// for it at RCPT, and checks at end of data that the real verdict chooses the same hop.
func provisional(rv classify.RecipientVerdict) classify.Verdict {
	a := classify.RecipientAction{Rcpt: rv.Rcpt, Action: rv.Action, Tenant: rv.Tenant}
	if rv.Action == classify.Defer {
		a.Action = classify.Relay
	}
	return classify.Verdict{Recipients: []classify.RecipientAction{a}}
}
