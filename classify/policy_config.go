package classify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
)

// PolicyConfig are the options of NewPolicy. The zero value (and, in JSON, every absent field)
// keeps the default named on each field. Its JSON form is the relay's and the milter's "policy"
// section and a scenario file's "policy" object, so an option is spelled the same everywhere.
type PolicyConfig struct {
	// RelayKinds says which kinds of own-tenant mail may relay to the Internet
	// (docs/threat-model.md#rule-3). nil: Mailbox and OnPremises. Relayed (forwards, Direct Send
	// into the tenant — docs/threat-model.md#threat-31) relays only when listed. An empty, non-nil
	// list (JSON []) means nothing relays.
	RelayKinds []Kind `json:"relayKinds,omitempty"`
	// DKIMFallback lets a DKIM pass the caller supplies (Transaction.DKIM) stand in for an absent
	// X-MS-Exchange-CrossTenant-Id (docs/threat-model.md#threat-12: Microsoft has not set it reliably since
	// September 2022). Only a pass for a DKIMSigningDomain of exactly one served tenant counts
	// (docs/threat-model.md#threat-17). A malformed or conflicting header is never replaced by DKIM.
	DKIMFallback bool `json:"dkimFallback,omitempty"`
	// DKIMRequired makes a DKIM pass for one of the tenant's DKIMSigningDomains a second factor:
	// the tenant named by the header is ours only if such a pass is also supplied.
	DKIMRequired bool `json:"dkimRequired,omitempty"`
	// RejectDuplicateTenantID makes two or more X-MS-Exchange-CrossTenant-Id fields with the same
	// value fail, as conflicting ones always do. Default: identical copies are accepted
	// (docs/threat-model.md#rule-2: "all are equal") and reported as tenant.crosstenant.duplicate
	// (docs/threat-model.md#threat-9).
	RejectDuplicateTenantID bool `json:"rejectDuplicateTenantID,omitempty"`
	// AcceptObsoleteFieldSyntax lets a tenant field written with white space before the colon
	// ("X-MS-Exchange-CrossTenant-Id : …", RFC 5322 §4.5 obsolete syntax) count as evidence.
	// Default: Exchange Online never writes it, so such a field is malformed evidence and the
	// message is not ours (docs/threat-model.md#threat-10). Either way it is reported as
	// tenant.crosstenant.obsolete-syntax.
	AcceptObsoleteFieldSyntax bool `json:"acceptObsoleteFieldSyntax,omitempty"`
	// EOPTenantAttributedEvidence makes X-EOPTenantAttributedMessage ("<GUID>:<n>", stamped when
	// EOP attributes inbound mail to a tenant) tenant evidence too: each copy must parse and agree
	// with the CrossTenant-Id fields. Default: the field is about inbound attribution
	// (exchange-online.md §6.2) and is ignored.
	EOPTenantAttributedEvidence bool `json:"eopTenantAttributedEvidence,omitempty"`
	// MaxHops is how many passes through the gateway a message may make; the pass after the limit
	// is refused as a loop (docs/threat-model.md#threat-32). 0: DefaultMaxHops; otherwise 1–999.
	MaxHops int `json:"maxHops,omitempty"`
	// MaxTenantFields bounds the number of tenant evidence fields; a message with more is treated
	// as carrying malformed evidence. 0: headers.DefaultMaxTenantFields; otherwise at least 1.
	MaxTenantFields int `json:"maxTenantFields,omitempty"`
	// VerdictHeader is the name of the verdict header ("": DefaultVerdictHeader). With a name
	// other than Authentication-Results every incoming field of that name is removed; with
	// Authentication-Results only those carrying the policy's authserv-id (RFC 8601 §5).
	VerdictHeader string `json:"verdictHeader,omitempty"`
	// AuthServID is the authserv-id of the verdict header ("": the gateway's authServID, else its
	// name). It must be an RFC 2045 token, such as a host name: the policy writes it as a token,
	// and recognises incoming copies in every spelling RFC 8601 §2.2 allows (headers.AuthServID).
	AuthServID string `json:"authServID,omitempty"`
	// Tenants changes DKIMRequired and RelayKinds for single served tenants (TenantPolicy).
	// Absent: every tenant has the options above.
	Tenants []TenantPolicy `json:"tenants,omitempty"`
}

// options fills in c's defaults (the authserv-id from g) and checks its values.
func (c PolicyConfig) options(g *tenantgate.Gateway) (options, error) {
	o := options{
		relayKinds:      []Kind{Mailbox, OnPremises},
		dkimFallback:    c.DKIMFallback,
		dkimRequired:    c.DKIMRequired,
		rejectDuplicate: c.RejectDuplicateTenantID,
		acceptObsolete:  c.AcceptObsoleteFieldSyntax,
		eopEvidence:     c.EOPTenantAttributedEvidence,
		maxHops:         DefaultMaxHops,
		header:          DefaultVerdictHeader,
		maxTenantFields: headers.DefaultMaxTenantFields,
		authServID:      c.AuthServID,
	}
	if c.RelayKinds != nil {
		if err := checkRelayKinds(c.RelayKinds); err != nil {
			return o, fmt.Errorf("classify: %w", err)
		}
		o.relayKinds = append([]Kind{}, c.RelayKinds...)
	}
	if c.MaxHops != 0 {
		if c.MaxHops < 1 || c.MaxHops > maxHopValue {
			return o, fmt.Errorf("classify: MaxHops %d out of range 1–%d", c.MaxHops, maxHopValue)
		}
		o.maxHops = c.MaxHops
	}
	if c.MaxTenantFields != 0 {
		if c.MaxTenantFields < 1 {
			return o, fmt.Errorf("classify: MaxTenantFields %d: want at least 1", c.MaxTenantFields)
		}
		o.maxTenantFields = c.MaxTenantFields
	}
	if name := c.VerdictHeader; name != "" {
		if len(name) > 76 {
			return o, fmt.Errorf("classify: verdict header name %q: want 1–76 characters", clip(name))
		}
		for i := 0; i < len(name); i++ {
			if ch := name[i]; ch <= ' ' || ch >= 0x7f || ch == ':' {
				return o, fmt.Errorf("classify: verdict header name %q: character %q not allowed in a field name (RFC 5322 §3.6.8)", clip(name), ch)
			}
		}
		o.header = name
	}
	if o.authServID != "" {
		if err := checkAuthServID(o.authServID); err != nil {
			return o, err
		}
		return o, nil
	}
	if o.authServID = g.AuthServID; o.authServID == "" {
		o.authServID = g.Name
	}
	if o.authServID == "" {
		return o, errors.New("classify: NewPolicy: no authserv-id (set gateway.authServID or gateway.name, or PolicyConfig.AuthServID)")
	}
	if err := checkAuthServID(o.authServID); err != nil {
		return o, fmt.Errorf("%w (from the gateway configuration; set PolicyConfig.AuthServID to use another)", err)
	}
	return o, nil
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
