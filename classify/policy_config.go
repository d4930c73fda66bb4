package classify

// PolicyConfig is the JSON form of the Policy options, for configuration files: the relay's and
// the milter's "policy" section and a scenario file's "policy" object all use it, so an option is
// spelled the same everywhere. The zero value (and every absent field) keeps the default.
type PolicyConfig struct {
	// RelayKinds: RelayKinds (nil: mailbox and on-premises).
	RelayKinds []Kind `json:"relayKinds,omitempty"`
	// DKIMFallback: DKIMFallback.
	DKIMFallback bool `json:"dkimFallback,omitempty"`
	// DKIMRequired: DKIMRequired.
	DKIMRequired bool `json:"dkimRequired,omitempty"`
	// RejectDuplicateTenantID: RejectDuplicateTenantID.
	RejectDuplicateTenantID bool `json:"rejectDuplicateTenantID,omitempty"`
	// AcceptObsoleteFieldSyntax: AcceptObsoleteFieldSyntax.
	AcceptObsoleteFieldSyntax bool `json:"acceptObsoleteFieldSyntax,omitempty"`
	// EOPTenantAttributedEvidence: EOPTenantAttributedEvidence.
	EOPTenantAttributedEvidence bool `json:"eopTenantAttributedEvidence,omitempty"`
	// MaxHops: MaxHops (0: DefaultMaxHops).
	MaxHops int `json:"maxHops,omitempty"`
	// MaxTenantFields: MaxTenantFields (0: DefaultMaxTenantFields).
	MaxTenantFields int `json:"maxTenantFields,omitempty"`
	// VerdictHeader: VerdictHeader ("": DefaultVerdictHeader).
	VerdictHeader string `json:"verdictHeader,omitempty"`
	// AuthServID: AuthServID ("": the gateway's authServID).
	AuthServID string `json:"authServID,omitempty"`
}

// Options returns the options c sets, for NewPolicy. Values are checked there: an unknown relay
// kind or an out-of-range hop limit makes NewPolicy fail with an error naming it.
func (c PolicyConfig) Options() []Option {
	var o []Option
	if c.RelayKinds != nil {
		o = append(o, RelayKinds(c.RelayKinds...))
	}
	for _, f := range []struct {
		on  bool
		opt func(bool) Option
	}{
		{c.DKIMFallback, DKIMFallback},
		{c.DKIMRequired, DKIMRequired},
		{c.RejectDuplicateTenantID, RejectDuplicateTenantID},
		{c.AcceptObsoleteFieldSyntax, AcceptObsoleteFieldSyntax},
		{c.EOPTenantAttributedEvidence, EOPTenantAttributedEvidence},
	} {
		if f.on {
			o = append(o, f.opt(true))
		}
	}
	if c.MaxHops != 0 {
		o = append(o, MaxHops(c.MaxHops))
	}
	if c.MaxTenantFields != 0 {
		o = append(o, MaxTenantFields(c.MaxTenantFields))
	}
	if c.VerdictHeader != "" {
		o = append(o, VerdictHeader(c.VerdictHeader))
	}
	if c.AuthServID != "" {
		o = append(o, AuthServID(c.AuthServID))
	}
	return o
}
