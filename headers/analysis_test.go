package headers

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func analyze(t *testing.T, block string) *Analysis {
	t.Helper()
	block = strings.ReplaceAll(block, "\n", "\r\n")
	h, err := Read(strings.NewReader(block), Limits{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return Analyze(h)
}

func findingCodes(v Verdict) []string {
	var out []string
	for _, f := range v.Findings {
		out = append(out, f.Reason.Code)
	}
	return out
}

func TestParseMailboxDelivery(t *testing.T) {
	// A consumer Junk delivery as Outlook.com writes it.
	r, err := ParseMailboxDelivery("ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;ENG:(5062000305)(90000117);RF:JunkEmail;")
	if err != nil {
		t.Fatal(err)
	}
	if r.Dest != "J" || r.OFR != "SpamFilterAuthJ" || r.RF != "JunkEmail" || len(r.Items) != 7 {
		t.Errorf("got %+v", r)
	}
	if _, err := ParseMailboxDelivery("dest:I;dest:J;"); err == nil {
		t.Error("dest twice: no error")
	}
	if _, err := ParseMailboxDelivery("ucf:0;broken;"); err == nil {
		t.Error("item without ':': no error")
	}
}

// TestExplainDelivery: the folders MHA's rules.json names (dest:I Inbox, dest:J "Spam Folder",
// dest:C "Custom Folder") and every key real deliveries carry have a meaning.
func TestExplainDelivery(t *testing.T) {
	for _, tc := range []struct{ k, v, want string }{
		{"dest", "I", "delivered to Inbox"},
		{"dest", "J", "delivered to Junk Email"},
		{"dest", "C", "delivered to a custom folder"},
		{"RF", "JunkEmail", "the junk email rule moved the message to Junk Email"},
	} {
		if got, ok := ExplainDelivery(tc.k, tc.v); !ok || got != tc.want {
			t.Errorf("%s:%s = %q, %v; want %q", tc.k, tc.v, got, ok, tc.want)
		}
	}
	for _, k := range []string{"ucf", "jmr", "auth", "wl", "pcwl", "abwl", "dwl", "kl", "dkl", "psp", "ex", "rwl", "iwl", "ijl"} {
		for _, v := range []string{"0", "1"} {
			if _, ok := ExplainDelivery(k, v); !ok {
				t.Errorf("%s:%s has no meaning", k, v)
			}
		}
	}
	for _, v := range []string{"TrustedSenderList", "SpamFilterAuthJ", "SpamFilterPass", "CustomRules", "ExclusiveSettings", "SenderInAddressBook"} {
		if m, ok := ExplainDelivery("OFR", v); !ok || !strings.Contains(m, "folder chosen") {
			t.Errorf("OFR:%s = %q, %v", v, m, ok)
		}
	}
	if _, ok := ExplainDelivery("dest", "Z"); ok {
		t.Error("dest:Z explained")
	}
}

// TestVerdictMHARules: MHA's AndRules (src/data/rules.json) compare dest with SFV; Analyze gives
// the same answers, and uses the organization SCL when no report exists (consumer mail).
func TestVerdictMHARules(t *testing.T) {
	const inb = "X-MS-Exchange-Organization-MessageDirectionality: Incoming\n"
	for _, tc := range []struct {
		name, block string
		want        []string
		folder      string
	}{
		{"spam in inbox", "X-Forefront-Antispam-Report: SCL:5;SFV:SPM;DIR:INB;\nX-Microsoft-Antispam-Mailbox-Delivery: dest:I;OFR:TrustedSenderList;\n",
			[]string{FindingSpamInInbox}, "Inbox"},
		{"ham in junk", "X-Forefront-Antispam-Report: SCL:1;SFV:NSPM;DIR:INB;\nX-Microsoft-Antispam-Mailbox-Delivery: dest:J;OFR:ExclusiveSettings;\n",
			[]string{FindingNotSpamInJunk}, "Junk Email"},
		{"spam in custom folder", "X-Forefront-Antispam-Report: SCL:6;SFV:SPM;DIR:INB;\nX-Microsoft-Antispam-Mailbox-Delivery: ucf:1;dest:C;OFR:CustomRules;\n",
			[]string{FindingSpamInCustomFolder}, "a custom folder"},
		{"ham in custom folder", "X-Forefront-Antispam-Report: SCL:1;SFV:NSPM;DIR:INB;\nX-Microsoft-Antispam-Mailbox-Delivery: dest:C;\n",
			[]string{FindingNotSpamInCustom}, "a custom folder"},
		{"ham in inbox", "X-Forefront-Antispam-Report: SCL:1;SFV:NSPM;DIR:INB;\nX-Microsoft-Antispam-Mailbox-Delivery: dest:I;\n",
			[]string{FindingNotSpamInInbox}, "Inbox"},
		// Consumer mail: no report, the organization SCL says spam, delivered to Junk: nothing odd.
		{"org SCL only, junk", inb + "X-MS-Exchange-Organization-SCL: 5\nX-Microsoft-Antispam-Mailbox-Delivery: dest:J;RF:JunkEmail;\n",
			[]string{FindingNoReport}, "Junk Email"},
		{"org SCL spam in inbox", inb + "X-MS-Exchange-Organization-SCL: 9\nX-Microsoft-Antispam-Mailbox-Delivery: dest:I;OFR:TrustedSenderList;\n",
			[]string{FindingSpamInInbox, FindingNoReport}, "Inbox"},
		{"blocked", "X-Forefront-Antispam-Report: SFV:BLK;DIR:INB;\n", []string{FindingBlocked, FindingNoMailboxDelivery}, ""},
		{"verdict ignored", "X-Forefront-Antispam-Report: SFV:DMS;DIR:INB;\n", []string{FindingVerdictIgnored, FindingNoMailboxDelivery}, ""},
		{"ip blocked", "X-Forefront-Antispam-Report: IPV:BLK;DIR:OUT;\n", []string{FindingIPBlocked}, ""},
		{"ip allowed", "X-Forefront-Antispam-Report: IPV:CAL;SFV:SKN;DIR:OUT;\n", []string{FindingIPAllowed}, ""},
		{"bulk", "X-Microsoft-Antispam: BCL:7;\n", []string{FindingBulk}, ""},
		{"dmarc fail", "Authentication-Results: spf=pass smtp.mailfrom=a.example; dmarc=fail action=oreject header.from=a.example;compauth=fail reason=000\n",
			[]string{FindingAuthFailed, FindingAuthFailed}, ""},
		{"directions disagree", "X-Forefront-Antispam-Report: DIR:OUT;\n" + inb, []string{FindingSourcesDisagree}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := analyze(t, tc.block)
			if diff := cmp.Diff(tc.want, findingCodes(a.Verdict)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%+v", diff, a.Verdict.Findings)
			}
			if a.Verdict.Folder != tc.folder {
				t.Errorf("folder %q, want %q", a.Verdict.Folder, tc.folder)
			}
		})
	}
}

// TestVerdictSources: the complaint — MessageDirectionality: Incoming alone gives a
// direction, the organization SCL alone a spam level.
func TestVerdictSources(t *testing.T) {
	a := analyze(t, "X-MS-Exchange-Organization-MessageDirectionality: Incoming\nX-MS-Exchange-Organization-SCL: 1\nX-MS-Exchange-Organization-AuthAs: Anonymous\n")
	v := a.Verdict
	if v.Direction != "inbound" || v.DirectionSource != "X-MS-Exchange-Organization-MessageDirectionality (field 1) Incoming" {
		t.Errorf("direction %q from %q", v.Direction, v.DirectionSource)
	}
	if v.SCL == nil || *v.SCL != 1 || v.SCLSource != "X-MS-Exchange-Organization-SCL (field 2)" || v.Spam {
		t.Errorf("SCL %v from %q spam %v", v.SCL, v.SCLSource, v.Spam)
	}
	if v.AuthAs != "Anonymous" {
		t.Errorf("AuthAs %q", v.AuthAs)
	}
	// AuthAs alone: Anonymous is an unauthenticated session (inbound), Internal the organization.
	for authAs, want := range map[string]string{"Anonymous": "inbound", "Partner": "inbound", "Internal": "originating", "Other": ""} {
		if got := analyze(t, "X-MS-Exchange-Organization-AuthAs: "+authAs+"\n").Verdict.Direction; got != want {
			t.Errorf("AuthAs %s: direction %q, want %q", authAs, got, want)
		}
	}
	// The report wins over the organization fields; a different SCL is a finding.
	a = analyze(t, "X-Forefront-Antispam-Report: SCL:1;SFV:NSPM;DIR:INB;\nX-MS-Exchange-Organization-SCL: 5\n")
	if v := a.Verdict; *v.SCL != 1 || v.Direction != "inbound" || !slices.Contains(findingCodes(v), FindingSourcesDisagree) {
		t.Errorf("got %+v", v)
	}
}

func TestEnvelope(t *testing.T) {
	a := analyze(t, strings.Join([]string{
		"Received: from b.example by c.example; Tue, 20 Feb 2024 14:35:18 +0000",
		"Received: from a.example by b.example; Tue, 20 Feb 2024 14:35:11 +0000",
		"From: IT Support <support@contoso.com>",
		"Reply-To: <payroll@fabrikam.example>",
		"To: a@contoso.com, b@contoso.com",
		"To: c@contoso.com",
		"Cc: undisclosed-recipients:;",
		"Date: Tue, 20 Feb 2024 14:32:07 +0000",
		"Message-ID: <CAB7x@mail.contoso.com>",
		"Subject: =?utf-8?B?SGVsbG8=?= =?utf-8?Q?_world?=",
	}, "\n")+"\n")
	e := a.Envelope
	if len(e.To) != 3 || e.ToFields != 2 || e.CcFields != 1 || len(e.Cc) != 0 {
		t.Errorf("To %v (%d fields), Cc %v (%d fields)", e.To, e.ToFields, e.Cc, e.CcFields)
	}
	if !e.ReplyToDiffers {
		t.Error("Reply-To differs from From but ReplyToDiffers is false")
	}
	// 14:35:18 - 14:32:07 = 3m11s.
	if !e.HasDeliveryTime || e.DeliveryTime != 3*time.Minute+11*time.Second {
		t.Errorf("delivery time %v (%v)", e.DeliveryTime, e.HasDeliveryTime)
	}
	// RFC 2047 §6.2: the space between two encoded-words is dropped; "_" is a space in Q.
	if e.Subject != "Hello world" || e.SubjectRaw == "" {
		t.Errorf("subject %q raw %q", e.Subject, e.SubjectRaw)
	}
	if !e.MessageIDValid || len(a.Problems) != 0 {
		t.Errorf("Message-ID valid %v, problems %v", e.MessageIDValid, a.Problems)
	}
}

// TestDecodeCharsets: the charsets real Microsoft 365 mail carries decode; the expected text is
// the encoded bytes read through each charset's table.
func TestDecodeCharsets(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=?windows-1252?Q?Caf=E9_=80?=", "Café €"},         // 0xE9 é, 0x80 € in windows-1252
		{"=?windows-1254?Q?=DDstanbul_=FE?=", "İstanbul ş"}, // 0xDD İ, 0xFE ş in windows-1254
		{"=?koi8-r?B?8NLJ18XU?=", "Привет"},                 // KOI8-R bytes F0 D2 C9 D7 C5 D4
		{"=?iso-2022-jp?B?GyRCJEskWyRzGyhC?=", "にほん"},       // ESC $ B 2B 2B 2B ESC ( B
		{"=?iso-8859-1?Q?Gr=FC=DFe?=", "Grüße"},
		{"plain text", "plain text"},
		{"=?utf-8?Q?a?= b =?utf-8?Q?c?=", "a b c"},
	} {
		got, bad := DecodeText(tc.in)
		if got != tc.want || len(bad) != 0 {
			t.Errorf("DecodeText(%q) = %q, %q; want %q", tc.in, got, bad, tc.want)
		}
	}
	// An unknown charset and broken base64 stay as written, reported.
	in := "Re: =?x-unknown?Q?abc?= and =?utf-8?B?!!!?="
	got, bad := DecodeText(in)
	if got != in || len(bad) != 2 {
		t.Errorf("DecodeText(%q) = %q, %q", in, got, bad)
	}
}

