package headers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate/internal/golden"
)

// realFacts is what Analyze must show for one real message of testdata/real (sources and
// licences in testdata/real/SOURCES.md). Each was read off the block by hand once and checked
// against Microsoft's antispam header page (AntispamHeadersDoc): Direction and its source, the
// SCL and SFV, the folder, the compauth result's documented meaning, the tenant, how many
// Received fields there are and how many record TLS, the From address, the finding and problem
// codes.
type realFacts struct {
	Direction, DirectionFrom string
	SCL                      string // "" when no source gives one
	SFV, Folder              string
	CompAuth                 string // a phrase of ExplainCompAuthReason for the EXO compauth reason
	Tenant                   string
	Received, TLS            int
	From                     string
	Findings, Problems       []string
}

var realWant = map[string]realFacts{
	// Outlook.com consumer mailbox receiving from Gmail (MHA's EWS test): only Received fields
	// and the envelope, so no direction or verdict is claimed; three Microsoft hops record
	// version=TLS1_2 (the two EOP hops and Gmail to EOP).
	"mha-2018-05-outlookcom-inbound-from-gmail": {Received: 5, TLS: 3, From: "testuser@gmail.com"},
	// Exchange Online NDR ("Undeliverable") written by the tenant: DIR:OUT is outbound, SFV:NSPM
	// and SCL:1 are "not spam" on the page.
	"flanker-2017-10-o365-ndr-undeliverable": {Direction: "outbound", DirectionFrom: "X-Forefront-Antispam-Report",
		SCL: "1", SFV: "NSPM", Received: 1, From: "postmaster@example.no"},
	// A TNEF sent item of a tenant: CrossTenant-id (lower-case name) and FromEntityHeader Hosted,
	// no Received and no verdict.
	"mimekit-2017-11-tenant-crosstenant-tnef": {Tenant: "40d46455-7b12-40ff-af7f-f7d2f9b13fb2", From: "rrtest1@xink.io"},
	// A bounce entering a tenant through a Proofpoint gateway on the IP Allow List: IPV:CAL ("skipped
	// spam filtering because the source IP address was in the IP Allow List") hence SCL:-1;
	// SFV:NSPM, DIR:INB, dest:I; compauth=softpass reason=202 ("2xx: soft-passed implicit
	// authentication"); dmarc=fail action=none is a failure MHA's rules flag.
	"mimekit-2022-01-tenant-inbound-bounce-via-proofpoint": {Direction: "inbound", DirectionFrom: "X-Forefront-Antispam-Report",
		SCL: "-1", SFV: "NSPM", Folder: "Inbox", CompAuth: "soft-passed implicit authentication",
		Tenant: "c97f81cf-af66-452f-88dc-9dbdb71e46d9", Received: 6, TLS: 3, From: "MAILER-DAEMON@hmail.jitbit.com",
		Findings: []string{FindingNotSpamInInbox, FindingIPAllowed, FindingAuthFailed}},
	// A non-Microsoft message (LinkedIn's DMARC failure report): nothing to claim.
	"parsedmarc-2019-04-linkedin-dmarc-report-non-microsoft": {Received: 2, From: "dmarc-noreply@linkedin.com"},
	// A tenant's Junk Email delivery (parsedmarc's Mimecast sample): a DMARC report relayed by
	// Mimecast into Exchange Online. The page's SFV:SPM ("marked as spam by spam filtering"), SCL 5
	// and CAT:SPM say spam; an anti-spam policy's default action for spam moves it to Junk Email,
	// and dest:J with OFR:SpamFilterAuthJ agrees, so MHA's dest/SFV rules (spam in Inbox, not spam
	// in Junk) do not fire. compauth=pass reason=100: "1xx: passed". Mimecast's hop into EOP
	// records no TLS, the two Exchange hops do.
	"parsedmarc-2023-08-tenant-junk-via-mimecast": {Direction: "inbound", DirectionFrom: "X-Forefront-Antispam-Report",
		SCL: "5", SFV: "SPM", Folder: "Junk Email", CompAuth: "passed",
		Tenant: "6a84b1de-1f34-4ef7-833c-a5017802acbb", Received: 4, TLS: 2, From: "no-reply@au-1.mimecastreport.com"},
	// Hybrid inbound through the tenant's own servers (parsedmarc's Google report to Cardinal
	// Health): Google, an IronPort, Exchange 2010 on premises (id 14.3), then the hybrid connector
	// into Exchange Online, which marks it FromEntityHeader HybridOnPrem and MessageDirectionality
	// Originating (it came over the organization's own connector) while its report says DIR:INB
	// ("inbound") and the promoted on-premises AuthAs says Anonymous (an Internet sender): the
	// report's inbound is the direction shown, and the Originating is explained by HybridOnPrem
	// (docs/exchange-online.md#originating-incoming-internal), not flagged as an error. SFV:SKN ("marked
	// as non-spam prior to being processed by spam filtering") with SCL -1, dest:I. The
	// Authentication-Results has dkim=fail and dmarc=fail (the IronPort relay broke Google's
	// signature) and no compauth. The To field carries two continuation lines of a Content-Type
	// parameter (name=, filename=) as stored, so it does not parse.
	"parsedmarc-2019-02-hybrid-onprem-ironport-to-exo": {Direction: "inbound", DirectionFrom: "X-Forefront-Antispam-Report",
		SCL: "-1", SFV: "SKN", Folder: "Inbox", Tenant: "a86dc674-e6a2-4c25-b4ba-e36c31382530", Received: 9, TLS: 3,
		From:     "noreply-dmarc-support@google.com",
		Findings: []string{FindingInboundViaOnPremises, FindingNotSpamInInbox, FindingAuthFailed, FindingAuthFailed},
		Problems: []string{ProblemToInvalid}},
	// An Outlook.com consumer Junk Email delivery as sisimai stores it (a bounce sent to a
	// consumer mailbox): the block lost its folding white space, so the Mailbox-Delivery value
	// "abwl:0;…;dest:J;OFR:SpamFilterAuthJ;…;RF:JunkEmail;" stands on its own line as a field
	// named "abwl" (and X-Microsoft-Antispam's as "BCL"). Analyze reads the folder from it and
	// says so. Consumer mail carries no SFV or SCL (the report is only EFV:NLI), so no spam
	// verdict is claimed; MessageDirectionality Incoming gives the direction.
	"sisimai-2019-04-outlookcom-consumer-junk-lost-folding": {Direction: "inbound",
		DirectionFrom: "X-MS-Exchange-Organization-MessageDirectionality", Folder: "Junk Email",
		Tenant: "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa", Received: 4, TLS: 2, From: "MAILER-DAEMON@rokujo.cr.nyaan.jp",
		Problems: []string{ProblemMailboxDeliveryFoldingLost}},
	// An Outlook.com NDR written in one Exchange Online forest (PU1APC01HT176, APAC) and
	// delivered to a consumer mailbox in another (CY1NAM02HT141, NAM) — two passes (realPasses):
	// two CrossTenantHeadersStamped, and the later pass's front end stripped the earlier
	// CrossTenant set (CrossTenantHeadersStripped) and promoted its own. Same lost folding as
	// above: the Mailbox-Delivery value (dest:I, OFR:SpamFilterPass) is read from a field named
	// "abwl", and the newest Received lost its continuation line (a field named "(2603"), so it
	// has no date. No SFV or SCL (consumer); no compauth in Authentication-Results.
	"sisimai-2019-04-outlookcom-consumer-two-pass-ndr-lost-folding": {Direction: "inbound",
		DirectionFrom: "X-MS-Exchange-Organization-MessageDirectionality", Folder: "Inbox",
		Tenant: "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa", Received: 3, TLS: 2, From: "postmaster@outlook.com",
		Problems: []string{ProblemReceivedNoDate, ProblemMailboxDeliveryFoldingLost}},
	// Rackspace hosted Exchange 2010 newsletter: Exchange fields without any EOP verdict.
	"phpmimemailparser-2014-03-hosted-exchange-newsletter": {Received: 5, From: "newsletter@finntack.com"},
	// Office 365 (2014) outbound: lower-case x-forefront-antispam-report with DIR:OUT, SCL:1,
	// SFV:NSPM.
	"phpmimemailparser-2014-03-o365-outbound": {Direction: "outbound", DirectionFrom: "x-forefront-antispam-report",
		SCL: "1", SFV: "NSPM", Received: 3, From: "firstname.name@groupe-company.com"},
	// On-premises Exchange message relayed through Gandi: no EOP fields.
	"phpmimemailparser-2014-10-onprem-exchange-via-gandi": {Received: 5, From: "name@company.com"},
	// Outlook.com consumer submission received by Gmail: the consumer tenant 84df9e7f… (see
	// testdata/headers/SOURCES.md), X-Microsoft-Antispam BCL:0, no report and no direction field.
	"rspamd-2020-09-outlookcom-consumer-outbound-arc": {Tenant: "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa", Received: 5, TLS: 3,
		From: "testcpsf@outlook.com"},
	// The same kind of submission, then through FreeBSD's lists to a non-Microsoft server.
	"rspamd-2020-09-outlookcom-via-freebsd-lists-non-microsoft": {Tenant: "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa", Received: 8, TLS: 2,
		From: "vstakhov@outlook.com"},
	// Exchange 2007/2010 on premises receiving from the Internet: X-MS-Exchange-Organization-AuthAs
	// Anonymous (an unauthenticated session) is the only direction source, and MHA's missing-header
	// rules flag the absent report and mailbox delivery field; the display name is ISO-8859-1 ("Jørn Støylen").
	"rubymail-2009-10-onprem-exchange-inbound": {Direction: "inbound", DirectionFrom: "X-MS-Exchange-Organization-AuthAs",
		Received: 3, From: "jorn@prikkprikkprikk.no",
		Findings: []string{FindingNoReport, FindingNoMailboxDelivery}},
	// A tenant's inbound phish later forwarded to a hosting provider: only Received fields remain
	// of the Microsoft pass; the From name is RFC 2047 UTF-8 Cyrillic.
	"spamscope-2019-tenant-inbound-then-forwarded": {Received: 6, TLS: 1, From: "suvorov.s@nalg.ru"},
	// On-premises Exchange (correo.local) receiving a phish from an OVH server: AuthAs Anonymous,
	// an Authentication-Results of a third-party authserv-id, no EOP verdict.
	"spamscope-2022-10-onprem-exchange-inbound-phish": {Direction: "inbound", DirectionFrom: "X-MS-Exchange-Organization-AuthAs",
		Received: 4, From: "notificaccion-clientes@bbva.mx",
		Findings: []string{FindingNoReport, FindingNoMailboxDelivery}},
}

