// Package jsonstrict reads the project's JSON files strictly: the configuration, scenario files
// and the examples' own files are all read the same way. Keys must match a field exactly (case
// included) and appear once; unknown fields, values of the wrong kind and trailing data are
// errors. Every error names its line, column and JSON path in plain words, and every problem
// of a file is reported at once.
package jsonstrict

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// MaxErrors bounds how many problems Decode reports; a file with more gets a last line saying so.
const MaxErrors = 50

// Error is one problem of a JSON document: where it is and what is wrong, in plain words.
type Error struct {
	Line, Column int    // 1-based; columns count bytes of the UTF-8 text
	Path         string // JSON path such as tenants[0].inbound[1].requireTls; "" for the document
	Msg          string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("line %d, column %d: %s: %s", e.Line, e.Column, e.Path, e.Msg)
}

// Errors is every problem Decode found, in document order, one a line.
type Errors []*Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Decode decodes one JSON value from data into v (a non-nil pointer). The text may start with a
// UTF-8 byte order mark or be UTF-16 with a byte order mark (what Windows PowerShell 5.1 writes);
// see Text. Any error is an Errors.
func Decode(data []byte, v any) error {
	t, err := Text(data)
	if err != nil {
		return Errors{{Line: 1, Column: 1, Msg: err.Error()}}
	}
	d := newDecoder(t)
	d.decode(v)
	if len(d.errs) > 0 {
		return d.errs
	}
	return nil
}

// Text returns data as UTF-8 without a byte order mark: a UTF-8 BOM is dropped and UTF-16 with
// a BOM (Windows PowerShell 5.1's "> file" and Out-File default) is decoded. Other text must be
// UTF-8; invalid sequences inside strings are left to the decoder.
func Text(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		le := data[0] == 0xFF
		data = data[2:]
		if len(data)%2 != 0 {
			return nil, errors.New("UTF-16 text with an odd number of bytes (save the file as UTF-8)")
		}
		u := make([]uint16, len(data)/2)
		for i := range u {
			if le {
				u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
			} else {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			}
		}
		return []byte(string(utf16.Decode(u))), nil
	}
	if len(data) >= 2 && (data[0] == 0 || data[1] == 0) {
		return nil, errors.New("UTF-16 or binary data without a byte order mark, not UTF-8 JSON (save the file as UTF-8)")
	}
	return data, nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	return 1 + bytes.Count(before, []byte{'\n'}), len(before) - bytes.LastIndexByte(before, '\n')
}

// describe names the JSON value starting with c for a message: "a string", "a number"….
func describe(c byte) string {
	switch {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == 't' || c == 'f':
		return "true or false"
	case c == 'n':
		return "null"
	case c == '-' || '0' <= c && c <= '9':
		return "a number"
	}
	return "something else"
}

// quoteByte shows one byte of the input in a message: printable ASCII as itself, others as hex.
func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}
