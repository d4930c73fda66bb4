package headers

import "time"

// Hop is one Received field in chronological order, as Microsoft's Message Header Analyzer
// shows it (docs/headers.md#hop-delays).
type Hop struct {
	// Number counts from 1 for the oldest (bottom-most) Received field.
	Number int `json:"number"`
	// Index is the field's position in the header block.
	Index int       `json:"index"`
	From  string    `json:"from,omitempty"`
	By    string    `json:"by,omitempty"`
	With  string    `json:"with,omitempty"`
	Date  time.Time `json:"date,omitzero"`
	// Delay is Date minus the date of the nearest older hop that has one; HasDelay is false for
	// the first dated hop and for hops without a date. A negative delay (clock skew) is kept.
	Delay    time.Duration `json:"delay,omitempty"`
	HasDelay bool          `json:"hasDelay,omitempty"`
	// Percent is this hop's share of the sum of positive delays (0 when the delay is not
	// positive), as MHA computes it.
	Percent float64 `json:"percent,omitempty"`
}

// Hops is the Received chain oldest first with delays.
type Hops struct {
	List []Hop `json:"list,omitempty"`
	// Total is the newest dated hop minus the oldest dated hop; it may be negative.
	Total time.Duration `json:"total,omitempty"`
}

// ComputeHops orders the Received fields (top-most first, as in the block) oldest first and
// computes each hop's delay the way MHA's computeDeltas does: hops without a parsable date are
// listed but skipped, and do not reset the "last" date.
func ComputeHops(received []Received) Hops {
	var h Hops
	if len(received) == 0 {
		return h
	}
	h.List = make([]Hop, 0, len(received))
	var last, first time.Time
	var sum time.Duration
	for i := len(received) - 1; i >= 0; i-- {
		r := &received[i]
		h.List = h.List[:len(h.List)+1] // room for every hop; filled in place
		hop := &h.List[len(h.List)-1]
		hop.Number, hop.Index, hop.From, hop.By, hop.With, hop.Date = len(h.List), r.Index, r.From, r.By, r.With, r.Date
		if !r.Date.IsZero() {
			if !last.IsZero() {
				hop.Delay = r.Date.Sub(last)
				hop.HasDelay = true
				if hop.Delay > 0 {
					sum += hop.Delay
				}
			} else {
				first = r.Date
			}
			last = r.Date
		}
	}
	if !first.IsZero() {
		h.Total = last.Sub(first)
	}
	if sum > 0 {
		for i := range h.List {
			if h.List[i].HasDelay && h.List[i].Delay > 0 {
				h.List[i].Percent = float64(h.List[i].Delay) / float64(sum) * 100
			}
		}
	}
	return h
}
