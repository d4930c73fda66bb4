package jsonstrict

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

type testInbound struct {
	Name       string     `json:"name"`
	RequireTLS bool       `json:"requireTls"`
	Addr       netip.Addr `json:"addr"`
}

type testTenant struct {
	Name    string        `json:"name"`
	Inbound []testInbound `json:"inbound"`
}

type testDoc struct {
	Tenants []testTenant       `json:"tenants"`
	Count   int                `json:"count"`
	Small   uint8              `json:"small"`
	Ratio   float64            `json:"ratio"`
	Tags    map[string]string  `json:"tags"`
	Opt     *testInbound       `json:"opt"`
	Any     any                `json:"any"`
	Hidden  string             `json:"-"`
	ByAddr  map[netip.Addr]int `json:"byAddr"`
}

// TestDecode checks the strict reading: one JSON value, keys exactly as tagged and once each,
// nothing after the value, and errors that name line, column (1-based, in bytes, at the first
// byte of the offending key or value) and JSON path in plain words.
func TestDecode(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // the whole error text; "" means success
	}{
		{"valid", `{"tenants": [{"name": "a", "inbound": [{"requireTls": true, "addr": "192.0.2.1"}]}], "count": 2}`, ""},
		{"valid with trailing space", "{\"count\": 2}\n  \n", ""},
		{"null everywhere", `{"tenants": null, "count": null, "opt": null, "tags": null, "any": null}`, ""},
		// The key's opening quote is line 2, column 3 (after two spaces).
		{"unknown field", "{\"count\": 1,\n  \"colour\": 1}", `line 2, column 3: unknown field "colour"`},
		// The example: a key in the wrong case is refused, with the right spelling.
		{"wrong case", "{\"tenants\": [{\"inbound\": [\n{},\n{\"requireTLS\": true}]}]}",
			`line 3, column 2: tenants[0].inbound[1]: unknown field "requireTLS" (did you mean "requireTls"? keys are case-sensitive)`},
		// The other example: the same key twice (in two spellings) never silently wins.
		{"case twin", "{\"tenants\": [{\"inbound\": [\n{\"requireTls\": true,\n \"RequireTls\": false}]}]}",
			`line 3, column 2: tenants[0].inbound[0]: unknown field "RequireTls" (did you mean "requireTls"? keys are case-sensitive)`},
		{"repeated key", "{\"count\": 1,\n \"count\": 2}",
			"line 2, column 2: count: repeated key (first at line 1, column 2); a key may appear once in an object"},
		{"map key with a dot", `{"tags": {"a.b": 1}}`, `line 1, column 18: tags["a.b"]: want a string, not a number`},
		{"repeated map key", "{\"tags\": {\"a\": \"x\",\n \"a\": \"y\"}}",
			"line 2, column 2: tags.a: repeated key (first at line 1, column 11); a key may appear once in an object"},
		// A value of the wrong kind points at the value's first byte: the opening quote of "2"
		// is column 11.
		{"wrong kind", `{"count": "2"}`, "line 1, column 11: count: want a whole number, not a string"},
		{"fraction for an integer", `{"count": 1.5}`, "line 1, column 11: count: want a whole number, not 1.5"},
		{"out of range", `{"small": 300}`, "line 1, column 11: small: 300 is out of range (0 to 255)"},
		{"object for a list", `{"tenants": {}}`, "line 1, column 13: tenants: want a list […], not an object"},
		{"list for a string", `{"tenants": [{"name": []}]}`, "line 1, column 23: tenants[0].name: want a string, not a list"},
		{"string for a bool", `{"opt": {"requireTls": "yes"}}`, `line 1, column 24: opt.requireTls: want true or false, not a string`},
		// A TextUnmarshaler's own error, at the value's opening quote (column 36).
		{"bad address", `{"tenants": [{"inbound": [{"addr": "300.1.1.1"}]}]}`,
			`line 1, column 36: tenants[0].inbound[0].addr: "300.1.1.1" is not an IP address: IPv4 field has value >255`},
		// Keys read by UnmarshalText: each bad key named by its path, at its opening quote.
		{"bad text key", `{"byAddr": {"192.0.2.1": 1, "x": 2, "192.0.2.1": 3}}`,
			`line 1, column 29: byAddr.x: key: "x" is not an IP address: unable to parse IP` + "\n" +
				`line 1, column 37: byAddr["192.0.2.1"]: repeated key (first at line 1, column 13); a key may appear once in an object`},
		// Every problem at once, in document order.
		{"every problem", "{\"count\": \"x\",\n\"small\": -1,\n\"bogus\": 1}",
			"line 1, column 11: count: want a whole number, not a string\n" +
				"line 2, column 10: small: -1 is out of range (0 to 255)\n" +
				"line 3, column 1: unknown field \"bogus\""},
		{"ignored field is unknown", `{"Hidden": "x"}`, `line 1, column 2: unknown field "Hidden"`},
		{"trailing value", `{"count": 1} {"count": 2}`, "line 1, column 14: unexpected data after the JSON value"},
		{"trailing garbage", `{"count": 1} x`, "line 1, column 14: unexpected data after the JSON value"},
		{"syntax error", "{\n\"count\": }", "line 2, column 10: '}' where a value (a string, number, object, list, true, false or null) was expected"},
		{"missing comma", "{\"count\": 1\n\"small\": 2}", `line 2, column 1: '"' where "," or "}" was expected`},
		{"unclosed", `{"count": 1`, `line 1, column 12: the file ends where "," or "}" was expected`},
		{"unclosed string", `{"tags": {"a": "x}}`, "line 1, column 16: string not closed: the file ends before its closing quote"},
		{"control character", "{\"tags\": {\"a\": \"x\ty\"}}", "line 1, column 18: control character byte 0x09 inside a string (write it as \\u0009)"},
		{"empty", ``, "line 1, column 1: no JSON value: the file is empty"},
		{"white space", " \n ", "line 2, column 2: no JSON value: the file is empty"},
		{"UTF-16 without BOM", "{\x00}\x00", "line 1, column 1: UTF-16 or binary data without a byte order mark, not UTF-8 JSON (save the file as UTF-8)"},
	}
	for _, tc := range tests {
		var v testDoc
		err := Decode([]byte(tc.in), &v)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: Decode =\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}

