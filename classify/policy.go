package classify

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// Origin says where a message comes from, as far as the gateway can prove it.
type Origin string

// Origins. The zero value "" means no verdict was made.
const (
	// OwnTenant: the peer is verified Exchange Online and all tenant evidence agrees on a tenant
	// the gateway serves (docs/threat-model.md#rule-1–2).
	OwnTenant Origin = "own-tenant"
	// OtherTenant: the peer is verified Exchange Online, but the evidence names a tenant the
	// gateway does not serve, or is absent, malformed or conflicting (threats 1, 8, 12 of
	// docs/threat-model.md).
	OtherTenant Origin = "other-tenant"
	// Internet: the peer is not verified Exchange Online; Microsoft headers mean nothing
	// (docs/threat-model.md#threat-3, docs/exchange-online.md#scenario-38).
	Internet Origin = "internet"
)

// Kind says what sort of tenant mail a message is, from X-MS-Exchange-CrossTenant-FromEntityHeader,
// -AuthAs and the DIR of X-Forefront-Antispam-Report
// (docs/exchange-online.md#classifying-mail-from-exchange-online).
type Kind string

// Kinds. The zero value "" means unknown: the headers were absent or contradicted each other, and
// the message may not relay under any policy.
const (
	// Mailbox: a cloud mailbox sent it (FromEntityHeader Hosted, AuthAs Internal or absent).
	Mailbox Kind = "mailbox"
	// OnPremises: the tenant's on-premises servers relayed it through an OnPremises connector
	// (FromEntityHeader HybridOnPrem, whatever AuthAs says).
	OnPremises Kind = "on-premises"
	// Relayed: anonymous mail the tenant passed on — forwards, InternalRelay domains, Direct Send
	// (FromEntityHeader Internet, AuthAs Anonymous without HybridOnPrem, or DIR:INB).
	Relayed Kind = "relayed"
)

// Action is what the gateway does with one recipient.
type Action string

// Actions.
const (
	// Inbound: deliver into the served tenant that owns the recipient's domain.
	Inbound Action = "inbound"
	// Relay: send to the Internet on behalf of the own tenant.
	Relay Action = "relay"
	// Reject: refuse the recipient with the SMTP reply given.
	Reject Action = "reject"
	// Defer: (Recipient only) accept the RCPT for now; Decide decides once the header is read.
	Defer Action = "defer"
)

// Defaults of the options.
const (
	// DefaultMaxHops is how many times one message may pass the gateway: the hop counter in the
	// gateway's verdict header may reach it, one more pass is a loop. Internet → gateway → tenant
	// A → forward to tenant B → gateway → B → forward to the Internet → gateway is 3 legitimate
	// passes; Exchange Online itself gives up after 20 hops (5.4.14).
	DefaultMaxHops = 5
	// DefaultVerdictHeader is the name of the verdict header: an RFC 8601 Authentication-Results
	// field with the gateway's authserv-id.
	DefaultVerdictHeader = "Authentication-Results"
)

// Session is what the gateway knows about the SMTP client for the whole connection: the only state
// that carries over from one transaction to the next (docs/threat-model.md#threat-16). HELO is
// recorded for the caller's logs and never used as evidence (docs/threat-model.md#threat-27).
type Session struct {
	RemoteAddr netip.Addr
	HELO       string
	TLS        tlsid.Evidence
}

// Policy is the gateway's view of a transaction, stage by stage: Peer at connect or after
// STARTTLS, Recipient at RCPT, Decide after the header block. A Policy is immutable and safe for
// concurrent use; it keeps no state between calls.
type Policy struct {
	d          *tenantgate.Directory
	relayKinds map[Kind]bool
	o          options
	// certNames are the EXO certificate names, lower case, without a trailing dot.
	certNames []string
	networks  []netip.Prefix
	// dkimTenants maps a served tenant's DKIM signing domain to the served tenants that list it.
	dkimTenants map[tenantgate.Domain][]tenantgate.TenantID
	// tenants are the options of the tenants PolicyConfig.Tenants lists.
	tenants map[tenantgate.TenantID]tenantOptions
	// servID is o.authServID in the form headers.AuthServID compares authserv-ids in.
	servID string
}

// options are a PolicyConfig with its defaults filled in and its values checked.
type options struct {
	relayKinds      []Kind
	dkimFallback    bool
	dkimRequired    bool
	rejectDuplicate bool
	acceptObsolete  bool
	eopEvidence     bool
	maxHops         int
	header          string
	authServID      string
	maxTenantFields int
}

const maxHopValue = headers.MaxVerdictHop

// NewPolicy builds the gateway's policy over a compiled Directory. The Directory says which
// tenants are served (Gateway.Serves: empty means nobody is ours, docs/threat-model.md#threat-33), how
// Exchange Online is recognised (Gateway.ExchangeOnline) and each tenant's accepted and DKIM signing
// domains. c changes the defaults (the zero PolicyConfig keeps them all); a value out of range
// makes NewPolicy fail with an error naming it.
func NewPolicy(d *tenantgate.Directory, c PolicyConfig) (*Policy, error) {
	if d == nil {
		return nil, errors.New("classify: NewPolicy: nil Directory")
	}
	g := d.Gateway()
	o, err := c.options(g)
	if err != nil {
		return nil, err
	}
	servID, err := headers.AuthServID(o.authServID)
	if err != nil || servID == "" {
		return nil, fmt.Errorf("classify: authserv-id %q: not an RFC 8601 authserv-id", clip(o.authServID))
	}
	p := &Policy{
		servID:      servID,
		d:           d,
		o:           o,
		relayKinds:  make(map[Kind]bool, len(o.relayKinds)),
		networks:    g.ExchangeOnline.Networks,
		dkimTenants: make(map[tenantgate.Domain][]tenantgate.TenantID),
	}
	for _, k := range o.relayKinds {
		p.relayKinds[k] = true
	}
	if p.tenants, err = c.tenantOptions(d, o); err != nil {
		return nil, err
	}
	for _, n := range g.ExchangeOnline.CertNames {
		p.certNames = append(p.certNames, strings.ToLower(strings.TrimSuffix(n, ".")))
	}
	for _, id := range g.Serves {
		t, ok := d.Tenant(id)
		if !ok {
			continue
		}
		for _, dom := range t.DKIMSigningDomains {
			p.dkimTenants[dom] = append(p.dkimTenants[dom], id)
		}
	}
	return p, nil
}

// clip shortens hostile input before it goes into an error message or a reason.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
