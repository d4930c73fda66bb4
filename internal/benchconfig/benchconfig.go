// Package benchconfig generates the large configurations the Compile and Lint benchmarks and
// internal/cmd/compilebench measure. It is internal: the shape is the benchmarks' business.
package benchconfig

import (
	"net/netip"
	"strconv"

	"github.com/tenantgate/tenantgate"
)

// Gateway is the host name of the generated gateway; every tenant's certificate name is
// "<tenant>.gw.example.net" below it.
const Gateway = "gw.example.net"

// Config returns a gateway serving n tenants, each configured the way a real multi-tenant
// gateway's customers are (the README's "Configuration" section, the demo's fabrikam): three
// accepted domains (one of them <name>.onmicrosoft.com), an inbound Partner connector locked to
// the gateway's certificate for the tenant, an OnPremises connector for the tenant's own domains
// locked to its own server by certificate and IP address, an outbound connector to the gateway
// scoped by a transport rule, and one gateway identity presenting the tenant's certificate name.
// Every tenant is served and rejects direct send. The configuration compiles without errors and
// topology.Lint finds nothing in it (TestConfig).
func Config(n int) tenantgate.Config {
	f := false
	// Values every tenant has in common are shared: Compile copies what it keeps and never
	// changes its input.
	all, gw, yes := []tenantgate.DomainPattern{"*"}, []string{Gateway}, []string{"yes"}
	cfg := tenantgate.Config{Gateway: tenantgate.Gateway{Name: Gateway,
		Addresses:  []netip.Addr{netip.MustParseAddr("198.51.100.25")},
		Serves:     make([]tenantgate.TenantID, 0, n),
		Identities: make([]tenantgate.Identity, 0, n+1),
	}}
	cfg.Tenants = make([]tenantgate.Tenant, n)
	for i := range n {
		var id tenantgate.TenantID
		id[0], id[1], id[2], id[3], id[15] = 0x40, byte(i>>16), byte(i>>8), byte(i), 1
		name := "t" + strconv.Itoa(i)
		cert := name + "." + Gateway
		ip := "11." + strconv.Itoa(int(byte(i>>16))) + "." + strconv.Itoa(int(byte(i>>8))) + "." + strconv.Itoa(int(byte(i)))
		cfg.Tenants[i] = tenantgate.Tenant{
			ID: id, Name: name,
			AcceptedDomains: []tenantgate.AcceptedDomain{
				{Name: tenantgate.Domain(name + ".example"), DomainType: tenantgate.Authoritative},
				{Name: tenantgate.Domain(name + ".onmicrosoft.com")},
				{Name: tenantgate.Domain("mail." + name + ".example")},
			},
			Inbound: []tenantgate.InboundConnector{
				{Name: "from-gateway", ConnectorType: tenantgate.ConnectorPartner, SenderDomains: all,
					TLSSenderCertificateName: tenantgate.DomainPattern(cert), RequireTLS: true, RestrictDomainsToCertificate: true, EFSkipLastIP: true},
				{Name: "onprem", ConnectorType: tenantgate.ConnectorOnPremises, SenderDomains: []tenantgate.DomainPattern{tenantgate.DomainPattern("*." + name + ".example")},
					TLSSenderCertificateName: tenantgate.DomainPattern("mail." + name + ".example"),
					SenderIPAddresses:        []string{ip}, RequireTLS: true, RestrictDomainsToCertificate: true},
			},
			Outbound: []tenantgate.OutboundConnector{
				{Name: "to-gateway", ConnectorType: tenantgate.ConnectorPartner, IsTransportRuleScoped: true,
					SmartHosts: gw, UseMXRecord: &f, TLSSettings: tenantgate.TLSDomainValidation, TLSDomain: Gateway},
			},
			Rules: []tenantgate.TransportRule{
				{Name: "all-external-via-gateway", FromScope: tenantgate.InOrganization, SentToScope: tenantgate.NotInOrganization,
					RouteMessageOutboundConnector:       "to-gateway",
					ExceptIfHeaderContainsMessageHeader: "X-Gateway-Done", ExceptIfHeaderContainsWords: yes},
			},
			DKIMSigningDomains: []tenantgate.Domain{tenantgate.Domain(name + ".example")},
			RejectDirectSend:   true,
		}
		cfg.Gateway.Serves = append(cfg.Gateway.Serves, id)
		cfg.Gateway.Identities = append(cfg.Gateway.Identities, tenantgate.Identity{Name: name, CertNames: []string{cert}, For: id.String()})
	}
	return cfg
}
