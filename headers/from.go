package headers

import "strings"

// FromField is one From field with its mailboxes (RFC 5322 §3.6.2). A DKIM signer must refuse a
// message with several From fields or several mailboxes (RFC 6376 §5.4, DMARC RFC 7489 §6.6.1);
// FromMailbox applies that rule.
type FromField struct {
	Field
	Mailboxes []Mailbox `json:"mailboxes,omitempty"`
}

// Mailbox is one address of an address field; Name is the RFC 2047-decoded display name (a word
// that could not be decoded is kept as written, with a ProblemEncodedWordUndecodable).
type Mailbox struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// parseFrom files a From field, with a problem when its address list does not parse or is empty.
func (m *Message) parseFrom(fd Field) {
	f := FromField{Field: fd}
	if strings.TrimSpace(fd.Value) == "" {
		m.problem(fd, ProblemFromEmpty, "no mailbox")
		m.From = append(m.From, f)
		return
	}
	list, bad, err := parseAddressList(fd.Value)
	switch {
	case err != nil:
		m.problem(fd, ProblemFromInvalid, "address list: "+err.Error())
	case len(list) == 0:
		m.problem(fd, ProblemFromEmpty, "no mailbox")
	}
	m.undecodable(fd, bad)
	f.Mailboxes = list
	m.From = append(m.From, f)
}

// FromMailbox returns the single author mailbox: ok is false when there is not exactly one From
// field holding exactly one mailbox that parsed, or when any From field had a problem.
func (m *Message) FromMailbox() (Mailbox, bool) {
	if len(m.From) != 1 || len(m.From[0].Mailboxes) != 1 {
		return Mailbox{}, false
	}
	for _, p := range m.Problems {
		if p.Reason.Code == ProblemFromInvalid || p.Reason.Code == ProblemFromEmpty {
			return Mailbox{}, false
		}
	}
	return m.From[0].Mailboxes[0], true
}
