package golden

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
)

// proseKeys are the JSON keys of the text for people in the library's results, which their
// documentation says may change: tenantgate.Reason's detail, topology.Finding's summary, detail
// and fix, topology.Step's summary, exoimport.Warning's message. No structured field of a result
// uses these keys.
var proseKeys = map[string]bool{"detail": true, "summary": true, "fix": true, "message": true}

// Decision is JSON for the golden file of a library result: the decision without its prose. It
// drops every object member named detail, summary, fix or message at any depth, keeping the
// order of the others, so a golden file pins codes and structured fields and a wording change
// needs no -update. Prose that is the product (a CLI's output) is compared with Check instead.
func Decision(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := withoutKeys(b, proseKeys)
	if err != nil {
		t.Fatal(err)
	}
	Check(t, path, got)
}

// withoutKeys returns the JSON value b, indented as JSON writes it, without the object members
// whose names are in drop.
func withoutKeys(b []byte, drop map[string]bool) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out bytes.Buffer
	if err := copyValue(dec, &out, drop); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data after the JSON value")
	}
	var ind bytes.Buffer
	if err := json.Indent(&ind, out.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	ind.WriteByte('\n')
	return ind.Bytes(), nil
}

// copyValue copies the next JSON value of dec to out, compactly, dropping the members of objects
// named in drop.
func copyValue(dec *json.Decoder, out *bytes.Buffer, drop map[string]bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			out.WriteByte('{')
			first := true
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				if drop[key] {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return err
					}
					continue
				}
				if !first {
					out.WriteByte(',')
				}
				first = false
				if err := writeJSON(out, key); err != nil {
					return err
				}
				out.WriteByte(':')
				if err := copyValue(dec, out, drop); err != nil {
					return err
				}
			}
			out.WriteByte('}')
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := copyValue(dec, out, drop); err != nil {
					return err
				}
			}
			out.WriteByte(']')
		}
		_, err := dec.Token() // the closing delimiter
		return err
	case nil:
		out.WriteString("null")
		return nil
	default:
		return writeJSON(out, tok)
	}
}

// writeJSON writes a string, number or boolean as json.Marshal does.
func writeJSON(out *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	out.Write(b)
	return nil
}
