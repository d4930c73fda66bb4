package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/tenantgate/tenantgate"
)

// schemaVersion is the version of mailflow's JSON output (README.md#json-output, schema/*.json).
// It changes only when a field is removed or changes meaning; new fields keep it.
const schemaVersion = 1

// envelope starts every JSON document mailflow prints: the schema version and the overall
// result. Output types embed it.
type envelope struct {
	SchemaVersion int `json:"schemaVersion"`
	// OK is the overall result: true exactly when the command exits 0 (explain: when no
	// recipient is refused).
	OK bool `json:"ok"`
}

func newEnvelope(ok bool) envelope { return envelope{SchemaVersion: schemaVersion, OK: ok} }

// tenantRef is how a tenant appears in JSON output, everywhere: its ID and, when the
// configuration holds it, its name.
type tenantRef struct {
	ID   tenantgate.TenantID `json:"id,omitzero"`
	Name string              `json:"name,omitempty"`
}

// writeOutput prints v as indented JSON with a final newline, every "tenant" GUID in it (the
// library's types carry bare GUIDs) replaced by a tenantRef named from d (nil: IDs only).
func writeOutput(w io.Writer, v any, d *tenantgate.Directory) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := tenantRefs(&b, data, d); err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// tenantRefs copies the compact JSON data to b token by token, in order, writing the value of
// every "tenant" key that is a tenant ID string as a tenantRef object.
func tenantRefs(b *bytes.Buffer, data []byte, d *tenantgate.Directory) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// Per open container: '{' or '['; in an object, whether the next token is a key.
	type frame struct {
		kind  json.Delim
		isKey bool
		count int
	}
	var stack []frame
	lastKey := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		top := len(stack) - 1
		if top >= 0 && tok != json.Delim('}') && tok != json.Delim(']') {
			f := &stack[top]
			switch {
			case f.kind == '{' && f.isKey:
				if f.count > 0 {
					b.WriteByte(',')
				}
				f.count++
			case f.kind == '{':
				b.WriteByte(':')
			case f.count > 0:
				b.WriteByte(',')
				f.count++
			default:
				f.count++
			}
		}
		isValue := top >= 0 && stack[top].kind == '{' && !stack[top].isKey
		isKey := top >= 0 && stack[top].kind == '{' && stack[top].isKey
		if top >= 0 && stack[top].kind == '{' && tok != json.Delim('}') {
			stack[top].isKey = !stack[top].isKey
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, frame{kind: t, isKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			b.WriteString(t.String())
			continue
		case string:
			if isKey {
				lastKey = t
			} else if isValue && lastKey == "tenant" {
				if id, err := tenantgate.ParseTenantID(t); err == nil {
					ref := tenantRef{ID: id}
					if d != nil {
						ref.Name = tenantName(d, id)
						if ref.Name == id.String() {
							ref.Name = ""
						}
					}
					enc, _ := json.Marshal(ref)
					b.Write(enc)
					continue
				}
			}
		}
		enc, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		b.Write(enc)
	}
}
