package duration

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	var v struct{ D Duration }
	if err := json.Unmarshal([]byte(`{"D": "1m30s"}`), &v); err != nil || time.Duration(v.D) != 90*time.Second {
		t.Fatalf("1m30s: %v, %v", v.D, err)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"D":"1m30s"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	for _, bad := range []string{`{"D": 30}`, `{"D": "-1s"}`, `{"D": "soon"}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if Duration(0).Or(time.Minute) != time.Minute || Duration(time.Second).Or(time.Minute) != time.Second {
		t.Error("Or")
	}
}
