package tenantgate

// Scope is a transport rule's FromScope or SentToScope.
type Scope string

// Transport rule scopes. The zero value means "any".
const (
	InOrganization    Scope = "InOrganization"
	NotInOrganization Scope = "NotInOrganization"
)

// TransportRule is a mail flow rule that routes: New-TransportRule with
// -RouteMessageOutboundConnector, its sender and recipient scopes, and the header exception the
// add-on-service pattern uses to stop loops. Rules that do not route are out of scope.
type TransportRule struct {
	// Name labels the rule. Required.
	Name string `json:"name"`
	// Enabled is nil or true for an enabled rule (State Enabled).
	Enabled *bool `json:"enabled,omitempty"`
	// FromScope: "" (any sender), InOrganization or NotInOrganization.
	FromScope Scope `json:"fromScope,omitempty"`
	// SentToScope: "" (any recipient), InOrganization or NotInOrganization.
	SentToScope Scope `json:"sentToScope,omitempty"`
	// RouteMessageOutboundConnector names the outbound connector the rule routes to.
	RouteMessageOutboundConnector string `json:"routeMessageOutboundConnector,omitempty"`
	// ExceptIfHeaderContainsMessageHeader and ExceptIfHeaderContainsWords: the rule does not
	// apply when that header contains any of the words (case-insensitive substring).
	ExceptIfHeaderContainsMessageHeader string   `json:"exceptIfHeaderContainsMessageHeader,omitempty"`
	ExceptIfHeaderContainsWords         []string `json:"exceptIfHeaderContainsWords,omitempty"`
}

// IsEnabled reports whether the rule is enabled (Enabled nil or true).
func (r *TransportRule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }
