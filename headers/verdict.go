package headers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// Verdict is where a message went and why, drawn from every verdict source a delivered message
// carries (docs/headers.md#verdict): the latest trusted X-Forefront-Antispam-Report,
// X-MS-Exchange-Organization-SCL, -MessageDirectionality and -AuthAs, X-Microsoft-Antispam (and its
// -Untrusted copy) and X-Microsoft-Antispam-Mailbox-Delivery. Each value names its source field.
// It says what the header claims, not whether it can be trusted.
type Verdict struct {
	// Direction is "inbound", "outbound", "internal" or "originating" (sent from inside the
	// organization: outbound or internal), "" when no source says. The sources, in order: DIR,
	// X-MS-Exchange-Organization-MessageDirectionality, X-MS-Exchange-Organization-AuthAs.
	Direction       string `json:"direction,omitempty"`
	DirectionSource string `json:"directionSource,omitempty"`
	// SCL is the spam confidence level (-1 to 9) and its source; SFV, CAT, IPV the latest trusted
	// report's codes.
	SCL       *int   `json:"scl,omitempty"`
	SCLSource string `json:"sclSource,omitempty"`
	SFV       string `json:"sfv,omitempty"`
	CAT       string `json:"cat,omitempty"`
	IPV       string `json:"ipv,omitempty"`
	// Spam is set when a source calls the message spam (SFV SPM, SKS, SKB or BLK, or SCL 5 to 9).
	Spam bool `json:"spam,omitempty"`
	// BCL is the bulk complaint level of the bottom-most X-Microsoft-Antispam.
	BCL *int `json:"bcl,omitempty"`
	// Folder is the folder the mailbox delivered to (Folder of dest), Dest the raw value and
	// FolderReason the OFR value.
	Folder       string `json:"folder,omitempty"`
	Dest         string `json:"dest,omitempty"`
	FolderReason string `json:"folderReason,omitempty"`
	// AuthAs is X-MS-Exchange-Organization-AuthAs (Anonymous, Internal, Partner).
	AuthAs string `json:"authAs,omitempty"`
	// Findings are the MHA-style rule results, most important first.
	Findings []Finding `json:"findings,omitempty"`
}

// Finding is one rule that matched. Reason.Code is stable (Finding* constants); Error marks what
// MHA shows as an error rather than information.
type Finding struct {
	Reason tenantgate.Reason `json:"reason"`
	Error  bool              `json:"error,omitempty"`
}

// Codes of Verdict.Findings. The first five are MHA's AndRules comparing dest with SFV
// (extended to SCL where no report exists); the others its SimpleRules on one value.
const (
	FindingSpamInInbox        = "verdict.spam-in-inbox"
	FindingNotSpamInJunk      = "verdict.not-spam-in-junk"
	FindingSpamInCustomFolder = "verdict.spam-in-custom-folder"
	FindingNotSpamInCustom    = "verdict.not-spam-in-custom-folder"
	FindingNotSpamInInbox     = "verdict.not-spam-in-inbox"
	FindingBlocked            = "verdict.blocked-sender"
	FindingVerdictIgnored     = "verdict.spam-verdict-ignored"
	FindingReleased           = "verdict.released-from-quarantine"
	FindingSafeSender         = "verdict.safe-sender"
	FindingIntraOrg           = "verdict.intra-org"
	FindingIPAllowed          = "verdict.ip-allow-list"
	FindingIPBlocked          = "verdict.ip-block-list"
	FindingBulk               = "verdict.bulk-bad-reputation"
	FindingAuthFailed         = "verdict.auth-failed"
	FindingSourcesDisagree    = "verdict.sources-disagree"
	// FindingInboundViaOnPremises: DIR:INB with MessageDirectionality Originating and
	// FromEntityHeader HybridOnPrem — Internet mail that came in through the organization's
	// on-premises servers, whose hybrid connector Exchange Online counts as the organization's own.
	FindingInboundViaOnPremises = "verdict.inbound-via-on-premises"
	FindingNoReport             = "verdict.no-antispam-report"
	FindingNoMailboxDelivery    = "verdict.no-mailbox-delivery"
)

func (v *Verdict) find(code string, isErr bool, format string, a ...any) {
	v.Findings = append(v.Findings, Finding{Reason: tenantgate.Reason{Code: code, Detail: fmt.Sprintf(format, a...)}, Error: isErr})
}

// fieldRef names a field for a *Source value: "Name (field N)", N counted from 1.
func fieldRef(f Field) string {
	return fmt.Sprintf("%s (field %d)", f.Name, f.Index+1)
}

