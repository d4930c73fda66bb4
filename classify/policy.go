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
	// Defer: (Recipient only) accept the RCPT for now; Message decides once the header is read.
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
	// DefaultMaxTenantFields bounds the X-MS-Exchange-CrossTenant-Id (and, if used,
	// X-EOPTenantAttributedMessage) fields one message may carry; more is treated as malformed
	// evidence (docs/threat-model.md#threat-29).
	DefaultMaxTenantFields = 16
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
// STARTTLS, Recipient at RCPT, Message after the header block. A Policy is immutable and safe for
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
	// servID is o.authServID in the form headers.AuthServID compares authserv-ids in.
	servID string
}

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

// Option changes a Policy default. Options are validated by NewPolicy.
type Option func(*options) error

// RelayKinds sets which kinds of own-tenant mail may relay to the Internet
// (docs/threat-model.md#rule-3). Default: Mailbox and OnPremises. Relayed (forwards, Direct Send
// into the tenant — docs/threat-model.md#threat-31) relays only when listed here. No kinds: nothing
// relays.
func RelayKinds(kinds ...Kind) Option {
	return func(o *options) error {
		for _, k := range kinds {
			switch k {
			case Mailbox, OnPremises, Relayed:
			default:
				return fmt.Errorf("classify: unknown relay kind %q (want mailbox, on-premises or relayed)", clip(string(k)))
			}
		}
		o.relayKinds = append([]Kind{}, kinds...)
		return nil
	}
}

// DKIMFallback lets a DKIM pass the caller supplies (MessageWithDKIM) stand in for an absent
// X-MS-Exchange-CrossTenant-Id (docs/threat-model.md#threat-12: Microsoft has not set it reliably
// since September 2022). Only a pass for a DKIMSigningDomain of exactly one served tenant counts
// (docs/threat-model.md#threat-17). A malformed or conflicting header is never replaced by DKIM.
// Default off.
func DKIMFallback(on bool) Option {
	return func(o *options) error { o.dkimFallback = on; return nil }
}

// DKIMRequired makes a DKIM pass for one of the tenant's DKIMSigningDomains a second factor: the
// tenant named by the header is ours only if such a pass is also supplied. Default off.
func DKIMRequired(on bool) Option {
	return func(o *options) error { o.dkimRequired = on; return nil }
}

// RejectDuplicateTenantID makes two or more X-MS-Exchange-CrossTenant-Id fields with the same
// value fail, as conflicting ones always do. Default off: identical copies are accepted
// (docs/threat-model.md#rule-2: "all are equal") and reported as tenant.crosstenant.duplicate
// (docs/threat-model.md#threat-9).
func RejectDuplicateTenantID(on bool) Option {
	return func(o *options) error { o.rejectDuplicate = on; return nil }
}

// AcceptObsoleteFieldSyntax lets a tenant field written with white space before the colon
// ("X-MS-Exchange-CrossTenant-Id : …", RFC 5322 §4.5 obsolete syntax) count as evidence. Default
// off: Exchange Online never writes it, so such a field is malformed evidence and the message is
// not ours (docs/threat-model.md#threat-10). Either way it is reported as
// tenant.crosstenant.obsolete-syntax.
func AcceptObsoleteFieldSyntax(on bool) Option {
	return func(o *options) error { o.acceptObsolete = on; return nil }
}

// EOPTenantAttributedEvidence makes X-EOPTenantAttributedMessage ("<GUID>:<n>", stamped when EOP
// attributes inbound mail to a tenant) tenant evidence too: each copy must parse and agree with
// the CrossTenant-Id fields. Default off: the field is about inbound attribution
// (docs/exchange-online.md#header-firewall) and is ignored.
func EOPTenantAttributedEvidence(on bool) Option {
	return func(o *options) error { o.eopEvidence = on; return nil }
}

// MaxHops sets how many passes through the gateway a message may make (DefaultMaxHops); the pass
// after the limit is refused as a loop (docs/threat-model.md#threat-32). n must be 1–999.
func MaxHops(n int) Option {
	return func(o *options) error {
		if n < 1 || n > maxHopValue {
			return fmt.Errorf("classify: MaxHops %d out of range 1–%d", n, maxHopValue)
		}
		o.maxHops = n
		return nil
	}
}

// VerdictHeader sets the name of the verdict header (DefaultVerdictHeader). With a name other than
// Authentication-Results every incoming field of that name is removed; with
// Authentication-Results only those carrying the policy's authserv-id (RFC 8601 §5).
func VerdictHeader(name string) Option {
	return func(o *options) error {
		if name == "" || len(name) > 76 {
			return fmt.Errorf("classify: verdict header name %q: want 1–76 characters", clip(name))
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
				return fmt.Errorf("classify: verdict header name %q: character %q not allowed in a field name (RFC 5322 §3.6.8)", clip(name), c)
			}
		}
		o.header = name
		return nil
	}
}

// AuthServID sets the authserv-id of the verdict header. Default: the gateway's authServID, else
// its name. It must be an RFC 2045 token, such as a host name: the policy writes it as a token,
// and recognises incoming copies in every spelling RFC 8601 §2.2 allows (headers.AuthServID).
func AuthServID(id string) Option {
	return func(o *options) error {
		if err := checkAuthServID(id); err != nil {
			return err
		}
		o.authServID = id
		return nil
	}
}

func checkAuthServID(id string) error {
	if id == "" || len(id) > 255 {
		return fmt.Errorf("classify: authserv-id %q: want 1–255 characters", clip(id))
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return fmt.Errorf("classify: authserv-id %q: character %q is not allowed in an RFC 2045 token", clip(id), c)
		}
	}
	return nil
}

// MaxTenantFields bounds the number of tenant evidence fields (DefaultMaxTenantFields); a message
// with more is treated as carrying malformed evidence. n must be at least 1.
func MaxTenantFields(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("classify: MaxTenantFields %d: want at least 1", n)
		}
		o.maxTenantFields = n
		return nil
	}
}

const maxHopValue = headers.MaxVerdictHop

// NewPolicy builds the gateway's policy over a compiled Directory. The Directory says which
// tenants are served (Gateway.Serves: empty means nobody is ours, docs/threat-model.md#threat-33),
// how Exchange Online is recognised (Gateway.ExchangeOnline) and each tenant's accepted and DKIM
// signing domains.
func NewPolicy(d *tenantgate.Directory, opts ...Option) (*Policy, error) {
	if d == nil {
		return nil, errors.New("classify: NewPolicy: nil Directory")
	}
	g := d.Gateway()
	o := options{
		relayKinds:      []Kind{Mailbox, OnPremises},
		maxHops:         DefaultMaxHops,
		header:          DefaultVerdictHeader,
		maxTenantFields: DefaultMaxTenantFields,
	}
	if o.authServID = g.AuthServID; o.authServID == "" {
		o.authServID = g.Name
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.authServID == "" {
		return nil, errors.New("classify: NewPolicy: no authserv-id (set gateway.authServID or gateway.name, or use AuthServID)")
	}
	if err := checkAuthServID(o.authServID); err != nil {
		return nil, fmt.Errorf("%w (from the gateway configuration; use AuthServID to set another)", err)
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
