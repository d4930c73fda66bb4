package topology

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// Finding codes of the configuration checks that need the gateway: what ORCA cannot see because
// it never reads outbound connectors, nor compares connectors with the gateway that sends
// through them (not covered by ORCA, https://github.com/cammurray/orca). Additions to the
// codes of testdata/scenarios/README.md; Finding.ORCA is empty for them.
const (
	// FindingOutboundTLS (warning): an enabled outbound connector sends to the gateway with
	// opportunistic TLS or EncryptionOnly, so Exchange Online hands the tenant's mail to whoever
	// answers for the gateway's name.
	FindingOutboundTLS = "outbound-tls"
	// FindingInboundRequireTLS (warning): the inbound connector that identifies the gateway does
	// not require TLS.
	FindingInboundRequireTLS = "inbound-require-tls"
	// FindingInboundUnrestricted (warning): the inbound connector that identifies the gateway
	// restricts neither to the gateway's certificate nor to its addresses, so mail for the
	// tenant can be delivered around the gateway.
	FindingInboundUnrestricted = "inbound-unrestricted"
	// FindingInboundCertMismatch (error): a catch-all Partner connector is restricted to a
	// certificate name that none of the names the gateway presents to the tenant matches: the
	// gateway's deliveries are rejected.
	FindingInboundCertMismatch = "inbound-cert-mismatch"
	// FindingInboundIPMismatch: a catch-all Partner connector is restricted to sender IP
	// addresses that leave out some of the gateway's addresses (error: deliveries from them are
	// rejected), or lists entries that hold none of the gateway's addresses (warning: another
	// host passes the lock-down).
	FindingInboundIPMismatch = "inbound-ip-mismatch"
	// FindingTreatAsInternal (error): an inbound connector the gateway's deliveries match has
	// TreatMessagesAsInternal: Internet mail the gateway passes on with a sender of the tenant's
	// own domains becomes internal and skips spam filtering.
	FindingTreatAsInternal = "treat-as-internal"
	// FindingDirectSendUnmatched: no enabled inbound connector of the tenant matches the
	// gateway's deliveries by IP address or certificate. With RejectDirectSend off (warning) the
	// gateway's mail from the tenant's own domains is Direct Send and turning RejectDirectSend on
	// would reject it; with RejectDirectSend on (error) it is rejected now (550 5.7.68).
	FindingDirectSendUnmatched = "direct-send-unmatched"
	// FindingIdentityNoClientAuth: the certificate the gateway presents to the tenant lacks the
	// clientAuth extended key usage (gateway.identities[].clientAuth false), which public CAs
	// stopped issuing in 2026, so Exchange Online matches no connector by it
	// (docs/exchange-online.md#client-certificates-without-clientauth). Error when a connector
	// identifies the gateway by that certificate only, warning otherwise.
	FindingIdentityNoClientAuth = "identity-no-client-auth"
)

// tenantConfig runs the configuration checks of a served tenant t: the ORCA-parity checks (with
// the gateway in front of every domain that has no MX report) and the checks against the
// gateway. The checks that assume the gateway delivers the tenant's Internet mail (lock-down
// restriction, identity mismatch, Direct Send) run only when the MX points at the gateway (the
// simulator's reading: unless every MX report row says Exchange Online). Lint calls it for
// every served tenant, after the flow checks.
func (l *linter) tenantConfig(t *tenantgate.Tenant) {
	gc := l.gatewayCheck(t)
	// Whether the gateway is in front of the tenant's Internet mail (the simulator's reading of
	// the MX): only then must the lock-down connector name the gateway and match its deliveries.
	front := mxAtGateway(t)
	oc := orcaCheck{t: t, thirdParty: servedThirdParty, gw: &gc.view, directSendUnmatched: front && !gc.anyMatch(), emit: l.add}
	oc.run()
	gc.outboundTLS()
	gc.noClientAuth(l.d)
	gc.inboundLockdown(front)
	if front {
		gc.identityMismatch()
	}
	gc.treatAsInternal()
	if front {
		gc.directSend()
	}
	l.certNameNotAccepted(t)
}