// judge computes the Verdict of an analysis.
func (a *Analysis) judge() Verdict {
	var v Verdict
	m := a.Message
	var rep *AntispamReport
	for i := len(m.Antispam) - 1; i >= 0; i-- {
		if !m.Antispam[i].Untrusted {
			rep = &m.Antispam[i]
			break
		}
	}
	org := func(name string) (Field, bool) {
		fs := m.Named(name)
		if len(fs) == 0 {
			return Field{}, false
		}
		return fs[len(fs)-1], true
	}

	// Direction: DIR, then MessageDirectionality.
	dirOf := map[string]string{"INB": "inbound", "OUT": "outbound", "INT": "internal", "OUB": "outbound", "OTB": "outbound"}
	if rep != nil && dirOf[strings.ToUpper(rep.DIR)] != "" {
		v.Direction, v.DirectionSource = dirOf[strings.ToUpper(rep.DIR)], fieldRef(rep.Field)+" DIR:"+rep.DIR
	}
	if f, ok := org("X-MS-Exchange-Organization-MessageDirectionality"); ok {
		d := ""
		switch strings.ToLower(strings.TrimSpace(f.Value)) {
		case "incoming":
			d = "inbound"
		case "originating":
			d = "originating"
		}
		switch {
		case d == "":
		case v.Direction == "":
			v.Direction, v.DirectionSource = d, fieldRef(f)+" "+f.Value
		case (d == "inbound") != (v.Direction == "inbound"):
			ents := m.CrossTenant.FromEntityHeader
			if d == "originating" && len(ents) > 0 && strings.EqualFold(strings.TrimSpace(ents[len(ents)-1].Value), "HybridOnPrem") {
				v.find(FindingInboundViaOnPremises, false, "%s says %s and %s says %s: Internet mail that came in through the organization's on-premises servers (%s HybridOnPrem); Exchange Online counts its hybrid connector as the organization's own",
					v.DirectionSource, v.Direction, fieldRef(f), f.Value, fieldRef(ents[len(ents)-1]))
			} else {
				v.find(FindingSourcesDisagree, true, "%s says %s but %s says %s", v.DirectionSource, v.Direction, fieldRef(f), f.Value)
			}
		}
	}

	// Last resort: AuthAs says how the sending session authenticated — Anonymous is an
	// unauthenticated SMTP client (the Internet), Internal the organization, Partner a partner's
	// TLS-authenticated connector.
	if f, ok := org("X-MS-Exchange-Organization-AuthAs"); ok && v.Direction == "" {
		switch strings.ToLower(strings.TrimSpace(f.Value)) {
		case "anonymous", "partner":
			v.Direction, v.DirectionSource = "inbound", fieldRef(f)+" "+f.Value+" (the sending session did not authenticate as the organization)"
		case "internal":
			v.Direction, v.DirectionSource = "originating", fieldRef(f)+" "+f.Value
		}
	}

	// Spam confidence: the report's SCL, then the organization SCL.
	if rep != nil {
		v.SFV, v.CAT, v.IPV = rep.SFV, rep.CAT, rep.IPV
		if rep.SCL != nil {
			v.SCL, v.SCLSource = rep.SCL, fieldRef(rep.Field)
		}
	}
	if f, ok := org("X-MS-Exchange-Organization-SCL"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(f.Value)); err == nil && n >= -1 && n <= 9 {
			switch {
			case v.SCL == nil:
				v.SCL, v.SCLSource = &n, fieldRef(f)
			case *v.SCL != n:
				v.find(FindingSourcesDisagree, false, "%s says SCL %d but %s says %d (a mail flow rule or a later pass may have changed it)", v.SCLSource, *v.SCL, fieldRef(f), n)
			}
		}
	}
	if f, ok := org("X-MS-Exchange-Organization-AuthAs"); ok {
		v.AuthAs = f.Value
	}
	switch strings.ToUpper(v.SFV) {
	case "SPM", "SKS", "SKB", "BLK":
		v.Spam = true
	}
	if v.SCL != nil && *v.SCL >= 5 {
		v.Spam = true
	}
	for i := len(m.MicrosoftAntispam) - 1; i >= 0; i-- {
		if b := m.MicrosoftAntispam[i].BCL; b != nil {
			v.BCL = b
			break
		}
	}

	// The folder: the bottom-most Mailbox-Delivery with a dest.
	for i := len(a.MailboxDelivery) - 1; i >= 0; i-- {
		d := a.MailboxDelivery[i]
		if d.Dest != "" {
			v.Dest, v.Folder, v.FolderReason = d.Dest, Folder(d.Dest), d.OFR
			if v.Folder == "" {
				v.Folder = "unknown folder dest:" + d.Dest
			}
			break
		}
	}
	v.rules(rep, a)
	return v
}

