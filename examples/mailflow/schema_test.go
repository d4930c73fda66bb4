package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// schemaSet validates JSON documents against the checked-in schemas (schema/*.schema.json). It
// implements the subset of JSON Schema 2020-12 the schemas use — $ref (within a file and to
// another file of the directory), allOf, type, const, enum, properties, required,
// additionalProperties, items, pattern, minimum — and refuses any other keyword, so that a
// schema never silently asks for a check nobody makes.
type schemaSet struct {
	dir   string
	files map[string]any
}

func newSchemaSet(t *testing.T, dir string) *schemaSet {
	t.Helper()
	s := &schemaSet{dir: dir, files: map[string]any{}}
	names, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no schemas in %s: %v", dir, err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		s.files[filepath.Base(n)] = v
	}
	return s
}

// validate returns every violation of doc against the schema in file, one per line with its
// JSON pointer.
func (s *schemaSet) validate(file string, doc any) []string {
	var errs []string
	s.check(file, s.files[file], doc, "", &errs)
	return errs
}

// resolve follows a $ref relative to file: "#/$defs/x" or "other.schema.json#/$defs/x".
func (s *schemaSet) resolve(file, ref string) (string, any, error) {
	target, ptr, _ := strings.Cut(ref, "#")
	if target != "" {
		file = target
	}
	node, ok := s.files[file]
	if !ok {
		return "", nil, fmt.Errorf("$ref %q: no schema file %s", ref, file)
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		m, ok := node.(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("$ref %q: %s is not an object", ref, tok)
		}
		if node, ok = m[tok]; !ok {
			return "", nil, fmt.Errorf("$ref %q: no %s", ref, tok)
		}
	}
	return file, node, nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func (s *schemaSet) check(file string, schema, v any, at string, errs *[]string) {
	fail := func(format string, a ...any) {
		*errs = append(*errs, fmt.Sprintf("%s: %s", orRoot(at), fmt.Sprintf(format, a...)))
	}
	switch sc := schema.(type) {
	case bool:
		if !sc {
			fail("not allowed")
		}
		return
	case map[string]any:
		keys := make([]string, 0, len(sc))
		for k := range sc {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			kw := sc[k]
			switch k {
			case "$schema", "$id", "title", "description", "$defs":
			case "$ref":
				f, target, err := s.resolve(file, kw.(string))
				if err != nil {
					fail("%v", err)
					continue
				}
				s.check(f, target, v, at, errs)
			case "allOf":
				for _, sub := range kw.([]any) {
					s.check(file, sub, v, at, errs)
				}
			case "type":
				want := []string{}
				switch t := kw.(type) {
				case string:
					want = append(want, t)
				case []any:
					for _, x := range t {
						want = append(want, x.(string))
					}
				}
				got := jsonType(v)
				if !slices.Contains(want, got) && !(got == "integer" && slices.Contains(want, "number")) {
					fail("is %s, want %s", got, strings.Join(want, " or "))
				}
			case "const":
				if fmt.Sprint(kw) != fmt.Sprint(v) || jsonType(kw) != jsonType(v) {
					fail("is %v, want %v", v, kw)
				}
			case "enum":
				found := false
				for _, e := range kw.([]any) {
					if e == v {
						found = true
					}
				}
				if !found {
					fail("%v is not one of %v", v, kw)
				}
			case "pattern":
				if str, ok := v.(string); ok && !regexp.MustCompile(kw.(string)).MatchString(str) {
					fail("%q does not match %s", str, kw)
				}
			case "minimum":
				if n, ok := v.(float64); ok && n < kw.(float64) {
					fail("%v is below %v", n, kw)
				}
			case "required":
				if m, ok := v.(map[string]any); ok {
					for _, r := range kw.([]any) {
						if _, ok := m[r.(string)]; !ok {
							fail("required field %q is missing", r)
						}
					}
				}
			case "properties":
				if m, ok := v.(map[string]any); ok {
					props := kw.(map[string]any)
					for name, sub := range props {
						if x, ok := m[name]; ok {
							s.check(file, sub, x, at+"/"+name, errs)
						}
					}
				}
			case "additionalProperties":
				if m, ok := v.(map[string]any); ok {
					props, _ := sc["properties"].(map[string]any)
					for name, x := range m {
						if _, ok := props[name]; !ok {
							if kw == false {
								fail("field %q is not in the schema", name)
							} else {
								s.check(file, kw, x, at+"/"+name, errs)
							}
						}
					}
				}
			case "items":
				if a, ok := v.([]any); ok {
					for i, x := range a {
						s.check(file, kw, x, fmt.Sprintf("%s/%d", at, i), errs)
					}
				}
			default:
				fail("schema keyword %q is not supported by this validator", k)
			}
		}
	default:
		fail("schema is %T", schema)
	}
}

func orRoot(at string) string {
	if at == "" {
		return "(root)"
	}
	return at
}

// TestSchemaValidator checks the validator itself: a valid document passes, and each kind of
// violation is found.
func TestSchemaValidator(t *testing.T) {
	s := newSchemaSet(t, "schema")
	good := `{"schemaVersion": 1, "ok": true, "source": "x", "counts": {"errors": 0, "warnings": 0, "info": 0}, "findings": [],
		"tenant": {"id": "11111111-1111-1111-1111-111111111111", "name": "contoso"}}`
	for _, tc := range []struct{ name, doc, want string }{
		{"valid", good, ""},
		{"missing ok", strings.Replace(good, `"ok": true,`, "", 1), `(root): required field "ok" is missing`},
		{"unknown field", strings.Replace(good, `"source"`, `"extra": 1, "source"`, 1), `(root): field "extra" is not in the schema`},
		{"tenant as a bare GUID", strings.Replace(good, `{"id": "11111111-1111-1111-1111-111111111111", "name": "contoso"}`, `"11111111-1111-1111-1111-111111111111"`, 1), "/tenant: is string, want object"},
		{"bad GUID", strings.Replace(good, `"id": "11111111-1111`, `"id": "X1111111-1111`, 1), `/tenant/id: "X1111111-1111-1111-1111-111111111111" does not match`},
		{"wrong version", strings.Replace(good, `"schemaVersion": 1`, `"schemaVersion": 2`, 1), "/schemaVersion: is 2, want 1"},
		{"negative count", strings.Replace(good, `"errors": 0`, `"errors": -1`, 1), "/counts/errors: -1 is below 0"},
	} {
		var doc any
		if err := json.Unmarshal([]byte(tc.doc), &doc); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(s.validate("lint.schema.json", doc), "\n")
		if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %s; want %q", tc.name, got, tc.want)
		}
	}
	// Deep in a trace, through allOf and $refs across files: a step's decision and a party's
	// tenant.
	data, err := os.ReadFile("testdata/golden/simulate-other-tenant.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte(`"decision": "accept"`), []byte(`"decision": "maybe"`), 1)
	bad = bytes.Replace(bad, []byte(`"name": "contoso"
        }`), []byte(`"name": 5
        }`), 1)
	var doc any
	if err := json.Unmarshal(bad, &doc); err != nil {
		t.Fatal(err)
	}
	got := s.validate("simulate.schema.json", doc)
	want := []string{"/steps/0/decision: maybe is not one of [accept reject deliver loop undecided]", "/steps/0/from/tenant/name: is integer, want string"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("deep violations %q lack %q", got, w)
		}
	}
}