// realNames are From display names read by hand: =?iso-8859-1?Q?J=F8rn_St=F8ylen?= (0xF8 is ø in
// ISO-8859-1) and a UTF-8 base64 word.
var realNames = map[string]string{
	"rubymail-2009-10-onprem-exchange-inbound":     "Jørn Støylen",
	"spamscope-2019-tenant-inbound-then-forwarded": "служба ФНС Даниил Суворов",
}

// realPasses are the Exchange Online passes (X-MS-Exchange-Transport-CrossTenantHeadersStamped
// fields) and stripped CrossTenant sets (-CrossTenantHeadersStripped) of the multi-pass messages,
// counted by hand.
var realPasses = map[string][2]int{
	"sisimai-2019-04-outlookcom-consumer-two-pass-ndr-lost-folding": {2, 1},
}

func realFactsOf(a *Analysis) realFacts {
	v := a.Verdict
	f := realFacts{Direction: v.Direction, SFV: v.SFV, Folder: v.Folder, Received: len(a.Received)}
	if v.Direction != "" {
		f.DirectionFrom, _, _ = strings.Cut(v.DirectionSource, " (")
	}
	if v.SCL != nil {
		f.SCL = strconv.Itoa(*v.SCL)
	}
	if ar, ok := a.ExoAuthResults(); ok {
		if r, ok := ar.Result("compauth"); ok {
			if m, ok := ExplainCompAuthReason(r.Reason); ok {
				f.CompAuth = m
			}
		}
	}
	if n := len(a.CrossTenant.ID); n > 0 && a.CrossTenant.ID[n-1].Valid {
		f.Tenant = a.CrossTenant.ID[n-1].Tenant.String()
	}
	for _, r := range a.Received {
		if strings.Contains(r.TLS, "version=") {
			f.TLS++
		}
	}
	if mb, ok := a.FromMailbox(); ok {
		f.From = mb.Address
	}
	for _, fd := range v.Findings {
		f.Findings = append(f.Findings, fd.Reason.Code)
	}
	for _, p := range a.Problems {
		f.Problems = append(f.Problems, p.Reason.Code)
	}
	return f
}