// gatewayCheck compares one served tenant's connectors with the gateway.
type gatewayCheck struct {
	t     *tenantgate.Tenant
	view  gatewayView
	names []string // certificate names the gateway presents to the tenant
	// identity is the name of the gateway identity presented to the tenant, "" for none.
	identity string
	rule     tlsid.WildcardRule
	// partnerOnly: only Partner connectors exempt mail from RejectDirectSend
	// (classify.AttributeOptions.DirectSendPartnerOnly).
	partnerOnly bool
	refs        []tenantgate.InboundRef
	emit        func(Finding)
}

func (l *linter) gatewayCheck(t *tenantgate.Tenant) *gatewayCheck {
	g := l.sim.gw
	gc := &gatewayCheck{t: t, view: gatewayView{name: g.Name}, refs: l.d.Inbound(t.ID), emit: l.add,
		partnerOnly: l.sim.o.Exchange.DirectSendPartnerOnly}
	if l.sim.o.Exchange.IgnoreCertificateWildcards {
		gc.rule = tlsid.WildcardNever
	}
	if id, ok := l.d.TenantIdentity(t.ID); ok {
		gc.names, gc.identity = id.CertNames, id.Name
	}
	if len(gc.names) > 0 {
		gc.view.certName = gc.names[0]
	}
	for _, a := range g.Addresses {
		if a = a.Unmap(); a.Is4() {
			gc.view.addrs = append(gc.view.addrs, a)
		}
	}
	return gc
}

// certMatch reports whether a certificate name the gateway presents to the tenant matches the
// connector's TLSSenderCertificateName (tlsid.MatchConnectorName, Exchange Online's semantics).
func (gc *gatewayCheck) certMatch(c *tenantgate.InboundConnector) bool {
	if c.TLSSenderCertificateName == "" {
		return false
	}
	for _, n := range gc.names {
		if tlsid.MatchConnectorName(c.TLSSenderCertificateName, n, gc.rule) {
			return true
		}
	}
	return false
}

// ipMatch returns the gateway addresses inside the connector's SenderIPAddresses and those
// outside.
func (gc *gatewayCheck) ipMatch(ref *tenantgate.InboundRef) (in, out []netip.Addr) {
	for _, a := range gc.view.addrs {
		if senderIPsHold(ref, a) {
			in = append(in, a)
		} else {
			out = append(out, a)
		}
	}
	return in, out
}

// identifies reports whether the connector matches the gateway's deliveries by certificate or by
// one of the gateway's addresses.
func (gc *gatewayCheck) identifies(ref *tenantgate.InboundRef) (byCert, byIP bool) {
	in, _ := gc.ipMatch(ref)
	return gc.certMatch(ref.Connector), len(in) > 0
}

// anyMatch reports whether an enabled connector of the tenant identifies the gateway, the
// exemption from RejectDirectSend (docs/exchange-online.md#reject-direct-send).
func (gc *gatewayCheck) anyMatch() bool {
	for i := range gc.refs {
		ref := &gc.refs[i]
		c := ref.Connector
		if !c.IsEnabled() || (gc.partnerOnly && c.Type() != tenantgate.ConnectorPartner) {
			continue
		}
		if byCert, byIP := gc.identifies(ref); byCert || byIP {
			return true
		}
	}
	return false
}

