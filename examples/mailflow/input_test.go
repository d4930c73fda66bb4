package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestBadInputs runs every bad input of issue 16 §2 and checks the exit status and the whole of
// standard error word for word ($T stands for the temporary directory). Each message names the
// file, where in it (line, column, JSON path; byte of a header line; the flag) and what to do.
func TestBadInputs(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const (
		nothingHint   = "\n  (a configuration is one JSON object with \"tenants\" and a \"gateway\", as the README's \"Configuration\" section shows; re-run a failed export)\n"
		fieldsHint    = "\n  (fix the fields named above; the README's \"Configuration\" section lists every field)\n"
		noGatewayText = `no gateway: the configuration has no "gateway" object, so there is no gateway in front of Exchange Online to check` +
			"\n  (add \"gateway\": {\"name\": …, \"serves\": […]} as the README's \"Configuration\" section shows)\n"
		emptyText = "the file is empty or only white space: it configures nothing (a failed export leaves an empty file)"
		msgText   = `this is an Outlook .msg file (Outlook's own binary format), not a message in Internet format: ` +
			`in Outlook open the message, choose File > Properties and save the "Internet headers" box as a text file ` +
			`(Outlook on the web: View > View message details), then pass that file` + "\n"
		mboxText = `this is an mbox mailbox (it starts with a "From " line, RFC 4155), not one message: ` +
			`save the single message as .eml ("Save as" or "Show original" in most mail clients), ` +
			`or delete the first line if the file holds one message` + "\n"
	)
	empty := write("empty.json", "")
	blank := write("blank.json", " \n\t\n")
	null := write("null.json", "null\n")
	list := write("list.json", "[]")
	object := write("object.json", "{ }")
	noGateway := write("nogateway.json", `{"tenants": []}`)
	emptyGateway := write("emptygateway.json", `{"tenants": [], "gateway": {"name": ""}}`)
	unnamed := write("unnamed.json", `{"tenants": [], "gateway": {"name": "", "serves": []}}`)
	// A bad GUID and a bad gateway address: both reported, each at its value (column 21 of line
	// 1; column 67 of line 2, the opening quote of "300.0.0.1"), with its path.
	values := write("values.json", "{\"tenants\": [{\"id\": \"nope\"}],\n \"gateway\": {\"name\": \"gw.example.net\", \"addresses\": [\"192.0.2.1\", \"300.0.0.1\"]}}")
	// "Serves" (wrong case) at column 55 of line 1: refused, not read as "serves".
	wrongCase := write("case.json", `{"tenants": [], "gateway": {"name": "gw.example.net", "Serves": []}}`)
	// The second "name" key opens at column 2 of line 2; the first at column 14 of line 1.
	dup := write("dup.json", "{\"gateway\": {\"name\": \"gw.example.net\",\n \"name\": \"other.example.net\"}}")
	undisclosed := write("undisclosed.eml", "Subject: x\r\nTo: undisclosed-recipients:;\r\n\r\n")
	badTo := write("badto.eml", "Subject: x\r\nTo: Erin <erin@contoso.com\r\n\r\n")
	// RFC 5322 §3.4 allows folding white space and comments inside the angle brackets: the
	// envelope recipient is read as the header analysis reads it, not refused as unclosed.
	cfwsTo := write("cfwsto.eml", "Subject: x\r\nTo: Erin <erin@contoso.com (Erin) >\r\n\r\n")
	// "Sub ject": the offending byte is the space, byte 4 of line 2.
	badName := write("badname.eml", "To: erin@contoso.com\r\nSub ject: x\r\n\r\n")
	longLine := write("long.eml", "Subject: "+strings.Repeat("x", 100)+"\r\n\r\n")
	msg := write("message.msg", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00")
	mbox := write("mailbox.mbox", "From erin@contoso.com Tue Dec  1 07:00:00 2026\nSubject: x\n\n")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
		wantStdout string // a substring of standard output
	}{
		{"lint-empty", []string{"lint", empty}, 1, "mailflow lint: $T/empty.json: " + emptyText + nothingHint, ""},
		{"lint-white-space", []string{"lint", blank}, 1, "mailflow lint: $T/blank.json: " + emptyText + nothingHint, ""},
		{"lint-null", []string{"lint", null}, 1, "mailflow lint: $T/null.json: the file holds only null: it configures nothing (a cmdlet that found nothing writes null)" + nothingHint, ""},
		{"lint-empty-list", []string{"lint", list}, 1, "mailflow lint: $T/list.json: the file holds an empty list: it configures nothing (a cmdlet that found nothing writes [])" + nothingHint, ""},
		{"lint-empty-object", []string{"lint", object}, 1, "mailflow lint: $T/object.json: the file holds an empty object: it configures nothing (no \"tenants\" and no \"gateway\")" + nothingHint, ""},
		{"lint-empty-exports", []string{"lint", empty, null}, 1, "mailflow lint: $T/empty.json: " + emptyText + "\n$T/null.json: configures nothing either" + nothingHint, ""},
		{"lint-no-gateway", []string{"lint", noGateway}, 1, "mailflow lint: $T/nogateway.json: " + noGatewayText, ""},
		{"lint-empty-gateway", []string{"lint", emptyGateway}, 1, "mailflow lint: $T/emptygateway.json: " + noGatewayText, ""},
		{"lint-exports-into-no-gateway", []string{"lint", "--tenant-id", "44444444-4444-4444-4444-444444444444", "--config", noGateway,
			"testdata/exports/orca-config.json"}, 1, "mailflow lint: $T/nogateway.json: " + noGatewayText, ""},
		{"simulate-no-gateway", []string{"simulate", noGateway, "--to", "erin@contoso.com"}, 1, "mailflow simulate: $T/nogateway.json: " + noGatewayText, ""},
		{"lint-unnamed-gateway", []string{"lint", unnamed}, 1,
			"mailflow lint: $T/unnamed.json: gateway.name: required: the gateway's host name (its HELO name and default authserv-id)" + fieldsHint, ""},
		{"lint-values", []string{"lint", values}, 1,
			`mailflow lint: $T/values.json: line 1, column 21: tenants[0].id: invalid tenant ID "nope": want 36 characters in the form 8-4-4-4-12, have 4` + "\n" +
				`$T/values.json: line 2, column 67: gateway.addresses[1]: "300.0.0.1" is not an IP address: IPv4 field has value >255` + fieldsHint, ""},
		{"lint-wrong-case", []string{"lint", wrongCase}, 1,
			`mailflow lint: $T/case.json: line 1, column 55: gateway: unknown field "Serves" (did you mean "serves"? keys are case-sensitive)` + fieldsHint, ""},
		{"lint-duplicate", []string{"lint", dup}, 1,
			`mailflow lint: $T/dup.json: line 2, column 2: gateway.name: repeated key (first at line 1, column 14); a key may appear once in an object` + fieldsHint, ""},

		{"simulate-from", []string{"simulate", "testdata/demo.json", "--from", "not an address", "--to", "erin@contoso.com"}, 2,
			`mailflow simulate: --from "not an address": not an email address (want local-part@domain, such as erin@contoso.com)` + "\n", ""},
		{"simulate-to-display-name", []string{"simulate", "testdata/demo.json", "--from", "a@fabrikam.example", "--to", "Erin <erin@contoso.com>"}, 2,
			`mailflow simulate: --to "Erin <erin@contoso.com>": give the bare address erin@contoso.com, without the display name` + "\n", ""},
		{"simulate-no-to", []string{"simulate", "testdata/demo.json"}, 2, "mailflow simulate: missing --to ADDR: the recipient to follow\n", ""},
		{"simulate-no-config", []string{"simulate", "--to", "erin@contoso.com"}, 2, "mailflow simulate: missing CONFIG.json; mailflow simulate -h describes the flags\n", ""},
		// A quoted local part is an address, not a display name (RFC 5321 §4.1.2).
		{"simulate-quoted-local-part", []string{"simulate", "testdata/demo.json", "--from", "carol@contoso.com", "--to", `"erin smith"@woodgrove.example`}, 0, "", "DELIVERED"},
		// The SMTP form <addr> is an address.
		{"simulate-angle-form", []string{"simulate", "testdata/demo.json", "--from", "<carol@contoso.com>", "--to", "<erin@woodgrove.example>"}, 0, "", "DELIVERED"},

		{"explain-undisclosed", []string{"explain", "--config", "testdata/demo.json", undisclosed}, 1,
			"mailflow explain: $T/undisclosed.eml: no To or Cc address (undisclosed recipients?) to take as the envelope recipient; give the envelope recipients with --rcpt ADDR\n", ""},
		{"explain-undisclosed-rcpt", []string{"explain", "--config", "testdata/demo.json", "--rcpt", "erin@contoso.com", undisclosed}, 0, "", "rcpt        erin@contoso.com"},
		{"explain-bad-to", []string{"explain", "--config", "testdata/demo.json", badTo}, 1,
			"mailflow explain: $T/badto.eml: the To field does not parse as addresses; give the envelope recipients with --rcpt ADDR\n", ""},
		{"explain-cfws-to", []string{"explain", "--config", "testdata/demo.json", cfwsTo}, 0, "", "rcpt        erin@contoso.com"},
		{"explain-bad-rcpt", []string{"explain", "--config", "testdata/demo.json", "--rcpt", "Erin <erin@contoso.com>", badTo}, 2,
			`mailflow explain: --rcpt "Erin <erin@contoso.com>": give the bare address erin@contoso.com, without the display name` + "\n", ""},
		// A malformed header: the verdict the gateway gives, 554 5.6.0 (classify.ReplyHeaderInvalid).
		{"explain-malformed", []string{"explain", "--config", "testdata/demo.json", badName}, 0, "",
			"header      not readable, so the gateway refuses every recipient with 554 5.6.0 Malformed message\n              header: malformed header block: line 2: field name holds white space at byte 4"},
		{"explain-malformed-rcpt", []string{"explain", "--config", "testdata/demo.json", "--rcpt", "erin@contoso.com", badName}, 0, "",
			"rcpt        erin@contoso.com → reject: 554 5.6.0 Malformed message header"},
		{"explain-over-limit", []string{"explain", "--config", "testdata/demo.json", "--max-line", "50", longLine}, 0, "",
			"header: limit exceeded: line 1 is over --max-line (50 bytes)"},
		{"explain-no-config", []string{"explain", undisclosed}, 2, "mailflow explain: missing --config CONFIG.json: the verdict depends on the gateway's configuration\n", ""},
		{"explain-no-message", []string{"explain", "--config", "testdata/demo.json"}, 2,
			"mailflow explain: missing MESSAGE.eml (\"-\" reads standard input); mailflow explain -h describes the flags\n", ""},
		{"explain-msg", []string{"explain", "--config", "testdata/demo.json", msg}, 1, "mailflow explain: $T/message.msg: " + msgText, ""},
		{"explain-negative-limit", []string{"explain", "--config", "testdata/demo.json", "--max-fields", "-1", undisclosed}, 2, "mailflow explain: --max-fields -1: want a positive number\n", ""},

		{"headers-msg", []string{"headers", msg}, 1, "mailflow headers: $T/message.msg: " + msgText, ""},
		{"headers-mbox", []string{"headers", mbox}, 1, "mailflow headers: $T/mailbox.mbox: " + mboxText, ""},
		{"headers-field-name", []string{"headers", badName}, 1,
			"mailflow headers: $T/badname.eml: headers: malformed header block: line 2: field name holds white space at byte 4 (a field name is one word; white space may only come right before the ':')\n", ""},
		{"headers-limit-flag", []string{"headers", "--max-line", "50", longLine}, 1,
			"mailflow headers: $T/long.eml: headers: limit exceeded: line 1 is over --max-line (50 bytes)\n", ""},
		{"headers-negative-limit", []string{"headers", "--max-line", "-5", longLine}, 2, "mailflow headers: --max-line -5: want a positive number\n", ""},
		{"headers-zero-limit", []string{"headers", "--max-bytes", "0", longLine}, 2, "mailflow headers: --max-bytes 0: want a positive number\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			got := strings.ReplaceAll(stderr.String(), tmp, "$T")
			if tc.name == "lint-exports-into-no-gateway" {
				// Import warnings and the note that the gateway serves nobody come first: compare
				// the last message only.
				if i := strings.LastIndex(got, "mailflow lint: "); i >= 0 {
					got = got[i:]
				}
			}
			if code != tc.wantCode || got != tc.wantStderr {
				t.Errorf("exit status %d, stderr:\n%s\nwant %d, stderr:\n%s", code, got, tc.wantCode, tc.wantStderr)
			}
			if !strings.Contains(stdout.String(), tc.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantStdout, stdout.String())
			}
		})
	}
}

// TestLintEncodings checks that a configuration saved with a UTF-8 byte order mark or as UTF-16
// (what Windows PowerShell 5.1 writes) lints like the plain UTF-8 file.
func TestLintEncodings(t *testing.T) {
	data, err := os.ReadFile("testdata/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	u16 := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune(string(data))) {
		u16 = append(u16, byte(c), byte(c>>8))
	}
	var want bytes.Buffer
	wantCode := run([]string{"lint", "--format", "json", "testdata/demo.json"}, &want, &bytes.Buffer{})
	for name, in := range map[string][]byte{"bom.json": append([]byte{0xEF, 0xBB, 0xBF}, data...), "utf16.json": u16} {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, in, 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run([]string{"lint", "--format", "json", p}, &stdout, &stderr)
		got := strings.ReplaceAll(stdout.String(), p, "testdata/demo.json")
		if code != wantCode || got != want.String() {
			t.Errorf("%s: exit status %d (want %d), stderr %s\n%s", name, code, wantCode, stderr.String(), got)
		}
	}
}
