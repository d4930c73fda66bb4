package headers

import (
	"net/netip"
	"time"
)

// Received is one Received trace field, parsed tolerantly (RFC 5321 §4.4 and the forms real mail
// uses; spec/headers.md §1.1, §4).
type Received struct {
	// Index is the field's position in the header block, 0 for the top-most field.
	Index int `json:"index"`
	// Raw is the unfolded value.
	Raw string `json:"raw"`
	// From is the name the sender gave (HELO/EHLO) in the from clause.
	From string `json:"from,omitempty"`
	// FromReverse is the reverse DNS name the receiving host recorded in the from clause comment.
	FromReverse string `json:"fromReverse,omitempty"`
	// FromIP is the sending host's address recorded in the from clause (zero if none).
	FromIP netip.Addr `json:"fromIP,omitzero"`
	// By is the receiving host, With the protocol (ESMTPS, …), ID the receiver's queue id, For the
	// recipient the hop recorded.
	By   string `json:"by,omitempty"`
	With string `json:"with,omitempty"`
	ID   string `json:"id,omitempty"`
	For  string `json:"for,omitempty"`
	// TLS holds TLS details recorded in the field (version=TLS1_2 cipher=…), if any.
	TLS string `json:"tls,omitempty"`
	// Date is the time stamp after the last ';' (zero if absent or unparsable).
	Date time.Time `json:"date,omitzero"`
}