// gatewayHost reports whether an outbound connector's smart host is the gateway: its name, one of
// its addresses, or a CIDR holding one.
func (gc *gatewayCheck) gatewayHost(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if h == "" {
		return false
	}
	if gc.view.name != "" && h == strings.TrimSuffix(strings.ToLower(gc.view.name), ".") {
		return true
	}
	if p, err := netip.ParsePrefix(h); err == nil {
		for _, a := range gc.view.addrs {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		for _, g := range gc.view.addrs {
			if g == a.Unmap() {
				return true
			}
		}
	}
	return false
}

// outboundTLS reports enabled outbound connectors to the gateway without certificate validation
// (docs/exchange-online.md#outbound-connectors, TLSSettings): with $null (opportunistic) or
// EncryptionOnly, Exchange Online delivers the tenant's outbound mail to any host that answers for
// the gateway's name or address, certificate or not.
func (gc *gatewayCheck) outboundTLS() {
	for i := range gc.t.Outbound {
		c := &gc.t.Outbound[i]
		if !c.IsEnabled() || c.UsesMX() {
			continue
		}
		toGateway := false
		for _, h := range c.SmartHosts {
			if gc.gatewayHost(h) {
				toGateway = true
				break
			}
		}
		if !toGateway || (c.TLSSettings != tenantgate.TLSOpportunistic && c.TLSSettings != tenantgate.TLSEncryptionOnly) {
			continue
		}
		setting := "not set (opportunistic TLS)"
		if c.TLSSettings == tenantgate.TLSEncryptionOnly {
			setting = "EncryptionOnly"
		}
		f := Finding{Code: FindingOutboundTLS, Severity: SeverityWarning, Tenant: gc.t.ID,
			Objects: []string{"outbound connector " + c.Name},
			Summary: fmt.Sprintf("outbound connector %s sends to the gateway with TlsSettings %s", c.Name, setting),
			Detail:  "Without certificate validation Exchange Online hands the tenant's mail to whatever host answers for the smart host — in clear text when TLS is not offered, or to an impostor after a DNS or routing attack (https://learn.microsoft.com/powershell/module/exchange/new-outboundconnector). DomainValidation checks the chain and that the certificate names TlsDomain.",
			Fix:     "Validate the gateway's certificate and its name.",
		}
		if gc.view.name != "" {
			f.PowerShell = fmt.Sprintf("Set-OutboundConnector -Identity %s -TlsSettings DomainValidation -TlsDomain %s", psName(c.Name), psName(gc.view.name))
		}
		gc.emit(f)
	}
}

// inboundLockdown checks the enabled Partner connectors that identify the gateway: Microsoft's
// third-party scenario 1 (docs/exchange-online.md#third-party-gateways) locks the tenant to the
// gateway with RequireTLS and RestrictDomainsToCertificate or RestrictDomainsToIPAddresses
// (docs/exchange-online.md#third-party-gateways; ORCA does not read these fields). The restriction
// matters only when the gateway is in front of the tenant's Internet mail (front); TLS always.
func (gc *gatewayCheck) inboundLockdown(front bool) {
	for i := range gc.refs {
		ref := &gc.refs[i]
		c := ref.Connector
		if !c.IsEnabled() || c.Type() != tenantgate.ConnectorPartner {
			continue
		}
		byCert, byIP := gc.identifies(ref)
		if !byCert && !byIP {
			continue
		}
		if !c.RequireTLS {
			gc.emit(Finding{Code: FindingInboundRequireTLS, Severity: SeverityWarning, Tenant: gc.t.ID,
				Objects:    []string{"inbound connector " + c.Name},
				Summary:    fmt.Sprintf("inbound connector %s identifies the gateway but does not require TLS", c.Name),
				Detail:     "Mail in the connector's scope may then arrive in clear text; Microsoft's lock-down connector for a third-party service sets RequireTls (https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud).",
				Fix:        "Require TLS on the connector.",
				PowerShell: "Set-InboundConnector -Identity " + psName(c.Name) + " -RequireTls $true"})
		}
		if front && !c.RestrictDomainsToCertificate && !c.RestrictDomainsToIPAddresses && catchAll(c) {
			f := Finding{Code: FindingInboundUnrestricted, Severity: SeverityWarning, Tenant: gc.t.ID,
				Objects: []string{"inbound connector " + c.Name},
				Summary: fmt.Sprintf("inbound connector %s identifies the gateway but restricts neither to its certificate nor to its addresses", c.Name),
				Detail:  "Without RestrictDomainsToCertificate or RestrictDomainsToIPAddresses the connector only recognises the gateway; any other host may still deliver the tenant's Internet mail straight to Exchange Online, around the gateway's filtering (https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud; the flow check " + FindingMXBypass + " shows the effect).",
				Fix:     "Restrict the connector to the gateway."}
			if byCert {
				f.PowerShell = "Set-InboundConnector -Identity " + psName(c.Name) + " -RestrictDomainsToCertificate $true"
			} else {
				f.PowerShell = "Set-InboundConnector -Identity " + psName(c.Name) + " -RestrictDomainsToIPAddresses $true"
			}
			gc.emit(f)
		}
	}
}

// noClientAuth reports a tenant identity whose certificate lacks clientAuth: every enabled
// inbound connector that expects its name loses the gateway, unless the gateway's addresses
// match that connector too.
func (gc *gatewayCheck) noClientAuth(d *tenantgate.Directory) {
	id, ok := d.TenantIdentity(gc.t.ID)
	if !ok || id.ClientAuth == nil || *id.ClientAuth {
		return
	}
	sev, byCertOnly := SeverityWarning, []string{}
	objects := []string{"gateway identity " + id.Name}
	for i := range gc.refs {
		ref := &gc.refs[i]
		if !ref.Connector.IsEnabled() {
			continue
		}
		if byCert, byIP := gc.identifies(ref); byCert && !byIP {
			sev = SeverityError
			byCertOnly = append(byCertOnly, ref.Connector.Name)
			objects = append(objects, "inbound connector "+ref.Connector.Name)
		}
	}
	f := Finding{Code: FindingIdentityNoClientAuth, Severity: sev, Tenant: gc.t.ID, Objects: objects,
		Summary: fmt.Sprintf("the certificate the gateway presents to %s (%s) lacks the clientAuth extended key usage", gc.t.Name, strings.Join(id.CertNames, ", ")),
		Detail: "Public CAs stopped issuing TLS certificates with the Client Authentication EKU in 2026 (https://knowledge.digicert.com/alerts/sunsetting-client-authentication-eku-from-digicert-public-tls-certificates), and such a certificate no longer authenticates to Exchange Online (https://www.nospamproxy.de/de/ende-der-tls-client-authentifizierungszertifikate/): " +
			"no inbound connector matches it by name, so Exchange Online attributes the gateway's deliveries by connecting IP or by recipient.",
		Fix: "Restrict the tenant's gateway connector by the gateway's IP addresses (senderIPAddresses with restrictDomainsToIPAddresses), or present a certificate from a CA that still issues the clientAuth EKU."}
	if len(byCertOnly) > 0 {
		f.Detail += fmt.Sprintf(" Connector %s identifies the gateway by that certificate only: its deliveries are rejected (550 5.7.51) or attributed by recipient.", strings.Join(byCertOnly, ", "))
		if len(gc.view.addrs) > 0 {
			f.PowerShell = fmt.Sprintf("Set-InboundConnector -Identity %s -SenderIPAddresses %s -RestrictDomainsToIPAddresses $true -RestrictDomainsToCertificate $false", psName(byCertOnly[0]), quotedAddrs(gc.view.addrs))
		}
	}
	gc.emit(f)
}

// identityMismatch compares the lock-down connectors — enabled Partner connectors for all sender
// domains with a restriction — with the gateway: when the tenant's MX points at the gateway,
// every Internet message arrives from it, so a restriction to anything else rejects the
// gateway's deliveries (550 5.7.51), and an extra address lets another host through.
func (gc *gatewayCheck) identityMismatch() {
	for i := range gc.refs {
		ref := &gc.refs[i]
		c := ref.Connector
		if !c.IsEnabled() || c.Type() != tenantgate.ConnectorPartner || !catchAll(c) {
			continue
		}
		if c.RestrictDomainsToCertificate && !gc.certMatch(c) {
			f := Finding{Code: FindingInboundCertMismatch, Severity: SeverityError, Tenant: gc.t.ID,
				Objects: []string{"inbound connector " + c.Name, "gateway identity " + orNone(gc.identity)},
				Summary: certSummary(c),
				Fix:     "Make the connector expect the certificate name the gateway presents to this tenant (or give the gateway's identity for the tenant that certificate)."}
			if len(gc.names) == 0 {
				f.Detail = "The gateway presents no certificate to this tenant, so Exchange Online rejects its deliveries of mail in the connector's scope (550 5.7.51 TenantInboundAttribution; https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud)."
			} else {
				f.Detail = fmt.Sprintf("The gateway presents %s to this tenant; none matches, so Exchange Online rejects its deliveries of mail in the connector's scope (550 5.7.51 TenantInboundAttribution; https://learn.microsoft.com/powershell/module/exchange/new-inboundconnector).", strings.Join(gc.names, ", "))
				f.PowerShell = fmt.Sprintf("Set-InboundConnector -Identity %s -TlsSenderCertificateName %s", psName(c.Name), psName(gc.names[0]))
			}
			gc.emit(f)
		}
		if len(gc.view.addrs) == 0 || len(ref.SenderIPs) == 0 {
			continue
		}
		in, out := gc.ipMatch(ref)
		if c.RestrictDomainsToIPAddresses && len(out) > 0 {
			gc.emit(Finding{Code: FindingInboundIPMismatch, Severity: SeverityError, Tenant: gc.t.ID,
				Objects:    []string{"inbound connector " + c.Name, "gateway"},
				Summary:    fmt.Sprintf("inbound connector %s is restricted to sender IP addresses that leave out the gateway's %s", c.Name, psAddrs(out)),
				Detail:     "Exchange Online rejects the gateway's deliveries from the addresses left out (550 5.7.51 TenantInboundAttribution; https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud), so mail fails whenever the gateway sends from them.",
				Fix:        "List every egress address of the gateway on the connector.",
				PowerShell: fmt.Sprintf("Set-InboundConnector -Identity %s -SenderIPAddresses @{Add=%s}", psName(c.Name), quotedAddrs(out))})
		}
		if extra := gc.foreignEntries(ref); len(extra) > 0 && (c.RestrictDomainsToIPAddresses || len(in) > 0) {
			gc.emit(Finding{Code: FindingInboundIPMismatch, Severity: SeverityWarning, Tenant: gc.t.ID,
				Objects:    []string{"inbound connector " + c.Name, "sender IP addresses " + strings.Join(extra, ",")},
				Summary:    fmt.Sprintf("inbound connector %s lets %s deliver as the gateway, which hold none of the gateway's addresses", c.Name, strings.Join(extra, ", ")),
				Detail:     "Every address on a lock-down connector can deliver the tenant's Internet mail straight to Exchange Online, around the gateway; entries that are not the gateway's are holes unless another filtering service legitimately sends from them.",
				Fix:        "Remove the addresses that are not the gateway's.",
				PowerShell: fmt.Sprintf("Set-InboundConnector -Identity %s -SenderIPAddresses @{Remove=%s}", psName(c.Name), quotedStrings(extra))})
		}
	}
}

func certSummary(c *tenantgate.InboundConnector) string {
	if c.TLSSenderCertificateName == "" {
		return fmt.Sprintf("inbound connector %s restricts its senders to a certificate but names none (TlsSenderCertificateName is empty)", c.Name)
	}
	return fmt.Sprintf("inbound connector %s accepts only certificate %s, which the gateway does not present to the tenant", c.Name, c.TLSSenderCertificateName)
}

// senderIPsHold reports whether one of the connector's SenderIPAddresses holds a.
func senderIPsHold(ref *tenantgate.InboundRef, a netip.Addr) bool {
	for _, p := range ref.SenderIPs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// foreignEntries returns the connector's SenderIPAddresses entries (as configured) that hold
// none of the gateway's addresses.
func (gc *gatewayCheck) foreignEntries(ref *tenantgate.InboundRef) []string {
	var out []string
	for _, e := range ref.Connector.SenderIPAddresses {
		p, err := tenantgate.ParseSenderIP(e)
		if err != nil {
			continue
		}
		hit := false
		for _, a := range gc.view.addrs {
			if p.Contains(a) {
				hit = true
				break
			}
		}
		if !hit {
			out = append(out, e)
		}
	}
	return out
}

func quotedAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return quotedStrings(s)
}

func quotedStrings(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = psName(v)
	}
	return strings.Join(q, ",")
}

