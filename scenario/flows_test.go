package scenario

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFlowsAndLintFail checks that wrong flow and lint expectations fail, each with the number
// of mismatches reasoned in the comments, and that a right one passes.
func TestFlowsAndLintFail(t *testing.T) {
	rep, err := Run(filepath.Join("testdata", "runner", "flows-wrong.json"), Default())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Section, Name string
		Failures      int
	}
	var got []result
	for _, c := range rep.Cases {
		got = append(got, result{c.Section, c.Name, len(c.Failures)})
	}
	want := []result{
		// The mail is delivered via gateway, exchange:contoso, mailbox:contoso: outcome,
		// deliveredTo, the reason code, the via list and the unknown recipient fail, and the
		// trace is appended: 6.
		{SectionFlows, "wrong outcome and path", 6},
		{SectionFlows, "bad origin", 1},
		{SectionFlows, "entry for a mailbox", 1},
		{SectionFlows, "nothing to compare", 1},
		{SectionFlows, "right", 0},
		// The demo topology has no loop.
		{SectionLint, "lint", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
}
