package exoimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// MaxFileBytes bounds one export file. ORCA's whole-tenant dump of a large tenant is a few MB.
const MaxFileBytes = 64 << 20

// maxDepth bounds nesting. ORCA writes ConvertTo-Json -Depth 100; deeper input is not an export.
const maxDepth = 128

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// node is one JSON value with object keys kept in order and with their original case.
type node struct {
	kind kind
	b    bool
	s    string // string value, or number text
	arr  []*node
	keys []string
	vals []*node
	// index maps folded keys (annotations left out) to the first and, for keys that differ
	// only in case, the second position in keys (-1 if none). Built on the first lookup.
	index map[string][2]int
}

// text turns what PowerShell wrote into UTF-8: it drops a UTF-8 byte order mark and decodes
// UTF-16 with a byte order mark, which Windows PowerShell 5.1 writes for "> file" (Out-File's
// default encoding is "Unicode"); jsonstrict.Text does both, as for configurations.
func text(data []byte) ([]byte, error) {
	t, err := jsonstrict.Text(data)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(t) {
		return nil, errors.New("not UTF-8 or UTF-16 text (re-export with Out-File -Encoding utf8)")
	}
	return t, nil
}

// parse reads exactly one JSON value. Empty input (a cmdlet that returned nothing) gives nil.
func parse(data []byte) (*node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec, 0)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		line, col := lineCol(data, off)
		return nil, fmt.Errorf("line %d, column %d: %v", line, col, err)
	}
	return n, nil
}

func parseValue(dec *json.Decoder, depth int) (*node, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &node{kind: kNull}, nil
	case bool:
		return &node{kind: kBool, b: t}, nil
	case json.Number:
		return &node{kind: kNumber, s: string(t)}, nil
	case string:
		return &node{kind: kString, s: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, fmt.Errorf("nested deeper than %d levels", maxDepth)
		}
		if t == '[' {
			n := &node{kind: kArray}
			for dec.More() {
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			_, err := dec.Token()
			return n, err
		}
		n := &node{kind: kObject}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := parseValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, v)
		}
		_, err := dec.Token()
		return n, err
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	return 1 + bytes.Count(before, []byte{'\n'}), len(before) - bytes.LastIndexByte(before, '\n')
}

// isAnnotation reports keys such as "Priority@data.type" or "@odata.context", which the admin
// REST API adds beside the values (docs/exchange-online.md#configuration-exports).
func isAnnotation(k string) bool { return strings.Contains(k, "@") }

// lookup finds key case-insensitively, as PowerShell does, ignoring annotations. Two keys that
// differ only in case make the value ambiguous: dup names the other one.
func (n *node) lookup(key string) (v *node, name, dup string) {
	if n.index == nil {
		n.index = make(map[string][2]int, len(n.keys))
		for i, k := range n.keys {
			if isAnnotation(k) {
				continue
			}
			f := fold(k)
			if at, ok := n.index[f]; ok {
				if at[1] < 0 {
					n.index[f] = [2]int{at[0], i}
				}
				continue
			}
			n.index[f] = [2]int{i, -1}
		}
	}
	at, ok := n.index[fold(key)]
	if !ok {
		return nil, "", ""
	}
	if at[1] >= 0 {
		dup = n.keys[at[1]]
	}
	return n.vals[at[0]], n.keys[at[0]], dup
}

// fold lower-cases ASCII letters only, as .NET's OrdinalIgnoreCase does for the ASCII keys
// Exchange writes (the Kelvin sign does not match "k").
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// hasAny reports whether the object has any of the keys (case-insensitively).
func (n *node) hasAny(keys ...string) bool {
	if n == nil || n.kind != kObject {
		return false
	}
	for _, k := range keys {
		if v, _, _ := n.lookup(k); v != nil {
			return true
		}
	}
	return false
}

// member returns the JSON path of key below path.
func member(path, key string) string {
	for _, r := range key {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return path + "[" + strconv.Quote(key) + "]"
		}
	}
	if key == "" {
		return path + `[""]`
	}
	return path + "." + key
}

func elem(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
