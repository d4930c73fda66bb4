package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.txt")

// TestGolden runs mailflow on the embedded demo and on real header blocks from the corpus
// (testdata/SOURCES.md), comparing standard output with testdata/golden. The outputs were read
// against the raw blocks by hand once; rerun with -update only after reviewing a change.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"demo", nil},
		{"two-pass-stripped", []string{"headers", "testdata/lore-kvmarm-2022-12-arm.com-two-pass-stripped-untrusted.eml"}},
		{"hybridonprem-oatci", []string{"headers", "testdata/lore-linux-hyperv-2026-07-amd.com-hybridonprem-oatci.eml"}},
		{"stamped-only", []string{"headers", "testdata/lore-linux-hyperv-2022-08-microsoft.com-stamped-only-no-crosstenant-id.eml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit status %d, stderr:\n%s", code, stderr.String())
			}
			for i, line := range strings.Split(stdout.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > width {
					t.Errorf("line %d is %d columns wide (max %d): %q", i+1, n, width, line)
				}
			}
			golden := filepath.Join("testdata", "golden", tc.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, stdout.Bytes()) {
				t.Errorf("output differs from %s; got:\n%s", golden, stdout.String())
			}
		})
	}
}

// TestSummaryFirst checks the order the task asks for: the verdict summary before the details.
func TestSummaryFirst(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run([]string{"headers", "testdata/demo.eml"}, &stdout, &stderr)
	out := stdout.String()
	if !strings.HasPrefix(out, "Summary") {
		t.Fatalf("output does not start with the summary:\n%s", out)
	}
	for _, want := range []string{"SFV:NSPM — not spam", "DIR:INB — inbound", "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestErrors(t *testing.T) {
	tmp := t.TempDir()
	big := filepath.Join(tmp, "big.eml")
	if err := os.WriteFile(big, []byte(strings.Repeat("X-A: b\r\n", 50)+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	nul := filepath.Join(tmp, "nul.eml")
	if err := os.WriteFile(nul, []byte("X-MS-Exchange-CrossTenant-Id: 1\x00\r\n\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"missing-file", []string{"headers", filepath.Join(tmp, "nope.eml")}, 1, "no such file"},
		{"over-limit", []string{"headers", "-max-fields", "10", big}, 1, "more than MaxFields (10) fields at line 11"},
		{"nul", []string{"headers", nul}, 1, "NUL byte"},
		{"no-file", []string{"headers"}, 2, "usage: mailflow headers"},
		{"two-files", []string{"headers", big, big}, 2, "usage: mailflow headers"},
		{"bad-flag", []string{"headers", "-nope", big}, 2, "flag provided but not defined"},
		{"unknown-command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"help", []string{"help"}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit status %d, want %d", code, tc.wantCode)
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.wantStderr)
			}
		})
	}
}

// TestControlCharacters checks that a hostile Subject cannot drive the terminal.
func TestControlCharacters(t *testing.T) {
	file := filepath.Join(t.TempDir(), "esc.eml")
	if err := os.WriteFile(file, []byte("Subject: =?utf-8?q?hi=1B]0;pwned=07?=\r\nFrom: a@b.example\r\n\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"headers", file}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.ContainsAny(stdout.String(), "\x1b\x07") {
		t.Errorf("control characters reached the output:\n%q", stdout.String())
	}
	if !strings.Contains(stdout.String(), "hi\uFFFD]0;pwned\uFFFD") {
		t.Errorf("subject not shown with replacements:\n%s", stdout.String())
	}
}