// TestJSONSchemas runs every command that prints JSON on the repository's inputs — passing and
// failing, with and without flows, exports alone, a malformed header, a broken scenario file —
// and validates each output against its checked-in schema (issue 16 §3), including the goldens.
func TestJSONSchemas(t *testing.T) {
	s := newSchemaSet(t, "schema")
	tmp := t.TempDir()
	broken := filepath.Join(tmp, "broken.json")
	if err := os.WriteFile(broken, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	malformed := filepath.Join(tmp, "malformed.eml")
	if err := os.WriteFile(malformed, []byte("To: erin@contoso.com\r\nSub ject: x\r\n\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := []struct {
		schema string
		args   []string
	}{
		{"lint.schema.json", []string{"--format", "json"}},
		{"lint.schema.json", []string{"lint", "--format", "json", "--flows", "testdata/config/pitfall-centralized-loop.json"}},
		{"lint.schema.json", []string{"lint", "--format", "json", "--flows", "testdata/config/pitfall-misattribution.json"}},
		{"lint.schema.json", []string{"lint", "--format", "json", "testdata/exports/orca-config.json"}},
		{"lint.schema.json", []string{"lint", "--format", "json", "--tenant-id", "44444444-4444-4444-4444-444444444444", "testdata/exports/orca-config.json"}},
		{"lint.schema.json", []string{"lint", "--format", "json", "--flows", "--tenant-id", "22222222-2222-2222-2222-222222222222",
			"--config", "testdata/gateway.json", "testdata/exports/orca-config.json"}},
		{"simulate.schema.json", []string{"simulate", "--format", "json", "testdata/demo.json", "--from", "carol@contoso.com", "--to", "erin@woodgrove.example"}},
		{"simulate.schema.json", []string{"simulate", "--format", "json", "testdata/demo.json", "--origin", "internet:203.0.113.9", "--entry", "gateway",
			"--from", "x@attacker.example", "--to", "victim@external.example"}},
		{"simulate.schema.json", []string{"simulate", "--format", "json", "testdata/config/pitfall-centralized-loop.json", "--from", "a@fabrikam.example",
			"--to", "postmaster@contoso.com"}},
		{"explain.schema.json", []string{"explain", "--format", "json", "--config", "testdata/demo.json", "testdata/explain-contoso.eml"}},
		{"explain.schema.json", []string{"explain", "--format", "json", "--config", "testdata/demo.json", "--peer-ip", "40.92.0.1",
			"--peer-cert-name", "mail.protection.outlook.com", "--verified", "testdata/explain-contoso.eml"}},
		{"explain.schema.json", []string{"explain", "--format", "json", "--config", "testdata/demo.json", malformed}},
		{"explain.schema.json", []string{"explain", "--format", "json", "--config", "testdata/demo.json", "--rcpt", "erin@contoso.com", malformed}},
		{"test.schema.json", []string{"test", "--format", "json", "testdata/scenarios/demo.json"}},
		{"test.schema.json", []string{"test", "--format", "json", "testdata/scenarios/wrong.json", broken}},
		{"test.schema.json", []string{"test", "--format", "json", "--config", "testdata/config/pitfall-centralized-loop.json", "testdata/scenarios/demo.json"}},
	}
	for _, r := range runs {
		var stdout, stderr bytes.Buffer
		run(r.args, &stdout, &stderr)
		checkDoc(t, s, r.schema, strings.Join(r.args, " "), stdout.Bytes())
	}
	goldens := map[string]string{"demo.json": "lint.schema.json", "explain-no-peer.json": "explain.schema.json",
		"simulate-other-tenant.json": "simulate.schema.json", "test-fail.json": "test.schema.json"}
	files, _ := filepath.Glob("testdata/golden/lint-*.json")
	for _, f := range files {
		goldens[filepath.Base(f)] = "lint.schema.json"
	}
	for name, schema := range goldens {
		data, err := os.ReadFile(filepath.Join("testdata/golden", name))
		if err != nil {
			t.Fatal(err)
		}
		checkDoc(t, s, schema, "golden "+name, data)
	}
}

func checkDoc(t *testing.T, s *schemaSet, schema, what string, data []byte) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Errorf("%s: not JSON: %v\n%s", what, err, data)
		return
	}
	if errs := s.validate(schema, doc); len(errs) > 0 {
		t.Errorf("%s: against %s:\n  %s", what, schema, strings.Join(errs, "\n  "))
	}
}
