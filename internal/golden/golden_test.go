package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheck(t *testing.T) {
	if Updating() {
		t.Skip("-update rewrites instead of comparing")
	}
	path := filepath.Join(t.TempDir(), "x.json")
	if err := os.WriteFile(path, []byte("{\n  \"a\": 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v    any
		fail bool
	}{
		{map[string]int{"a": 1}, false},
		{map[string]int{"a": 2}, true},
	} {
		r := &recorder{TB: t}
		JSON(r, path, tc.v)
		if r.failed != tc.fail {
			t.Errorf("JSON(%v): failed %v; want %v", tc.v, r.failed, tc.fail)
		}
	}
	r := &recorder{TB: t}
	Check(r, filepath.Join(t.TempDir(), "missing"), nil)
	if !r.failed {
		t.Error("a missing golden file passed")
	}
}

// TestDecision: Decision drops the prose members at any depth and keeps everything else as
// JSON writes it, in order, including prose key names inside strings and non-ASCII text.
func TestDecision(t *testing.T) {
	if Updating() {
		t.Skip("-update rewrites instead of comparing")
	}
	type reason struct {
		Code   string `json:"code"`
		Detail string `json:"detail,omitempty"`
	}
	type step struct {
		Summary string         `json:"summary"`
		Z       int            `json:"z"`
		A       []reason       `json:"a"`
		Fix     map[string]int `json:"fix"`
		Message []int          `json:"message"`
		Text    string         `json:"text"`
		N       float64        `json:"n"`
		Nil     *int           `json:"nil"`
		Empty   []reason       `json:"empty"`
		B       bool           `json:"b"`
	}
	v := []step{{Summary: "gone", Z: 1, A: []reason{{"x.y", "gone too"}, {"x.z", ""}}, Fix: map[string]int{"detail": 1},
		Message: []int{1}, Text: `"detail": <kept> é`, N: 1.5, Empty: []reason{}, B: true}}
	want := `[
  {
    "z": 1,
    "a": [
      {
        "code": "x.y"
      },
      {
        "code": "x.z"
      }
    ],
    "text": "\"detail\": \u003ckept\u003e é",
    "n": 1.5,
    "nil": null,
    "empty": [],
    "b": true
  }
]
`
	path := filepath.Join(t.TempDir(), "d.json")
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Decision(r, path, v)
	if r.failed {
		got, err := withoutKeys(mustMarshal(t, v), proseKeys)
		t.Errorf("Decision differs from the golden file; got (%v):\n%s", err, got)
	}
	// A structured change still fails.
	v[0].A[1].Code = "x.w"
	r = &recorder{TB: t}
	Decision(r, path, v)
	if !r.failed {
		t.Error("a changed code passed")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
