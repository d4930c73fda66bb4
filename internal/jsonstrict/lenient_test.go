package jsonstrict

import (
	"strings"
	"testing"
)

// DecodeOpen skips members the type lacks (a field Microsoft adds to its endpoint list must not
// stop a reader) but keeps every other rule of Decode.
func TestDecodeOpen(t *testing.T) {
	type set struct {
		ID  int      `json:"id"`
		IPs []string `json:"ips"`
	}
	var got []set
	if err := DecodeOpen([]byte(`[{"id": 10, "new": {"a": [1, "x"]}, "ips": ["192.0.2.0/24"]}]`), &got); err != nil {
		t.Fatalf("unknown member: %v", err)
	}
	if len(got) != 1 || got[0].ID != 10 || len(got[0].IPs) != 1 {
		t.Fatalf("got %+v", got)
	}
	for _, tc := range []struct{ in, want string }{
		{`[{"id": 1, "id": 2}]`, "repeated"},
		{`[{"id": "ten"}]`, "[0].id"},
		{`[] x`, "after the JSON value"},
	} {
		err := DecodeOpen([]byte(tc.in), &got)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeOpen(%s) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}
