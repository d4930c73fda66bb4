package headers

import "strings"

// AntispamHeadersDoc is Microsoft's page that documents the antispam header values Explain,
// ExplainAuth and ExplainCompAuthReason explain.
const AntispamHeadersDoc = "https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo"

// ExplainAuth returns what one Authentication-Results method=result means as Microsoft's
// antispam header page words it (spf, dkim, dmarc, compauth; the DMARC action= property with
// method "dmarc.action"). ok is false for a pair it does not know.
func ExplainAuth(method, result string) (meaning string, ok bool) {
	r := strings.ToLower(strings.TrimSpace(result))
	switch strings.ToLower(strings.TrimSpace(method)) {
	case "spf":
		switch r {
		case "pass":
			return "the connecting IP is allowed to send for the MAIL FROM domain", true
		case "fail":
			return "the connecting IP is not allowed to send for the MAIL FROM domain (hard fail)", true
		case "softfail":
			return "the SPF record says the host is not allowed, but is in transition (~all)", true
		case "neutral":
			return "the SPF record does not say whether the IP is allowed (?all)", true
		case "none":
			return "the domain has no SPF record, or it gives no result", true
		case "temperror":
			return "a temporary error (such as DNS); a later check might succeed", true
		case "permerror":
			return "a permanent error, such as a badly formatted SPF record", true
		}
	case "dkim":
		switch r {
		case "pass":
			return "the DKIM signature verified", true
		case "fail":
			return "the DKIM signature did not verify", true
		case "none":
			return "the message was not signed", true
		}
	case "dmarc":
		switch r {
		case "pass":
			return "DMARC passed", true
		case "fail":
			return "DMARC failed", true
		case "bestguesspass":
			return "the domain has no DMARC record, but a DMARC check would have passed", true
		case "none":
			return "the sending domain has no DMARC record", true
		}
	case "dmarc.action":
		switch r {
		case "oreject", "o.reject":
			return "override reject: DMARC failed with p=reject, so Microsoft 365 marked the message as spam instead of rejecting it", true
		case "pct.quarantine":
			return "DMARC failed with p=quarantine, but pct<100 let this message through", true
		case "pct.reject":
			return "DMARC failed with p=reject, but pct<100 let this message through", true
		case "permerror":
			return "a permanent error during DMARC evaluation, such as a malformed DMARC record", true
		case "temperror":
			return "a temporary error during DMARC evaluation", true
		case "none":
			return "no DMARC action", true
		}
	case "compauth":
		switch r {
		case "pass":
			return "composite authentication of the From domain passed", true
		case "fail":
			return "composite authentication of the From domain failed", true
		case "softpass":
			return "composite authentication soft-passed implicit authentication", true
		case "none":
			return "composite authentication was not checked or was bypassed", true
		}
	}
	return "", false
}

// ExplainCompAuthReason returns what a compauth reason= code means (Microsoft's antispam header
// page; 130, an ARC override, from Microsoft's trusted ARC sealers page). ok is false for a code
// that is not three digits or not documented.
func ExplainCompAuthReason(code string) (meaning string, ok bool) {
	c := strings.TrimSpace(code)
	if len(c) != 3 || !isDigits(c) {
		return "", false
	}
	switch c {
	case "000":
		return "failed explicit authentication: DMARC failed and the policy is quarantine or reject", true
	case "001":
		return "failed implicit authentication: the domain publishes no authentication records, or only weak ones (SPF ~all or ?all, DMARC p=none)", true
	case "002":
		return "the organization prohibits this sender/domain pair from sending spoofed mail (set by an admin)", true
	case "010":
		return "failed DMARC with quarantine or reject, and the domain is one of the organization's accepted domains (self-to-self spoofing)", true
	case "130":
		return "passed: the ARC result of a trusted ARC sealer overrode a DMARC failure", true
	}
	switch c[0] {
	case '1', '7':
		return "passed authentication (last two digits are internal)", true
	case '2':
		return "soft-passed implicit authentication (last two digits are internal)", true
	case '3':
		return "not checked for composite authentication", true
	case '4', '9':
		return "bypassed composite authentication (last two digits are internal)", true
	case '6':
		return "failed implicit authentication, and the domain is one of the organization's accepted domains (self-to-self spoofing)", true
	}
	return "", false
}