// TestDecodeValues checks that what decodes matches encoding/json for valid input: escapes,
// nested values, empty lists (non-nil, which the configuration tells from absent ones), maps
// and interfaces.
func TestDecodeValues(t *testing.T) {
	in := `{"tenants": [{"name": "caf\u00e9 \"x\"", "inbound": []}, {"name": "b", "inbound": [{"addr": "2001:db8::1", "requireTls": true}]}],
		"count": -7, "ratio": 0.5e1, "tags": {"k": "v"}, "byAddr": {"2001:db8::1": 1}, "opt": {"name": "o"}, "any": [1, {"a": null}]}`
	var got, want testDoc
	if err := Decode([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decode = %+v\nencoding/json = %+v", got, want)
	}
	if got.Tenants[0].Inbound == nil {
		t.Error("an empty list decoded as nil")
	}
}

// TestDecodeEncodings checks the byte order marks Windows tools write: UTF-8 with a BOM and
// UTF-16 (both byte orders) with a BOM load like plain UTF-8.
func TestDecodeEncodings(t *testing.T) {
	const doc = `{"tenants": [{"name": "Contoso Ltd"}], "count": 1}`
	u := utf16.Encode([]rune(doc))
	le, be := []byte{0xFF, 0xFE}, []byte{0xFE, 0xFF}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	for name, data := range map[string][]byte{
		"UTF-8 BOM": append([]byte{0xEF, 0xBB, 0xBF}, doc...), "UTF-16LE": le, "UTF-16BE": be} {
		var v testDoc
		if err := Decode(data, &v); err != nil || v.Count != 1 || v.Tenants[0].Name != "Contoso Ltd" {
			t.Errorf("%s: Decode = %+v, %v", name, v, err)
		}
	}
	var v testDoc
	err := Decode(le[:len(le)-1], &v)
	if want := "line 1, column 1: UTF-16 text with an odd number of bytes (save the file as UTF-8)"; err == nil || err.Error() != want {
		t.Errorf("odd UTF-16: Decode = %v; want %s", err, want)
	}
}

// TestDecodeErrorBound checks that a file of many bad values reports MaxErrors problems and a
// last line, not one line per value.
func TestDecodeErrorBound(t *testing.T) {
	in := `{"tenants": [` + strings.Repeat(`{"name": 1},`, 200) + `{"name": 1}]}`
	var v testDoc
	err := Decode([]byte(in), &v)
	es, ok := err.(Errors)
	if !ok || len(es) != MaxErrors+1 || !strings.HasPrefix(es[MaxErrors].Msg, "more than 50 problems") {
		t.Fatalf("Decode = %d errors (%v)", len(es), err)
	}
}

// TestDecodeDeep checks that deep nesting is refused without exhausting the stack.
func TestDecodeDeep(t *testing.T) {
	in := `{"any": 1, "bogus": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	var v testDoc
	err := Decode([]byte(in), &v)
	if err == nil || !strings.Contains(err.Error(), "nested more than 10000 levels deep") {
		t.Errorf("Decode = %v", err)
	}
}

// TestDecodeAllocs bounds Decode's allocations by encoding/json's for a configuration-like
// document: strictness costs a key check per member, not a copy per key or slice element.
func TestDecodeAllocs(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"tenants": [`)
	for i := range 500 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name": "tenant%d", "inbound": [{"name": "a", "requireTls": true, "addr": "192.0.2.%d"}, {"name": "b"}]}`, i, i%250)
	}
	b.WriteString(`], "count": 1, "tags": {"a": "b"}}`)
	data := []byte(b.String())
	strict := testing.AllocsPerRun(5, func() {
		var v testDoc
		if err := Decode(data, &v); err != nil {
			t.Fatal(err)
		}
	})
	std := testing.AllocsPerRun(5, func() {
		var v testDoc
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
	})
	if strict > 1.25*std {
		t.Errorf("Decode: %.0f allocations; encoding/json: %.0f", strict, std)
	}
	t.Logf("Decode %.0f allocations, encoding/json %.0f", strict, std)
}