// treatAsInternal reports enabled connectors that match the gateway and have
// TreatMessagesAsInternal: that setting is for the tenant's own non-Exchange on-premises servers;
// on the path of a third-party gateway, which passes Internet mail on, a spoofed sender of the
// tenant's domains becomes internal and bypasses antispam
// (docs/exchange-online.md#inbound-connectors).
func (gc *gatewayCheck) treatAsInternal() {
	for i := range gc.refs {
		ref := &gc.refs[i]
		c := ref.Connector
		if !c.IsEnabled() || !c.TreatMessagesAsInternal {
			continue
		}
		if byCert, byIP := gc.identifies(ref); !byCert && !byIP {
			continue
		}
		gc.emit(Finding{Code: FindingTreatAsInternal, Severity: SeverityError, Tenant: gc.t.ID,
			Objects:    []string{"inbound connector " + c.Name},
			Summary:    fmt.Sprintf("inbound connector %s treats the gateway's deliveries as internal mail (TreatMessagesAsInternal)", c.Name),
			Detail:     "TreatMessagesAsInternal makes a message internal when its sender's domain is the tenant's, and internal mail skips spam filtering. The gateway passes Internet mail on, so anyone who spoofs the tenant's domains through it is treated as a colleague (https://learn.microsoft.com/powershell/module/exchange/new-inboundconnector).",
			Fix:        "Turn TreatMessagesAsInternal off on every connector the gateway matches.",
			PowerShell: "Set-InboundConnector -Identity " + psName(c.Name) + " -TreatMessagesAsInternal $false"})
	}
}

