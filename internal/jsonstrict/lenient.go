package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// DecodeOpen decodes one JSON value from data into v as Decode does, but ignores fields v does
// not have: for formats a third party extends (Microsoft's endpoint lists), where a new field must
// not stop a reader. Trailing data is still an error.
func DecodeOpen(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return positioned(data, dec.InputOffset(), err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return positioned(data, dec.InputOffset(), errors.New("unexpected data after the JSON value"))
	}
	return nil
}