// rules applies MHA's rules (its src/data/rules.json) to the verdict, with the spam verdict
// taken from SCL where no report gives SFV.
func (v *Verdict) rules(rep *AntispamReport, a *Analysis) {
	why := ""
	if v.FolderReason != "" {
		why = " (OFR:" + v.FolderReason + ")"
	}
	verdictText := "SFV:" + v.SFV
	if v.SFV == "" && v.SCL != nil {
		verdictText = "SCL " + strconv.Itoa(*v.SCL)
	}
	known := v.SFV != "" || v.SCL != nil
	switch dest := strings.ToUpper(v.Dest); {
	case !known || dest == "":
	case v.Spam && dest == "I":
		v.find(FindingSpamInInbox, true, "filtered as spam (%s) but delivered to the Inbox%s", verdictText, why)
	case !v.Spam && dest == "J":
		v.find(FindingNotSpamInJunk, true, "not marked as spam (%s) but delivered to Junk Email%s", verdictText, why)
	case v.Spam && dest == "C":
		v.find(FindingSpamInCustomFolder, true, "filtered as spam (%s) but moved to a custom folder by the user's settings%s", verdictText, why)
	case !v.Spam && dest == "C":
		v.find(FindingNotSpamInCustom, false, "not spam (%s), moved to a custom folder by the user's settings%s", verdictText, why)
	case !v.Spam && dest == "I":
		v.find(FindingNotSpamInInbox, false, "not spam (%s) and delivered to the Inbox", verdictText)
	}
	switch strings.ToUpper(v.SFV) {
	case "BLK":
		v.find(FindingBlocked, true, "blocked: the sender is on the recipient's Blocked Senders list (SFV:BLK)")
	case "DMS":
		v.find(FindingVerdictIgnored, true, "the spam verdict was ignored because of tenant settings (SFV:DMS)")
	case "SKQ":
		v.find(FindingReleased, false, "released from quarantine (SFV:SKQ)")
	case "SFE":
		v.find(FindingSafeSender, false, "filtering skipped: the sender is on the recipient's Safe Senders list (SFV:SFE)")
	case "SKI":
		v.find(FindingIntraOrg, false, "intra-organization message (SFV:SKI)")
	}
	switch strings.ToUpper(v.IPV) {
	case "CAL":
		v.find(FindingIPAllowed, false, "the connecting IP is on the IP Allow List; spam filtering was skipped (IPV:CAL)")
	case "BLK":
		v.find(FindingIPBlocked, true, "the connecting IP is on the IP Block List (IPV:BLK)")
	}
	if v.BCL != nil && *v.BCL >= 6 {
		v.find(FindingBulk, true, "bulk sender with a bad reputation (BCL %d)", *v.BCL)
	}
	if ar, ok := a.ExoAuthResults(); ok {
		for _, r := range ar.Results {
			switch strings.ToLower(r.Method) {
			case "spf", "dkim", "dmarc", "compauth":
				if strings.EqualFold(r.Result, "fail") {
					v.find(FindingAuthFailed, true, "%s=fail in %s", strings.ToLower(r.Method), fieldRef(ar.Field))
				}
			}
		}
	}
	if rep == nil && (v.Direction == "inbound" || v.Dest != "") {
		v.find(FindingNoReport, false, "no X-Forefront-Antispam-Report: the verdict comes from the other fields")
	}
	if v.Dest == "" && v.Direction == "inbound" {
		if n := len(a.MailboxDelivery); n > 0 && strings.TrimSpace(a.MailboxDelivery[n-1].Value) == "" {
			v.find(FindingNoMailboxDelivery, false, "%s is empty: the header does not say which folder", fieldRef(a.MailboxDelivery[n-1].Field))
		} else {
			v.find(FindingNoMailboxDelivery, false, "no X-Microsoft-Antispam-Mailbox-Delivery: the header does not say which folder")
		}
	}
}

// ExoAuthResults returns the authentication results Exchange Online wrote: the bottom-most
// X-MS-Exchange-Authentication-Results, else the bottom-most Authentication-Results without an
// authserv-id (Exchange Online writes none, docs/headers.md#authentication-results).
func (a *Analysis) ExoAuthResults() (AuthResults, bool) {
	for _, want := range []string{"x-ms-exchange-authentication-results", "authentication-results"} {
		for i := len(a.AuthResults) - 1; i >= 0; i-- {
			r := a.AuthResults[i]
			if strings.EqualFold(r.Name, want) && r.ServID == "" && len(r.Results) > 0 {
				return r, true
			}
		}
	}
	return AuthResults{}, false
}