// TestRealMessages analyzes every message of testdata/real, checks the facts of realWant and
// compares the JSON of the analysis, without prose, with the .golden.json beside it (-update only
// after reading the change).
func TestRealMessages(t *testing.T) {
	files, err := filepath.Glob("testdata/real/*.eml")
	if err != nil || len(files) < 12 {
		t.Fatalf("want at least 12 real messages, have %d: %v", len(files), err)
	}
	if len(files) != len(realWant) {
		t.Errorf("%d messages, %d entries in realWant", len(files), len(realWant))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h, err := Read(f, Limits{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			a := Analyze(h)
			want, ok := realWant[name]
			if !ok {
				t.Fatalf("no entry for %s in realWant", name)
			}
			got := realFactsOf(a)
			if want.CompAuth != "" && strings.Contains(got.CompAuth, want.CompAuth) {
				got.CompAuth = want.CompAuth
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
			// Display names in other charsets, decoded (RFC 2047 ISO-8859-1 and UTF-8 base64).
			if wantName, ok := realNames[name]; ok {
				if mb, _ := a.FromMailbox(); mb.Name != wantName {
					t.Errorf("From name %q, want %q", mb.Name, wantName)
				}
			}
			if want, ok := realPasses[name]; ok {
				if got := [2]int{len(a.CrossTenant.Stamped), len(a.CrossTenant.Stripped)}; got != want {
					t.Errorf("stamped, stripped = %v, want %v", got, want)
				}
			}
			golden.Decision(t, strings.TrimSuffix(file, ".eml")+".golden.json", a)
		})
	}
}
