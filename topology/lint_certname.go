package topology

import (
	"fmt"

	"github.com/tenantgate/tenantgate"
)

// FindingCertNameNotAccepted: an enabled OnPremises inbound connector names a non-wildcard
// TlsSenderCertificateName that no accepted domain of its tenant covers, neither the name nor its
// parent (docs/exchange-online.md#certificate-domain). Under the June 2025 reading
// (classify.AttributeOptions default) Exchange Online refuses such connections with 5.7.51
// (error); under KB 4019940's reading (CertificateNameMailFromFallback) only mail whose MAIL
// FROM is an accepted domain relays, and NDRs and forwards get 5.7.64 ATTR36 (warning). An
// addition to the codes of testdata/scenarios/README.md.
const FindingCertNameNotAccepted = "cert-name-not-accepted"

// certNameNotAccepted reports t's OnPremises connectors whose certificate name is not an
// accepted domain, under either reading (issue 15 item 2's sources:
// https://techcommunity.microsoft.com/blog/exchange/tls-certificates-in-exchange-hybrid---common-issues--how-to-fix-them/4420592
// and https://learn.microsoft.com/troubleshoot/exchange/hybrid-configuration-wizard-errors/relay-access-denied-attr36-ndr).
func (l *linter) certNameNotAccepted(t *tenantgate.Tenant) {
	for _, ref := range l.d.Inbound(t.ID) {
		c := ref.Connector
		p := c.TLSSenderCertificateName
		if !c.IsEnabled() || c.Type() != tenantgate.ConnectorOnPremises || p == "" || p.IsWildcard() {
			continue
		}
		name := tenantgate.Domain(p)
		parent := name.Parent()
		if l.d.Accepts(t.ID, name) || l.d.Accepts(t.ID, parent) {
			continue
		}
		f := Finding{Code: FindingCertNameNotAccepted, Severity: SeverityError, Tenant: t.ID,
			Objects: []string{"inbound connector " + c.Name},
			Summary: fmt.Sprintf("OnPremises connector %s expects certificate name %s, which is not an accepted domain of %s, nor is its parent %s", c.Name, name, t.Name, parent),
			Detail: "Exchange Online takes the certificate name, or its parent, as the certificate domain and tests it against the accepted domains. " +
				"Since June 2025 a connection whose certificate matches such a connector fails with 550 5.7.51 " +
				"(https://techcommunity.microsoft.com/blog/exchange/tls-certificates-in-exchange-hybrid---common-issues--how-to-fix-them/4420592).",
			Fix:        fmt.Sprintf("Add %s as an accepted domain (the parent of the host name suffices; a domain is added and verified in the Microsoft 365 admin center or with Microsoft Graph PowerShell), or set the connector's TlsSenderCertificateName to a wildcard of an accepted domain the certificate's name lies under.", parent),
			PowerShell: "New-MgDomain -Id " + psName(string(parent))}
		if l.sim.o.Exchange.CertificateNameMailFromFallback {
			f.Severity = SeverityWarning
			f.Detail = "Exchange Online takes the certificate name, or its parent, as the certificate domain and tests it against the accepted domains. " +
				"Under the older reading (KB 4019940) mail relays only when its MAIL FROM domain is accepted: NDRs, forwards and applications sending as other domains get 550 5.7.64 ATTR36 " +
				"(https://learn.microsoft.com/troubleshoot/exchange/hybrid-configuration-wizard-errors/relay-access-denied-attr36-ndr); " +
				"the June 2025 reading refuses every connection with 5.7.51."
		}
		// A wildcard of an accepted ancestor makes that ancestor the certificate domain.
		for a := parent.Parent(); a != ""; a = a.Parent() {
			if l.d.Accepts(t.ID, a) {
				f.PowerShell = "Set-InboundConnector -Identity " + psName(c.Name) + " -TlsSenderCertificateName " + psName("*."+string(a))
				break
			}
		}
		l.add(f)
	}
}
