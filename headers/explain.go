package headers

import (
	"strconv"
	"strings"
)

// ExplainField returns what an antispam report field means (docs/exchange-online.md#headers-exchange-online-stamps,
// Microsoft's "Anti-spam message headers" page), or "" for a field it does not know. Keys are
// compared case-insensitively; BCL and PCL are X-Microsoft-Antispam's.
func ExplainField(key string) string {
	switch strings.ToUpper(key) {
	case "ARC":
		return "ARC check of the message"
	case "CAT":
		return "policy category applied to the message"
	case "CIP":
		return "connecting IP address"
	case "CTRY":
		return "country of the connecting IP (maybe not the originating IP)"
	case "DIR":
		return "direction of the message"
	case "H":
		return "HELO/EHLO name of the connecting server"
	case "IPV":
		return "connection filtering verdict of the connecting IP"
	case "LANG":
		return "language the message was written in"
	case "PTR":
		return "reverse DNS name of the connecting IP"
	case "SCL":
		return "spam confidence level"
	case "SFTY":
		return "safety tip: the message was identified as phishing"
	case "SFV":
		return "spam filtering verdict"
	case "SRV":
		return "bulk mail verdict"
	case "X-CUSTOMSPAM":
		return "an advanced spam filter option matched"
	case "SFP", "SFS", "MLV", "EFV", "SRVR", "FPR", "RULEID", "ARA":
		return "undocumented (internal diagnostics)"
	case "BCL":
		return "bulk complaint level"
	case "PCL":
		return "phishing confidence level"
	}
	return ""
}

// Explain returns the meaning of one value of an antispam report field, such as "not spam" for
// SFV:NSPM (docs/exchange-online.md#headers-exchange-online-stamps; DIR OUB and OTB, which Microsoft does not document,
// from decode-spam-headers, docs/headers.md#antispam-reports). ok is false for a value it does not know.
func Explain(key, value string) (meaning string, ok bool) {
	v := strings.ToUpper(strings.TrimSpace(value))
	switch strings.ToUpper(key) {
	case "DIR":
		switch v {
		case "INB":
			return "inbound: from outside the organization", true
		case "OUT":
			return "outbound: sent by the organization", true
		case "INT":
			return "internal: within the organization", true
		case "OUB", "OTB":
			return "outbound (older value, undocumented)", true
		}
	case "SFV":
		switch v {
		case "BLK":
			return "blocked: sender on the user's Blocked Senders list (filtering skipped)", true
		case "DMS":
			return "spam verdict ignored because of tenant settings (MHA's reading; not in Microsoft's table)", true
		case "NSPM":
			return "not spam", true
		case "SFE":
			return "skipped filtering: sender on the user's safe senders list", true
		case "SKA":
			return "skipped filtering: sender on an allowed senders or domains list", true
		case "SKB":
			return "marked spam: sender on a blocked senders or domains list", true
		case "SKI":
			return "intra-organization message, marked by its content", true
		case "SKN":
			return "marked non-spam before filtering (e.g. a mail flow rule set SCL -1)", true
		case "SKQ":
			return "released from quarantine", true
		case "SKS":
			return "marked spam before filtering (e.g. by a mail flow rule)", true
		case "SPM":
			return "spam", true
		}
	case "CAT":
		switch v {
		case "AMP":
			return "anti-malware", true
		case "BIMP":
			return "brand impersonation", true
		case "BULK":
			return "bulk", true
		case "DIMP":
			return "domain impersonation", true
		case "FTBP":
			return "anti-malware filetype policy", true
		case "GIMP":
			return "mailbox intelligence based impersonation", true
		case "HPHSH", "HPHISH":
			return "high confidence phishing", true
		case "HSPM":
			return "high confidence spam", true
		case "INTOS":
			return "intra-org phish action", true
		case "MALW":
			return "malware", true
		case "OSPM":
			return "outbound spam", true
		case "PHSH":
			return "phishing", true
		case "SAP":
			return "safe attachments", true
		case "SPM":
			return "spam", true
		case "SPOOF":
			return "spoofing", true
		case "UIMP":
			return "user impersonation", true
		case "NONE":
			return "no category", true
		}
	case "IPV", "EFV":
		switch v {
		case "CAL":
			return "connecting IP is on the IP Allow List: spam filtering skipped", true
		case "BLK":
			return "connecting IP is on the IP Block List (not in Microsoft's table)", true
		case "NLI":
			return "connecting IP is on no list", true
		case "":
			return "no connection filtering verdict", true
		}
	case "SFTY":
		switch v {
		case "9.19":
			return "domain impersonation", true
		case "9.20":
			return "user impersonation", true
		case "9.25":
			return "first contact safety tip", true
		}
	case "SRV":
		if v == "BULK" {
			return "identified as bulk mail", true
		}
	case "ARC":
		switch v {
		case "AAR":
			return "ARC-Authentication-Results recorded", true
		case "AMS":
			return "ARC-Message-Signature recorded", true
		case "AS":
			return "ARC-Seal recorded", true
		}
	case "SCL":
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", false
		}
		switch {
		case n == -1:
			return "not spam: filtering skipped (safe sender or recipient, IP Allow List, internal, or a rule)", true
		case n == 0 || n == 1:
			return "not spam", true
		case n == 5 || n == 6:
			return "spam", true
		case n >= 7 && n <= 9:
			return "high confidence spam", true
		}
	case "BCL":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 9 {
			return "", false
		}
		switch {
		case n == 0:
			return "not from a bulk sender", true
		case n <= 3:
			return "bulk sender with few complaints", true
		case n <= 7:
			return "bulk sender with a mixed number of complaints", true
		default:
			return "bulk sender with many complaints", true
		}
	case "PCL":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 8 {
			return "", false
		}
		if n <= 3 {
			return "content unlikely to be phishing", true
		}
		return "content likely to be phishing", true
	}
	return "", false
}
