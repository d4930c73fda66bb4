package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// headersRun writes block (LF line ends become CRLF) to a file and runs mailflow headers on it.
func headersRun(t *testing.T, block string, args ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(block, "\n", "\r\n")+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(append(append([]string{"headers"}, args...), file), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	return stdout.String()
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestHeadersVerdictSources: the consumer delivery — MessageDirectionality: Incoming and
// the organization SCL, no X-Forefront-Antispam-Report — shows direction, verdict and folder.
func TestHeadersVerdictSources(t *testing.T) {
	out := headersRun(t, "X-MS-Exchange-Organization-MessageDirectionality: Incoming\n"+
		"X-MS-Exchange-Organization-SCL: 6\n"+
		"X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;RF:JunkEmail;\n"+
		"From: a@b.example\n")
	wantLines(t, out,
		"Direction                inbound (X-MS-Exchange-Organization-MessageDirectionality (field 1)\n                           Incoming)",
		"Spam verdict             SCL:6 — spam (X-MS-Exchange-Organization-SCL (field 2))",
		"Folder                   Junk Email (dest:J; OFR:SpamFilterAuthJ — folder chosen by the spam\n",
		"  RF     JunkEmail                    the junk email rule moved the message to Junk Email",
	)
	if strings.Contains(out, "Direction unknown") || strings.Contains(out, "no X-Forefront-Antispam-Report\n") {
		t.Errorf("direction called unknown:\n%s", out)
	}
}

// TestHeadersSpamInInbox: MHA's rule "Email filtered as spam but sent to inbox".
func TestHeadersSpamInInbox(t *testing.T) {
	out := headersRun(t, "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:5;SFV:SPM;CAT:SPM;DIR:INB;\n"+
		"X-Microsoft-Antispam-Mailbox-Delivery: wl:1;pcwl:1;dest:I;OFR:TrustedSenderList;\n")
	wantLines(t, out, "  ! filtered as spam (SFV:SPM) but delivered to the Inbox (OFR:TrustedSenderList)")
	// Sentences by default, codes with -v (§4: codes read as noise).
	if strings.Contains(out, "verdict.spam-in-inbox") {
		t.Errorf("reason code in default output:\n%s", out)
	}
	v := headersRun(t, "X-Forefront-Antispam-Report: SCL:5;SFV:SPM;DIR:INB;\nX-Microsoft-Antispam-Mailbox-Delivery: dest:I;\n", "-v")
	wantLines(t, v, "[verdict.spam-in-inbox]")
}

// TestHeadersCounting: field numbers count from 1, "1 hop" is singular, a negative delay says
// clock skew, and a tenant conflict is under Problems.
func TestHeadersCounting(t *testing.T) {
	out := headersRun(t, "Received: from b.example by c.example; Tue, 20 Feb 2024 14:35:00 +0000\n"+
		"Received: from a.example by b.example; Tue, 20 Feb 2024 14:35:10 +0000\n"+
		"X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\n"+
		"X-MS-Exchange-CrossTenant-Id: 22222222-2222-2222-2222-222222222222\n")
	wantLines(t, out,
		"2. 2024-02-20 14:35:00, 10s earlier than the hop before: clock skew (field 1)",
		"1. 2024-02-20 14:35:10 (field 2)",
		"2 hops, 10s backwards: clock skew",
		"Problems\n  field 4 X-MS-Exchange-CrossTenant-Id: X-MS-Exchange-CrossTenant-Id fields disagree",
	)
	one := headersRun(t, "Received: from a.example by b.example; Tue, 20 Feb 2024 14:35:10 +0000\n")
	wantLines(t, one, "Transit                  1 hop, 0s from first to last")
}

// TestHeadersEnvelope: Date with the delivery time, Reply-To flagged when it differs from From,
// To/Cc counts, a To that does not parse, a malformed Message-ID, decoded charsets and the
// RFC 5322 CFWS From of the issue.
func TestHeadersEnvelope(t *testing.T) {
	out := headersRun(t, "Received: from a.example by b.example; Tue, 20 Feb 2024 14:35:18 +0000\n"+
		"From: Name <user@example.com >\n"+
		"Reply-To: other@fabrikam.example\n"+
		"To: carol@@contoso.com\n"+
		"Cc: a@contoso.com, b@contoso.com\n"+
		"Subject: =?koi8-r?B?8NLJ18XU?= =?windows-1254?Q?=DDstanbul?=\n"+
		"Date: Tue, 20 Feb 2024 14:32:07 +0000\n"+
		"Message-ID: no-brackets@example.com\n")
	wantLines(t, out,
		"From                     Name <user@example.com>",
		"Reply-To                 other@fabrikam.example — differs from From: replies go elsewhere",
		"To / Cc                  a To with no mailbox that parses, 2 Cc mailboxes",
		// RFC 2047 §6.2: the space between adjacent encoded-words is not shown.
		"Subject                  Приветİstanbul",
		// 14:35:18 - 14:32:07.
		"Date                     Tue, 20 Feb 2024 14:32:07 +0000; delivered after 3m11s",
		"Message-ID               no-brackets@example.com (malformed, see Problems)",
		"field 4 To: address list:",
		"field 8 Message-ID: not one <left@right> msg-id",
	)
	if strings.Contains(out, "DKIM signing would be refused") {
		t.Errorf("a valid CFWS From called unsignable:\n%s", out)
	}
	none := headersRun(t, "From: a@b.example\n")
	wantLines(t, none, "To / Cc                  no To, no Cc (undisclosed recipients)")
	// An undecodable word is shown raw, with a problem.
	raw := headersRun(t, "Subject: =?x-unknown?Q?abc?= tail\n")
	wantLines(t, raw, "Subject                  =?x-unknown?Q?abc?= tail", "field 1 Subject: encoded-word(s) shown as written")
}

// TestHeadersWidth: values are wrapped at $COLUMNS (100 by default), never cut; -v prints each
// whole on one line.
func TestHeadersWidth(t *testing.T) {
	long := strings.Repeat("word ", 40) + strings.Repeat("x", 150)
	block := "Subject: " + long + "\nX-MS-Exchange-Organization-Network-Message-Id: " + strings.Repeat("y", 130) + "\n"
	for _, cols := range []string{"", "60", "junk"} {
		t.Setenv("COLUMNS", cols)
		out := headersRun(t, block)
		max := 100
		if cols == "60" {
			max = 60
		}
		for _, l := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(l); n > max {
				t.Errorf("COLUMNS=%q: line of %d runes: %q", cols, n, l)
			}
			if strings.Contains(l, "…") {
				t.Errorf("COLUMNS=%q: a value was cut: %q", cols, l)
			}
		}
		if strings.Count(strings.ReplaceAll(out, "\n", " "), "x") < 150 {
			t.Errorf("COLUMNS=%q: the long word lost characters", cols)
		}
	}
	t.Setenv("COLUMNS", "")
	v := headersRun(t, block, "-v")
	wantLines(t, v, "Subject                  "+strings.TrimSpace(long)+"\n", strings.Repeat("y", 130))
}

// TestHeadersJSON: --format json prints headers.Analysis with its JSON tags; explain --format
// json carries the same analysis under "headers".
func TestHeadersJSON(t *testing.T) {
	out := headersRun(t, "X-MS-Exchange-Organization-MessageDirectionality: Incoming\n"+
		"X-Microsoft-Antispam-Mailbox-Delivery: dest:J;\nTo: a@b.example\n", "--format", "json")
	var got struct {
		Verdict struct {
			Direction, Folder string
		}
		Envelope struct {
			ToFields int
		}
		MailboxDelivery []struct{ Dest string }
		Fields          int
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Verdict.Direction != "inbound" || got.Verdict.Folder != "Junk Email" || got.Envelope.ToFields != 1 ||
		len(got.MailboxDelivery) != 1 || got.Fields != 3 {
		t.Errorf("got %+v\n%s", got, out)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"explain", "--format", "json", "--config", "testdata/demo.json", "testdata/explain-contoso.eml"}, &stdout, &stderr); code != 0 {
		t.Fatalf("explain exit %d: %s", code, stderr.String())
	}
	var ex struct {
		Headers *struct {
			Envelope struct{ Subject string }
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &ex); err != nil || ex.Headers == nil || ex.Headers.Envelope.Subject != "quarterly numbers" {
		t.Errorf("explain JSON has no header analysis: %v\n%s", err, stdout.String())
	}
}

// TestHeadersMHAParity: rows MHA shows that the summary must show too — Archived-At, each hop's
// share of the transit (MHA's Percent), and every other field (MHA's "Other headers": names, and
// values with -v).
func TestHeadersMHAParity(t *testing.T) {
	block := "Received: from b.example by c.example; Tue, 20 Feb 2024 14:35:18 +0000\n" +
		"Received: from a.example by b.example; Tue, 20 Feb 2024 14:35:11 +0000\n" +
		"Received: from z.example by a.example; Tue, 20 Feb 2024 14:35:10 +0000\n" +
		"Archived-At: <https://lists.example/msg/1>\n" +
		"List-Id: <dev.lists.example>\n"
	out := headersRun(t, block)
	// Delays 1s and 7s: 12.5% and 87.5% of the 8s sum, rounded.
	wantLines(t, out, "Archived-At              <https://lists.example/msg/1>",
		"after 1s (12% of the transit)", "after 7s (88% of the transit)",
		"Other fields (1)\n  List-Id (-v prints their values)")
	v := headersRun(t, block, "-v")
	wantLines(t, v, "  5 List-Id: <dev.lists.example>")
}

// TestHeadersRealGolden runs `mailflow headers` on every real message of the headers package's
// testdata/real (sources and licences in its SOURCES.md; the facts are asserted by
// TestRealMessages there) and compares the text with testdata/golden/real-<name>.txt.
func TestHeadersRealGolden(t *testing.T) {
	t.Setenv("COLUMNS", "")
	files, err := filepath.Glob(filepath.Join("..", "..", "headers", "testdata", "real", "*.eml"))
	if err != nil || len(files) < 12 {
		t.Fatalf("want at least 12 real messages, have %d: %v", len(files), err)
	}
	for _, file := range files {
		name := "real-" + strings.TrimSuffix(filepath.Base(file), ".eml") + ".txt"
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run([]string{"headers", file}, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			checkWidth(t, stdout.String())
			compareGolden(t, name, stdout.Bytes())
		})
	}
}
