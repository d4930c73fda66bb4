package headers

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MailboxDelivery is X-Microsoft-Antispam-Mailbox-Delivery: what the recipient's mailbox did with
// the message after Exchange Online Protection's verdict (docs/headers.md#mailbox-delivery). Microsoft does not
// document the field; Dest is the folder (MHA's rules compare it with SFV), OFR the reason the
// folder was chosen, RF the rule that filed it. Items keeps every item in order, key as written.
type MailboxDelivery struct {
	Field
	Dest  string  `json:"dest,omitempty"`
	OFR   string  `json:"ofr,omitempty"`
	RF    string  `json:"rf,omitempty"`
	Items []Param `json:"items,omitempty"`
	// RecoveredFrom is set when Field was empty and Dest, OFR, RF and Items were read from the
	// next field, the value of this one with its folding white space lost (recoverFolding).
	RecoveredFrom *Field `json:"recoveredFrom,omitempty"`
}

// ParseMailboxDelivery parses an X-Microsoft-Antispam-Mailbox-Delivery value with the "KEY:value;"
// grammar of ParseAntispamReport. It returns an error, and still every item it could read, for an
// item without ':' or a dest, OFR or RF given twice (the first wins).
func ParseMailboxDelivery(v string) (MailboxDelivery, error) {
	var r MailboxDelivery
	var errs []error
	seen := map[string]bool{}
	splitItems(v, func(k, val string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("item %q has no ':'", clip(k, 40)))
			return
		}
		r.Items = append(r.Items, Param{Key: k, Value: val})
		uk := strings.ToUpper(k)
		var dst *string
		switch uk {
		case "DEST":
			dst = &r.Dest
		case "OFR":
			dst = &r.OFR
		case "RF":
			dst = &r.RF
		default:
			return
		}
		if seen[uk] {
			errs = append(errs, fmt.Errorf("%s given twice", k))
			return
		}
		seen[uk] = true
		*dst = val
	})
	if len(errs) > 0 {
		return r, fmt.Errorf("headers: X-Microsoft-Antispam-Mailbox-Delivery: %w", errors.Join(errs...))
	}
	return r, nil
}

// deliveryKeys are the item keys real X-Microsoft-Antispam-Mailbox-Delivery values start with
// (ExplainDelivery), upper-case.
var deliveryKeys = []string{"ABWL", "WL", "PCWL", "KL", "IWL", "IJL", "DWL", "DKL", "RWL", "UCF", "JMR", "EX", "PSP", "AUTH", "DEST"}

// recoverFolding reads an empty X-Microsoft-Antispam-Mailbox-Delivery whose value became the
// next field: a block copied with its folding white space removed turns the continuation line
// "abwl:0;…;dest:J;…" into a field named "abwl" (RFC 5322 §2.2). When that next field's name is
// a Mailbox-Delivery key and name:value parses with a dest, the delivery takes that value,
// RecoveredFrom names the field, and a Problem says what happened.
func (a *Analysis) recoverFolding() {
	for i := range a.MailboxDelivery {
		d := &a.MailboxDelivery[i]
		if strings.TrimSpace(d.Value) != "" {
			continue
		}
		for _, o := range a.Others {
			if o.Index != d.Index+1 {
				continue
			}
			if !slices.Contains(deliveryKeys, strings.ToUpper(o.Name)) {
				break
			}
			r, err := ParseMailboxDelivery(o.Name + ":" + o.Value)
			if err != nil || r.Dest == "" {
				break
			}
			r.Field, r.RecoveredFrom = d.Field, &o
			*d = r
			a.problem(d.Field, ProblemMailboxDeliveryFoldingLost,
				fmt.Sprintf("empty; %s looks like its value with the folding white space lost, and is read as such", fieldRef(o)))
			break
		}
	}
}

// Folder names the folder a dest value stands for: "Inbox" (I), "Junk Email" (J), "a custom
// folder" (C, a user's Inbox rule); "" for a value it does not know. These are the values MHA's
// rules read.
func Folder(dest string) string {
	switch strings.ToUpper(strings.TrimSpace(dest)) {
	case "I":
		return "Inbox"
	case "J":
		return "Junk Email"
	case "C":
		return "a custom folder"
	}
	return ""
}

// ExplainDelivery returns what one X-Microsoft-Antispam-Mailbox-Delivery item means. Microsoft
// documents none of them: dest's I, J and C are MHA's reading (its rules.json); the others are
// read from what real deliveries carry together (OFR:TrustedSenderList with wl:1, OFR:CustomRules
// with ucf:1 and dest:C, OFR:SenderInAddressBook with abwl:1, RF:JunkEmail with dest:J) and say
// "inferred". ok is false for a key or value it does not know.
func ExplainDelivery(key, value string) (meaning string, ok bool) {
	v := strings.TrimSpace(value)
	flag := func(on, off string) (string, bool) {
		switch v {
		case "1":
			return on, true
		case "0":
			return off, true
		}
		return "", false
	}
	switch strings.ToUpper(strings.TrimSpace(key)) {
	case "DEST":
		if f := Folder(v); f != "" {
			return "delivered to " + f, true
		}
	case "OFR":
		switch strings.ToLower(v) {
		case "trustedsenderlist":
			return "folder chosen because the sender is on the recipient's Safe Senders list (inferred)", true
		case "spamfilterauthj":
			return "folder chosen by the spam filter verdict and sender authentication (inferred)", true
		case "spamfilterpass":
			return "folder chosen by a passing spam filter verdict (inferred)", true
		case "customrules":
			return "folder chosen by one of the recipient's Inbox rules (inferred)", true
		case "exclusivesettings":
			return "folder chosen by the recipient's junk setting \"only trust email from my Safe Senders\" (inferred)", true
		case "senderinaddressbook":
			return "folder chosen because the sender is in the recipient's contacts (inferred)", true
		}
	case "RF":
		if strings.EqualFold(v, "JunkEmail") {
			return "the junk email rule moved the message to Junk Email", true
		}
	case "UCF":
		return flag("a user custom flow (Inbox rule) acted on the message (inferred)", "no user Inbox rule acted (inferred)")
	case "JMR":
		return flag("the junk mail rule matched (inferred)", "the junk mail rule did not match (inferred)")
	case "AUTH":
		return flag("the sender passed authentication for junk filtering (inferred)", "sender not authenticated for junk filtering (inferred)")
	case "WL", "PCWL":
		return flag("sender on the recipient's Safe Senders list (inferred)", "sender not on the recipient's Safe Senders list (inferred)")
	case "ABWL":
		return flag("sender in the recipient's address book (inferred)", "sender not in the recipient's address book (inferred)")
	case "DWL":
		return flag("sender domain on the recipient's safe domains (inferred)", "sender domain not on the recipient's safe domains (inferred)")
	case "KL", "DKL":
		return flag("sender or domain on the recipient's Blocked Senders list (inferred)", "not on the recipient's Blocked Senders list (inferred)")
	case "PSP":
		return flag("a protection setting of the mailbox applied (undocumented)", "undocumented flag, off")
	case "EX", "RWL", "IWL", "IJL":
		return flag("undocumented flag, on", "undocumented flag, off")
	case "ENG":
		return "undocumented (internal diagnostics)", true
	}
	return "", false
}