// TestAddressCFWS: RFC 5322 §3.4 allows CFWS around the addr-spec inside angle brackets;
// net/mail refuses it.
func TestAddressCFWS(t *testing.T) {
	for _, tc := range []struct{ in, name, addr string }{
		{"Name <user@example.com >", "Name", "user@example.com"},
		{"Name < user@example.com>", "Name", "user@example.com"},
		{"<user(comment)@example.com>", "", "user@example.com"},
		{"=?koi8-r?B?8NLJ18XU?= <user@example.com>", "Привет", "user@example.com"},
		{`"a > b" <user@example.com >`, "a > b", "user@example.com"},
	} {
		list, bad, err := parseAddressList(tc.in)
		if err != nil || len(list) != 1 || list[0].Name != tc.name || list[0].Address != tc.addr || len(bad) != 0 {
			t.Errorf("parseAddressList(%q) = %v, %v, %v", tc.in, list, bad, err)
		}
	}
	// An undecodable name word is kept raw, the address still parses.
	list, bad, err := parseAddressList("=?x-unknown?Q?abc?= <user@example.com>")
	if err != nil || len(list) != 1 || list[0].Name != "=?x-unknown?Q?abc?=" || len(bad) != 1 {
		t.Errorf("got %v, %v, %v", list, bad, err)
	}
	// The From: one mailbox, no problem, so DKIM signing is not refused.
	m := parse(t, "From: Name <user@example.com >\n")
	if mb, ok := m.FromMailbox(); !ok || mb.Address != "user@example.com" {
		t.Errorf("FromMailbox = %v, %v; problems %v", mb, ok, m.Problems)
	}
}

func TestValidMsgID(t *testing.T) {
	for in, want := range map[string]bool{
		"<a@b>":                 true,
		" <a.b@c.example> ":     true,
		"(c) <a@b> (d)":         true,
		"a@b":                   false,
		"<a b@c>":               false,
		"<ab>":                  false,
		"<@b>":                  false,
		"<a@b@c>":               false,
		"<a@b> <c@d>":           false,
		"":                      false,
		"<a@[192.0.2.1]>":       true,
		"<CAB7x@mail.contoso>x": false,
	} {
		if got := validMsgID(in); got != want {
			t.Errorf("validMsgID(%q) = %v, want %v", in, got, want)
		}
	}
}
