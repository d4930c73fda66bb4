package classify

import "github.com/tenantgate/tenantgate"

// reason builds every Reason this package emits. code is one of the Reason* constants
// (attribute_reasons.go, policy_reasons.go), never a literal: TestReasonCodesDeclared checks.
func reason(code, detail string) tenantgate.Reason {
	return tenantgate.Reason{Code: code, Detail: detail}
}

// kindReason is the kind.* code that reports kind k.
func kindReason(k Kind) string {
	switch k {
	case Mailbox:
		return ReasonKindMailbox
	case OnPremises:
		return ReasonKindOnPremises
	case Relayed:
		return ReasonKindRelayed
	}
	return ReasonKindUnknown
}
