package topology

import (
	"strings"

	"github.com/tenantgate/tenantgate"
)

// Names of the canonical flows Lint simulates (Finding.Flow, Flow.Name).
const (
	// FlowInternetToTenant: an Internet sender writes to the tenant through its MX.
	FlowInternetToTenant = "internet-to-tenant"
	// FlowInternetDirect: the same sender connects straight to the tenant's Exchange Online host,
	// around an MX that points at the gateway (docs/threat-model.md#threat-31). Only for tenants
	// whose MX points at the gateway.
	FlowInternetDirect = "internet-to-tenant-direct"
	// FlowTenantToInternet: a mailbox of the tenant writes to an Internet recipient.
	FlowTenantToInternet = "tenant-to-internet"
	// FlowTenantToOffice365: a mailbox of the tenant writes to another Office 365 tenant (the
	// first tenant of the configuration the gateway does not serve, else a tenant outside it
	// whose MX is other-tenant-example.mail.protection.outlook.com).
	FlowTenantToOffice365 = "tenant-to-office365"
	// FlowRelayAttempt: an Internet host asks the gateway to relay to a foreign recipient.
	FlowRelayAttempt = "internet-relay-attempt"
	// FlowOtherTenantRelay: a tenant the gateway does not serve sends to a foreign recipient
	// through verified Exchange Online (EchoSpoofing, threats 1 and 34 of docs/threat-model.md). A
	// gateway check made with classify.Policy alone: Exchange Online would relay whatever the
	// attacker's own connector says.
	FlowOtherTenantRelay = "other-tenant-relay"
	// FlowDirectSendRelay: anonymous Internet mail the tenant passed on (Direct Send into the
	// tenant, then a forward) reaches the gateway for a foreign recipient
	// (docs/threat-model.md#threat-31). A gateway check made with classify.Policy alone.
	FlowDirectSendRelay = "direct-send-relay"
)

// Addresses of the canonical flows (RFC 2606 names).
const (
	relayVictim   = "victim@relay-test.example"
	otherDomain   = "other-tenant.example"
	otherEXOHost  = "other-tenant-example.mail.protection.outlook.com"
	otherMailbox  = "user@" + otherDomain
	otherTenantID = "0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e"
)

// Flow is one canonical flow: a named Injection, for a served tenant or (Tenant zero) for the
// gateway as a whole.
type Flow struct {
	Name      string              `json:"name"`
	Tenant    tenantgate.TenantID `json:"tenant,omitzero"`
	Injection Injection           `json:"injection"`
}

// CanonicalFlows returns the flows Lint simulates, for every served tenant in configuration order
// and then for the gateway: FlowInternetToTenant, FlowInternetDirect (when the tenant's MX points
// at the gateway), FlowTenantToInternet and FlowTenantToOffice365 per tenant, then
// FlowRelayAttempt. The tenant's address is postmaster at its first Authoritative domain; the
// Internet sender is bob@sender.example at 192.0.2.44.
func CanonicalFlows(d *tenantgate.Directory) []Flow {
	var fs []Flow
	if d == nil {
		return nil
	}
	other, otherMX := otherTenantRecipient(d)
	ts := d.Tenants() // a copy: take it once
	for i := range ts {
		t := &ts[i]
		if d.Serves(t.ID) {
			fs = append(fs, tenantFlows(t, other, otherMX)...)
		}
	}
	return append(fs, Flow{Name: FlowRelayAttempt, Injection: Injection{Origin: PartyInternet, Entry: EntryGateway, From: internetSender, To: []string{relayVictim}}})
}

func tenantFlows(t *tenantgate.Tenant, other string, otherMX map[tenantgate.Domain]string) []Flow {
	addr := tenantAddress(t)
	fs := []Flow{{Name: FlowInternetToTenant, Tenant: t.ID, Injection: Injection{Origin: PartyInternet, From: internetSender, To: []string{addr}}}}
	if mxAtGateway(t) {
		fs = append(fs, Flow{Name: FlowInternetDirect, Tenant: t.ID, Injection: Injection{Origin: PartyInternet, Entry: EntryExchange, From: internetSender, To: []string{addr}}})
	}
	return append(fs,
		Flow{Name: FlowTenantToInternet, Tenant: t.ID, Injection: Injection{Origin: PartyMailbox, Tenant: t.ID, From: addr, To: []string{"bob@sender.example"}}},
		Flow{Name: FlowTenantToOffice365, Tenant: t.ID, Injection: Injection{Origin: PartyMailbox, Tenant: t.ID, From: addr, To: []string{other}, MX: otherMX}})
}

// otherTenantRecipient is a recipient in an Office 365 tenant the gateway does not serve: at the
// first custom domain of the first such tenant of the configuration, else at other-tenant.example
// with an MX override making it an Exchange Online domain.
func otherTenantRecipient(d *tenantgate.Directory) (string, map[tenantgate.Domain]string) {
	ts := d.Tenants() // a copy: take it once
	for i := range ts {
		t := &ts[i]
		if d.Serves(t.ID) {
			continue
		}
		for _, ad := range t.AcceptedDomains {
			if !ad.Name.IsSubdomainOf("onmicrosoft.com") && !strings.HasPrefix(string(ad.Name), "*") {
				return "user@" + string(ad.Name), nil
			}
		}
	}
	return otherMailbox, map[tenantgate.Domain]string{otherDomain: otherEXOHost}
}
