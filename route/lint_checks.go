package route

import (
	"fmt"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// enhancedFiltering reports a served tenant whose MX points at the gateway (the default
// topology, unless every MX report row says it points to Exchange Online) while the inbound
// connector the gateway's deliveries arrive on has no Enhanced Filtering: Exchange Online then
// sees the gateway's address as the sender's, and SPF, DMARC and IP reputation judge the gateway
// (spec/exchange-online.md §5; ORCA-233 is the same check).
func (l *linter) enhancedFiltering(t *tenantgate.Tenant) {
	if !mxAtGateway(t) {
		return
	}
	a := classify.Attribute(l.d, gatewayConnection(l.d, t.ID, internetSender, []string{tenantAddress(t)}, true))
	if len(a.Recipients) == 0 || !a.Recipients[0].Accepted {
		return
	}
	r := a.Recipients[0]
	if r.Connector == "" {
		l.add(Finding{
			Code: FindingMissingEnhancedFiltering, Severity: SeverityError, ORCA: "ORCA-233", Tenant: t.ID,
			Objects: []string{"tenant " + t.Name},
			Summary: fmt.Sprintf("Exchange Online matches no inbound connector for the gateway's deliveries to %s, so Enhanced Filtering cannot apply", t.Name),
			Detail:  "The MX of the tenant's domains points at the gateway. Without a connector that identifies the gateway, Exchange Online filters every Internet message as if the gateway had sent it: SPF and DMARC fail and mail is quarantined.",
			Fix:     "Create a Partner inbound connector that identifies the gateway by its certificate (or IP addresses) and turn on Enhanced Filtering (EFSkipLastIP).",
			PowerShell: fmt.Sprintf("New-InboundConnector -Name from-gateway -ConnectorType Partner -SenderDomains * -TlsSenderCertificateName %s -RequireTls $true -RestrictDomainsToCertificate $true -EFSkipLastIP $true",
				psName(identityCertName(l.d, t.ID))),
			Reasons: a.Reasons,
		})
		return
	}
	if len(a.Stamps) > 0 && !a.Stamps[0].EnhancedFiltering.Enabled {
		l.add(Finding{
			Code: FindingMissingEnhancedFiltering, Severity: SeverityError, ORCA: "ORCA-233", Tenant: t.ID,
			Objects:    []string{"inbound connector " + r.Connector},
			Summary:    fmt.Sprintf("inbound connector %s of %s takes the gateway's deliveries without Enhanced Filtering", r.Connector, t.Name),
			Detail:     "The MX of the tenant's domains points at the gateway, so every Internet message arrives from the gateway's address. Without Enhanced Filtering, Exchange Online judges SPF, DMARC and IP reputation against the gateway, not the original sender.",
			Fix:        "Turn on Enhanced Filtering for Connectors on this connector, skipping the gateway's address.",
			PowerShell: fmt.Sprintf("Set-InboundConnector -Identity %s -EFSkipLastIP $true", psName(r.Connector)),
			Reasons:    a.Reasons,
		})
	}
}
