package headers

import (
	"bytes"
	"errors"
	"net/textproto"
)

// CheckBytes checks a header block in memory as ReadBytes does, without building a header: it
// returns the length of the block (its fields, without the blank line and what follows it) for
// ScanEvidenceBlock, or ReadBytes's error. ok is false when a line of b does not end in CRLF:
// ReadBytes reads a rewritten copy of such a block, and so must the caller (err is nil then).
func CheckBytes(b []byte, l Limits) (n int, ok bool, err error) {
	var startsBuf [128]int
	n, _, ok, err = checkCRLFBlock(b, l.withDefaults(), startsBuf[:0])
	return n, ok, err
}

// checkCRLFBlock checks b line by line as Read checks what it reads (a line longer than Read's
// buffer in pieces, for the same errors in the same order) and appends the offset of every
// field's first line to starts. ok is false, with nothing checked, when a line of b does not end
// in CRLF. n is the block's length without the blank line.
func checkCRLFBlock(b []byte, l Limits, starts []int) (n int, _ []int, ok bool, err error) {
	s := scanner{l: l, line: 1}
	end := 0
	for end < len(b) {
		line := b[end:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		if len(line) < 2 || line[len(line)-1] != '\n' || line[len(line)-2] != '\r' {
			return 0, starts, false, nil
		}
		for piece := line; len(piece) > 0; {
			k := min(len(piece), readBuffer)
			if _, err := s.scan(piece[:k]); err != nil {
				return 0, starts, true, err
			}
			piece = piece[k:]
		}
		if s.done {
			return end, starts, true, nil
		}
		if line[0] != ' ' && line[0] != '\t' {
			starts = append(starts, end)
		}
		end += len(line)
	}
	if err := s.end(); err != nil {
		return 0, starts, true, err
	}
	return end, starts, true, nil
}

// ScanEvidenceBlock is ScanEvidence for a header block in memory: b is a block CheckBytes
// accepted, cut to the length it returned (fields of CRLF-terminated lines, no blank line). It
// returns what ScanEvidence returns for the header ReadBytes reads from b, without building that
// header: only the few fields the scan reads are copied.
func ScanEvidenceBlock(b []byte, opts EvidenceOptions) Evidence {
	e := scanEvidence(&blockFields{rest: b}, opts)
	if len(e.Verdicts) > 0 {
		fillInstances(&blockFields{rest: b}, e.Verdicts)
	}
	if len(e.TrustFields) > 0 {
		fillInstances(&blockFields{rest: b}, e.TrustFields)
	}
	return e
}

// BlockFields returns the values of the fields named key (any case; compared as
// textproto.Header.FieldsByKey compares it) in a block CheckBytes accepted, as the values of the
// header ReadBytes reads from it (unfolded, trimmed), in block order.
func BlockFields(b []byte, key string) []string {
	key = textproto.CanonicalMIMEHeaderKey(key)
	var out []string
	for f := (&blockFields{rest: b}); f.Next(); {
		if f.Key() == key {
			out = append(out, f.Value())
		}
	}
	return out
}

// blockFields iterates over the fields of a checked block as the header headerOf builds from it
// would: a field starts at every line that does not start with white space and runs to the next
// start (lines before the first start belong to none). Key and Value are what go-message's
// Header.AddRaw makes of the field's bytes; they are computed on demand.
type blockFields struct {
	rest  []byte // the block after the current field
	field []byte // the current field's bytes, CRLF included
}

func (f *blockFields) Next() bool {
	// Skip lines before the first start (and find the start).
	for len(f.rest) > 0 && (f.rest[0] == ' ' || f.rest[0] == '\t') {
		i := bytes.IndexByte(f.rest, '\n')
		if i < 0 {
			f.rest = nil
			break
		}
		f.rest = f.rest[i+1:]
	}
	if len(f.rest) == 0 {
		f.field = nil
		return false
	}
	end := 0
	for {
		i := bytes.IndexByte(f.rest[end:], '\n')
		if i < 0 {
			end = len(f.rest)
			break
		}
		end += i + 1
		if end == len(f.rest) || (f.rest[end] != ' ' && f.rest[end] != '\t') {
			break
		}
	}
	f.field, f.rest = f.rest[:end:end], f.rest[end:]
	return true
}

// Key is the canonical key AddRaw gives the field: its name, trimmed, canonicalized.
func (f *blockFields) Key() string {
	name, ok := f.name()
	if !ok {
		return ""
	}
	if k := scanKey(name); k != "" {
		return k
	}
	return textproto.CanonicalMIMEHeaderKey(string(name))
}

// scanKey is Key for the fields scanEvidence acts on, without copying the name: their canonical
// key, or "" for any other field.
func (f *blockFields) scanKey() string {
	name, _ := f.name()
	return scanKey(name)
}

// name is the field's name as AddRaw takes it: the bytes before the first colon, trimmed; ok is
// false without a colon.
func (f *blockFields) name() (name []byte, ok bool) {
	colon := bytes.IndexByte(f.field, ':')
	if colon < 0 {
		return nil, false
	}
	name = f.field[:colon]
	for len(name) > 0 && (name[0] == ' ' || name[0] == '\t') {
		name = name[1:]
	}
	for len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t') {
		name = name[:len(name)-1]
	}
	return name, true
}

// scanKey returns the canonical key of the fields scanEvidence acts on that name names in any
// case, or "". Such a name is made of letters, digits and hyphens only, so CanonicalMIMEHeaderKey
// would return exactly that key for it.
func scanKey(name []byte) string {
	for _, k := range [...]string{keyFrom, keyAuthResults, keyCrossTenantID, keyFromEntity, keyAuthAs, keyFFAS, keyEOPTenant} {
		if len(name) == len(k) && equalFold(name, k) {
			return k
		}
	}
	return ""
}

// Value is the value AddRaw gives the field: folding undone, white space around line breaks
// and at both ends dropped, lines joined with one space.
func (f *blockFields) Value() string {
	var buf [2048]byte // most values fit: one allocation, the string's
	return string(f.appendValue(buf[:0]))
}

// appendValue appends Value's bytes to dst.
func (f *blockFields) appendValue(dst []byte) []byte {
	colon := bytes.IndexByte(f.field, ':')
	if colon < 0 {
		return dst
	}
	v, start := f.field[colon+1:], len(dst)
	for {
		i := bytes.IndexByte(v, '\n')
		line := v
		if i >= 0 {
			line = v[:i]
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if line = bytes.Trim(line, " \t"); len(line) > 0 {
			if len(dst) > start {
				dst = append(dst, ' ')
			}
			dst = append(dst, line...)
		}
		if i < 0 {
			return dst
		}
		v = v[i+1:]
	}
}

func (f *blockFields) Raw() ([]byte, error) { return f.field, nil }

func (f *blockFields) Text() (string, error) { return "", errBlockFields }

func (f *blockFields) Del() { panic("headers: blockFields.Del") }

func (f *blockFields) Len() int { return -1 }

var errBlockFields = errors.New("headers: Text of a block field")