// directSend reports a tenant none of whose enabled connectors matches the gateway by IP address
// or certificate: the gateway's mail from the tenant's own domains (replies to forwarded mail,
// the tenant's own services sending through the gateway) is then Direct Send, which
// RejectDirectSend rejects with 550 5.7.68 (docs/exchange-online.md#reject-direct-send,
// docs/exchange-online.md#attribution-algorithm step B).
func (gc *gatewayCheck) directSend() {
	if gc.anyMatch() {
		return
	}
	f := Finding{Code: FindingDirectSendUnmatched, Severity: SeverityWarning, Tenant: gc.t.ID,
		Objects:    []string{"tenant " + gc.t.Name, "organization config RejectDirectSend"},
		Summary:    fmt.Sprintf("no inbound connector of %s matches the gateway by IP address or certificate, so its mail from the tenant's own domains counts as Direct Send", gc.t.Name),
		Detail:     "RejectDirectSend is off, so it is accepted today; turning it on (ORCA 249) would reject it with 550 5.7.68. Microsoft's fix is a Partner connector that matches the legitimate sender by IP or certificate.",
		Fix:        "Create a Partner connector that identifies the gateway before turning RejectDirectSend on.",
		PowerShell: (&orcaCheck{gw: &gc.view}).newGatewayConnectorCommand()}
	if gc.t.RejectDirectSend {
		f.Severity = SeverityError
		f.Summary = fmt.Sprintf("no inbound connector of %s matches the gateway by IP address or certificate, and RejectDirectSend rejects the gateway's mail from the tenant's own domains", gc.t.Name)
		f.Detail = "Exchange Online rejects anonymous mail whose MAIL FROM is an accepted domain when no connector matches its IP address or certificate (550 5.7.68 TenantInboundAttribution; Direct Send not allowed)."
		f.Fix = "Create a Partner connector that identifies the gateway."
	}
	gc.emit(f)
}
