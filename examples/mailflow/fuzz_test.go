package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMessageCommands runs `mailflow headers` and `mailflow explain` on arbitrary bytes as the
// message: no panic, exit status 0 or 1 (never a usage error for a well-formed command line),
// text lines within width, and no control character from the message on the terminal.
func FuzzMessageCommands(f *testing.F) {
	for _, name := range []string{"demo.eml", "explain-contoso.eml", "lore-linux-hyperv-2026-07-amd.com-hybridonprem-oatci.eml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Subject: =?utf-8?q?a=1B[2J?=\r\nTo: x@contoso.com\r\n\r\n"))
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\nTo: \"a\x07\" <a@b>\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(t.TempDir(), "m.eml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"headers", file},
			{"explain", "--config", "testdata/demo.json", "--peer-ip", "40.92.0.1", "--peer-cert-name", "mail.protection.outlook.com",
				"--verified", "--rcpt", "erin@woodgrove.example", file},
		} {
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if code != 0 && code != 1 {
				t.Fatalf("mailflow %s: exit status %d; stderr:\n%s", args[0], code, stderr.String())
			}
			for i, line := range strings.Split(stdout.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > width {
					t.Errorf("mailflow %s: line %d is %d columns wide", args[0], i+1, n)
				}
			}
			if strings.ContainsFunc(stdout.String(), func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) {
				t.Errorf("mailflow %s: control character in output:\n%q", args[0], stdout.String())
			}
		}
	})
}

// FuzzWrapLines checks the text wrapper: every line within width, the words kept in order (a
// word longer than a line is cut into pieces that join back to it).
func FuzzWrapLines(f *testing.F) {
	f.Add("  why ", "attr.onprem.none, attr.partner.match, attr.incoming")
	f.Add("", strings.Repeat("x", 250))
	f.Add(strings.Repeat(" ", 95), "a b c")
	f.Fuzz(func(t *testing.T, first, text string) {
		if !utf8.ValidString(first) || !utf8.ValidString(text) || strings.ContainsAny(first, "\n\r\t") {
			return
		}
		lines := wrapLines(first, text)
		if len(lines) == 0 {
			t.Fatal("no line")
		}
		firstN := utf8.RuneCountInString(first)
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n > width && n > firstN+20 {
				t.Errorf("line %d is %d columns wide: %q", i, n, l)
			}
		}
		indent := strings.Repeat(" ", firstN)
		var got strings.Builder
		for i, l := range lines {
			p := indent
			if i == 0 {
				p = first
			}
			if !strings.HasPrefix(l, p) {
				t.Fatalf("line %d %q lacks its prefix %q", i, l, p)
			}
			got.WriteString(strings.ReplaceAll(l[len(p):], " ", ""))
		}
		want := strings.Join(strings.Fields(text), "")
		if got.String() != want {
			t.Errorf("words changed: got %q, want %q", got.String(), want)
		}
	})
}

// FuzzPowerShellLines checks that a wrapped PowerShell command rejoins to the same command:
// every line but the last ends with " `", quoted strings are never split.
func FuzzPowerShellLines(f *testing.F) {
	f.Add("Set-InboundConnector -Identity 'from gateway' -ConnectorType Partner -SenderDomains * -RequireTls $true -RestrictDomainsToCertificate $true")
	f.Add("Set-OrganizationConfig -RejectDirectSend $true")
	f.Add(`New-TransportRule -Name "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p" -SetSCL -1`)
	f.Fuzz(func(t *testing.T, cmd string) {
		if !utf8.ValidString(cmd) || strings.ContainsAny(cmd, "\n\r\t") {
			return
		}
		lines := powerShellLines("PS> ", cmd)
		var parts []string
		for i, l := range lines {
			if i < len(lines)-1 {
				if !strings.HasSuffix(l, " `") {
					t.Fatalf("line %d %q lacks the continuation", i, l)
				}
				l = strings.TrimSuffix(l, " `")
			}
			parts = append(parts, strings.TrimSpace(strings.TrimPrefix(l, "PS> ")))
		}
		got := strings.Join(parts, " ")
		want := strings.Join(psFields(cmd), " ")
		if utf8.RuneCountInString("PS> "+cmd) <= width {
			// A command that fits is printed as it is.
			if len(lines) != 1 || lines[0] != "PS> "+cmd {
				t.Fatalf("a command that fits was changed: %q", lines)
			}
			return
		}
		if got != want {
			t.Errorf("rejoined %q, want %q", got, want)
		}
	})
}

// FuzzLintInput checks that lint answers any file with exit status 0 or 1 and, for status 1, a
// message on stderr: it never panics, never calls a bad file a usage error, and never passes a
// file that configures nothing (nothingConfigured).
func FuzzLintInput(f *testing.F) {
	for _, name := range []string{"testdata/demo.json", "testdata/exports/orca-config.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", " ", "null", "[]", "{}", `{"tenants": []}`, "\xef\xbb\xbf{}", "\xff\xfe{\x00}\x00",
		`{"gateway": {"name": "gw.example.net", "Serves": [], "name": "x"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(t.TempDir(), "in.json")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run([]string{"lint", file}, &stdout, &stderr)
		switch {
		case code != 0 && code != 1:
			t.Fatalf("exit status %d; stderr:\n%s", code, stderr.String())
		case code == 1 && stdout.Len() == 0 && stderr.Len() == 0:
			t.Fatal("exit status 1 without a word")
		case code == 0 && nothingConfigured(data) != "":
			t.Fatalf("a file that configures nothing passed:\n%s", stdout.String())
		}
	})
}
