// Package jsonstrict reads the project's JSON files strictly: the configuration, scenario files
// and the examples' own files are all read the same way, unknown fields and trailing data being
// errors that name their line and column.
package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Decode decodes one JSON value from data into v, refusing unknown fields and trailing data,
// and reports errors with their line and column (and JSON field path where encoding/json knows it).
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return positioned(data, dec.InputOffset(), err)
	}
	if dec.More() {
		return positioned(data, dec.InputOffset(), errors.New("unexpected data after the JSON value"))
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return positioned(data, dec.InputOffset(), errors.New("unexpected data after the JSON value"))
	}
	return nil
}

func positioned(data []byte, off int64, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset - 1 // Offset counts the offending byte
	case errors.As(err, &te):
		off = te.Offset - 1
		if te.Field != "" {
			err = fmt.Errorf("%s: cannot use JSON %s as %s", te.Field, te.Value, te.Type)
		}
	default:
		// encoding/json reports unknown fields at the end of the value; point at the key instead.
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if i := bytes.Index(data, []byte(name)); i >= 0 {
				off = int64(i)
			}
		}
	}
	line, col := lineCol(data, off)
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	return 1 + bytes.Count(before, []byte{'\n'}), len(before) - bytes.LastIndexByte(before, '\n')
}
