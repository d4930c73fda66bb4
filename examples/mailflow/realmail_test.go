package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate/headers"
)

// TestRealMailDirectory runs `mailflow headers` over every .eml of the directory named by
// MAILFLOW_REALMAIL_DIR (skipped when unset): a collection of real Microsoft 365 deliveries that
// cannot be redistributed here. For every message that carries a direction, a spam verdict or a
// mailbox delivery dest, the summary must show it; no line may be wider than 100 columns, and no
// value may be cut (no "…" the message did not hold).
func TestRealMailDirectory(t *testing.T) {
	dir := os.Getenv("MAILFLOW_REALMAIL_DIR")
	if dir == "" {
		t.Skip("MAILFLOW_REALMAIL_DIR not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .eml in %s: %v", dir, err)
	}
	var read, withDir, withVerdict, withDest, unreadable int
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		h, err := headers.Read(bytes.NewReader(b), headers.Limits{})
		if err != nil {
			unreadable++
			t.Logf("%s: %v", filepath.Base(file), err)
			continue
		}
		read++
		a := headers.Analyze(h)
		var out bytes.Buffer
		explainHeaders(&printer{w: &out, width: width}, a)
		s := out.String()
		lower := strings.ToLower(string(b))
		if strings.Contains(lower, "\nx-ms-exchange-organization-messagedirectionality:") || strings.Contains(lower, ";dir:") {
			withDir++
			if strings.Contains(s, "  Direction                unknown") {
				t.Errorf("%s: direction not shown", filepath.Base(file))
			}
		}
		if strings.Contains(lower, "\nx-ms-exchange-organization-scl:") || strings.Contains(lower, "sfv:") {
			withVerdict++
			if strings.Contains(s, "  Spam verdict             unknown") {
				t.Errorf("%s: verdict not shown", filepath.Base(file))
			}
		}
		if a.Verdict.Dest != "" {
			withDest++
			if !strings.Contains(s, "  Folder                   "+a.Verdict.Folder) {
				t.Errorf("%s: folder not shown", filepath.Base(file))
			}
		}
		for _, l := range strings.Split(s, "\n") {
			if utf8.RuneCountInString(l) > width {
				t.Errorf("%s: line of %d columns: %q", filepath.Base(file), utf8.RuneCountInString(l), l)
			}
		}
		if decoded, _ := headers.DecodeText(string(b)); strings.Count(s, "…") > strings.Count(decoded, "…") {
			t.Errorf("%s: a value was cut", filepath.Base(file))
		}
	}
	t.Logf("%d messages read (%d refused by headers.Read); %d carry a direction, %d a spam verdict, %d a dest: all shown",
		read, unreadable, withDir, withVerdict, withDest)
}
