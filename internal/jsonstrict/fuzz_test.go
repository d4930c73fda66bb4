package jsonstrict

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics, that whatever it accepts encoding/json accepts
// too with the same result, and that whatever encoding/json refuses it refuses.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"tenants": [{"name": "a", "inbound": [{"requireTls": true, "addr": "192.0.2.1"}]}], "count": 2}`,
		`{"tags": {"a": "\u00e9"}, "opt": null, "any": [1, "x", {"y": false}], "ratio": -1.5e3}`,
		`{"count": 1, "count": 2}`, `{"requireTLS": true}`, "\xef\xbb\xbf{}", "\xff\xfe{\x00}\x00", `[`, `"\ud800"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got testDoc
		err := Decode(data, &got)
		text, terr := Text(data)
		if terr != nil {
			if err == nil {
				t.Fatal("Decode accepted text Text refuses")
			}
			return
		}
		var want testDoc
		jerr := json.Unmarshal(text, &want)
		if err == nil && jerr != nil {
			t.Fatalf("Decode accepted what encoding/json refuses: %v", jerr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode = %+v; encoding/json = %+v", got, want)
		}
		if err != nil {
			if es, ok := err.(Errors); !ok || len(es) == 0 {
				t.Fatalf("error %T %v is not a non-empty Errors", err, err)
			}
		}
	})
}
