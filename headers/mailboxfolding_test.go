package headers

import (
	"slices"
	"testing"
)

// TestMailboxDeliveryFoldingLost: a header block exported with its folding white space removed
// (testdata/real/sisimai-2019-04-outlookcom-consumer-junk-lost-folding.eml) leaves
// X-Microsoft-Antispam-Mailbox-Delivery empty and its value on the next line, which RFC 5322 §2.2
// then reads as a field named "abwl". The folder it names is recovered and the lost folding is a
// Problem; a next field that is not a Mailbox-Delivery item, or does not parse with a dest, is left
// alone and the finding says the field is empty rather than absent.
func TestMailboxDeliveryFoldingLost(t *testing.T) {
	a := analyze(t, "X-MS-Exchange-Organization-MessageDirectionality: Incoming\n"+
		"X-Microsoft-Antispam-Mailbox-Delivery:\n"+
		"abwl:0;wl:0;ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;RF:JunkEmail;\n"+
		"Subject: s\n\n")
	if a.Verdict.Folder != "Junk Email" || a.Verdict.FolderReason != "SpamFilterAuthJ" {
		t.Errorf("folder %q (%q), want Junk Email (SpamFilterAuthJ)", a.Verdict.Folder, a.Verdict.FolderReason)
	}
	if len(a.MailboxDelivery) != 1 || a.MailboxDelivery[0].RecoveredFrom == nil || a.MailboxDelivery[0].RecoveredFrom.Index != 2 {
		t.Errorf("mailbox delivery %+v: want one, recovered from field index 2", a.MailboxDelivery)
	}
	var codes []string
	for _, p := range a.Problems {
		codes = append(codes, p.Reason.Code)
	}
	if !slices.Equal(codes, []string{ProblemMailboxDeliveryFoldingLost}) {
		t.Errorf("problems %v, want [%s]", codes, ProblemMailboxDeliveryFoldingLost)
	}

	// Not recovered: the next field is an ordinary one, or a known key without a dest.
	for _, next := range []string{"Subject: dest:J;\n", "ucf:0;jmr:0;auth:0;\n"} {
		a := analyze(t, "X-MS-Exchange-Organization-MessageDirectionality: Incoming\n"+
			"X-Microsoft-Antispam-Mailbox-Delivery:\n"+next+"\n")
		if a.Verdict.Dest != "" || len(a.Problems) != 0 {
			t.Errorf("%q: dest %q, problems %v: want none", next, a.Verdict.Dest, a.Problems)
		}
		if got := findingCodes(a.Verdict); !slices.Contains(got, FindingNoMailboxDelivery) {
			t.Errorf("%q: findings %v lack %s", next, got, FindingNoMailboxDelivery)
		}
		for _, f := range a.Verdict.Findings {
			if f.Reason.Code == FindingNoMailboxDelivery && f.Reason.Detail != "X-Microsoft-Antispam-Mailbox-Delivery (field 2) is empty: the header does not say which folder" {
				t.Errorf("%q: finding %q", next, f.Reason.Detail)
			}
		}
	}
}
