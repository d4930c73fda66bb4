package headers

import (
	"strings"
	"testing"
)

// TestExplainDocumentedValues has one row per value Microsoft's antispam header page documents
// (AntispamHeadersDoc, https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo,
// read 2023-07 revision); want is a word the page's description uses. Rows marked "MHA" come from
// MHA's rules.json instead, "ARC" from
// https://learn.microsoft.com/defender-office-365/email-authentication-arc-configure.
func TestExplainDocumentedValues(t *testing.T) {
	rows := []struct {
		key, value, want string
	}{
		{"ARC", "AAR", "Authentication-Results"},
		{"ARC", "AMS", "ARC-Message-Signature"},
		{"ARC", "AS", "ARC-Seal"},
		{"CAT", "BULK", "bulk"},
		{"CAT", "DIMP", "domain impersonation"},
		{"CAT", "GIMP", "mailbox intelligence"},
		{"CAT", "HPHSH", "high confidence phishing"},
		{"CAT", "HPHISH", "high confidence phishing"},
		{"CAT", "HSPM", "high confidence spam"},
		{"CAT", "MALW", "malware"},
		{"CAT", "PHSH", "phishing"},
		{"CAT", "SPM", "spam"},
		{"CAT", "SPOOF", "spoofing"},
		{"CAT", "UIMP", "user impersonation"},
		{"CAT", "AMP", "anti-malware"},
		{"CAT", "SAP", "safe attachments"},
		{"CAT", "FTBP", "filetype policy"},
		{"CAT", "OSPM", "outbound spam"},
		{"CAT", "INTOS", "intra-org phish"},
		{"IPV", "CAL", "IP Allow List"},
		{"IPV", "NLI", "on no list"},
		{"IPV", "BLK", "IP Block List"}, // MHA/real mail; not in the page's table
		{"SFTY", "9.19", "domain impersonation"},
		{"SFTY", "9.20", "user impersonation"},
		{"SFTY", "9.25", "first contact"},
		{"SFV", "BLK", "blocked"},
		{"SFV", "NSPM", "not spam"},
		{"SFV", "SFE", "Safe Senders"},
		{"SFV", "SKA", "allowed senders"},
		{"SFV", "SKB", "blocked senders"},
		{"SFV", "SKI", "intra-organization"},
		{"SFV", "SKN", "non-spam before filtering"},
		{"SFV", "SKQ", "released from quarantine"},
		{"SFV", "SKS", "spam before filtering"},
		{"SFV", "SPM", "spam"},
		{"SFV", "DMS", "ignored"}, // MHA
		{"SRV", "BULK", "bulk"},
		{"DIR", "INB", "inbound"},
		{"DIR", "OUT", "outbound"},
		{"DIR", "INT", "internal"},
	}
	for _, r := range rows {
		got, ok := Explain(r.key, r.value)
		if !ok || !strings.Contains(strings.ToLower(got), strings.ToLower(r.want)) {
			t.Errorf("Explain(%s, %s) = %q, %v; want it to say %q (%s)", r.key, r.value, got, ok, r.want, AntispamHeadersDoc)
		}
	}
	// SFV:BLK is a block, not a skip (the complaint).
	if got, _ := Explain("SFV", "BLK"); strings.HasPrefix(got, "skipped") {
		t.Errorf("SFV:BLK = %q", got)
	}
	for _, k := range []string{"CIP", "CTRY", "H", "LANG", "PTR", "SCL", "X-CustomSpam", "BCL"} {
		if ExplainField(k) == "" {
			t.Errorf("ExplainField(%s) is empty (%s)", k, AntispamHeadersDoc)
		}
	}
}

// TestExplainAuthDocumented: every spf, dkim, dmarc, action and compauth value on the page.
func TestExplainAuthDocumented(t *testing.T) {
	rows := []struct{ method, result, want string }{
		{"spf", "pass", "allowed"},
		{"spf", "fail", "hard fail"},
		{"spf", "softfail", "transition"},
		{"spf", "neutral", "does not say"},
		{"spf", "none", "no SPF record"},
		{"spf", "temperror", "temporary"},
		{"spf", "permerror", "permanent"},
		{"dkim", "pass", "verified"},
		{"dkim", "fail", "did not verify"},
		{"dkim", "none", "not signed"},
		{"dmarc", "pass", "passed"},
		{"dmarc", "fail", "failed"},
		{"dmarc", "bestguesspass", "no DMARC record"},
		{"dmarc", "none", "no DMARC record"},
		{"dmarc.action", "oreject", "override reject"},
		{"dmarc.action", "o.reject", "override reject"},
		{"dmarc.action", "pct.quarantine", "pct<100"},
		{"dmarc.action", "pct.reject", "pct<100"},
		{"dmarc.action", "permerror", "permanent"},
		{"dmarc.action", "temperror", "temporary"},
		{"compauth", "pass", "passed"},
		{"compauth", "fail", "failed"},
		{"compauth", "softpass", "soft-passed"},
		{"compauth", "none", "not checked"},
	}
	for _, r := range rows {
		if got, ok := ExplainAuth(r.method, r.result); !ok || !strings.Contains(got, r.want) {
			t.Errorf("ExplainAuth(%s, %s) = %q, %v; want %q (%s)", r.method, r.result, got, ok, r.want, AntispamHeadersDoc)
		}
	}
	reasons := []struct{ code, want string }{
		{"000", "failed explicit authentication"},
		{"001", "failed implicit authentication"},
		{"002", "prohibits"},
		{"010", "accepted domains"},
		{"100", "passed authentication"},
		{"109", "passed authentication"},
		{"705", "passed authentication"},
		{"130", "ARC"}, // ARC page
		{"201", "soft-passed"},
		{"305", "not checked"},
		{"405", "bypassed"},
		{"905", "bypassed"},
		{"601", "accepted domains"},
	}
	for _, r := range reasons {
		if got, ok := ExplainCompAuthReason(r.code); !ok || !strings.Contains(got, r.want) {
			t.Errorf("reason=%s = %q, %v; want %q (%s)", r.code, got, ok, r.want, AntispamHeadersDoc)
		}
	}
	for _, bad := range []string{"", "12", "abc", "1000", "500", "800"} {
		if got, ok := ExplainCompAuthReason(bad); ok {
			t.Errorf("reason=%q explained as %q", bad, got)
		}
	}
}
