package jsonstrict

import (
	"strings"
	"testing"
)

// TestDecode checks the strict reading: one JSON value, no unknown field, nothing after it, and
// errors that point at the offending line and column (1-based, columns in bytes).
func TestDecode(t *testing.T) {
	type target struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	tests := []struct {
		name, in string
		want     string // substring of the error; "" means success
	}{
		{"valid", `{"name": "a", "count": 2}`, ""},
		{"valid with trailing space", "{\"name\": \"a\"}\n  \n", ""},
		// encoding/json reports an unknown field at the end of the object; the error points at the
		// key instead: its opening quote, line 2 column 3 (after two spaces).
		{"unknown field", "{\"name\": \"a\",\n  \"colour\": 1}", `line 2, column 3: json: unknown field "colour"`},
		{"trailing value", `{"name": "a"} {"name": "b"}`, "unexpected data after the JSON value"},
		{"trailing garbage", `{"name": "a"} x`, "unexpected data after the JSON value"},
		// encoding/json's offset is the end of the offending value; the error points at its last
		// byte, the closing quote of "2" (column 13), and names the field.
		{"wrong type", `{"count": "2"}`, "line 1, column 13: count: cannot use JSON string as int"},
		{"syntax error", "{\n\"name\": }", "line 2, column 9"},
		{"empty", ``, "EOF"},
	}
	for _, tc := range tests {
		var v target
		err := Decode([]byte(tc.in), &v)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: Decode = %v; want success", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: Decode = %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}
