package main

import (
	"os"
	"strings"
	"testing"
)

func TestReplaceBetweenMarkers(t *testing.T) {
	const begin, end = beginMarker + "\n", endMarker + "\n"
	tests := []struct {
		name    string
		doc     string
		body    string
		want    string
		wantErr string
	}{
		{"empty markers get the table",
			"## Performance\n\n" + begin + end + "\n## Examples\n", "| a |\n",
			"## Performance\n\n" + begin + "| a |\n" + end + "\n## Examples\n", ""},
		{"an old table is replaced, text around kept",
			"intro\n" + begin + "| old |\n|---|\n" + end + "after\n", "| new |\n",
			"intro\n" + begin + "| new |\n" + end + "after\n", ""},
		{"a body without a final newline gets one",
			begin + end, "| a |",
			begin + "| a |\n" + end, ""},
		{"empty body empties the block",
			begin + "x\n" + end, "",
			begin + end, ""},
		{"no markers", "## Performance\n| x |\n", "t", "", "exactly once"},
		{"begin only", begin + "x\n", "t", "", "exactly once"},
		{"markers twice", begin + end + begin + end, "t", "", "exactly once"},
		{"end before begin", end + begin, "t", "", "comes before"},
		{"begin not alone on its line", beginMarker + " x\n" + end, "t", "", "line of their own"},
		{"end not alone on its line", begin + "x " + end, "t", "", "line of their own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replaceBetweenMarkers(tt.doc, tt.body)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			// Running it again on its own output changes nothing: the README stays stable.
			again, err := replaceBetweenMarkers(got, tt.body)
			if err != nil || again != got {
				t.Errorf("second replacement: %v, changed:\n%s", err, again)
			}
		})
	}
}

// TestREADMEHasMarkers: the repository's README keeps the markers -readme writes between, inside
// its "Performance" section.
func TestREADMEHasMarkers(t *testing.T) {
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if _, err := replaceBetweenMarkers(doc, "| x |\n"); err != nil {
		t.Fatal(err)
	}
	perf := strings.Index(doc, "\n## Performance\n")
	next := strings.Index(doc[perf+1:], "\n## ")
	if perf < 0 || next < 0 || !strings.Contains(doc[perf:perf+1+next], beginMarker) {
		t.Error(`the benchtable markers are not in README.md's "## Performance" section`)
	}
}
