package tenantgate

// Reason is one step of a decision: a stable dotted Code that tests and scripts compare (such as
// "peer.exo.cert-mismatch" or "attr.onprem.relay-denied") and a Detail for humans that may change.
// Every decision tenantgate makes returns its Reasons in the order they were established. Each
// package declares the codes it emits as documented constants: classify.Reason…, route.Reason…
// and headers.Problem… (the Codes of headers.Problem.Reason).
type Reason struct {
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

func (r Reason) String() string {
	if r.Detail == "" {
		return r.Code
	}
	return r.Code + ": " + r.Detail
}
