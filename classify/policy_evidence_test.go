package classify

import "github.com/tenantgate/tenantgate/headers"

// isTrustField is headers.IsTrustField, for the tests that check what the policy removes.
func isTrustField(name string) bool { return headers.IsTrustField(name) }
