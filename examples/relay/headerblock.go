package main

import (
	"bufio"
	"bytes"
	"io"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// maxKeptHeaderBuffer is the largest header buffer a session keeps for its next message (the
// largest corpus block is 22 KB); a larger one, at most Limits.MaxBytes and one read more, is
// dropped after its message.
const maxKeptHeaderBuffer = 64 << 10

// messageHeader is the header block of one message as Data reads, decides and writes it. In the
// common case it is the block as bytes (Transaction.HeaderBlock), edited as it is written; a block
// the bytes cannot stand for exactly (a line that does not end in CRLF, an error in the middle of
// a line) is the textproto.Header headers.Read returns for it, edited by Verdict.Apply, as before
// (docs/classify.md#the-header-as-bytes).
type messageHeader struct {
	asBytes bool
	block   []byte           // asBytes: the fields, CRLF lines, no blank line
	h       textproto.Header // !asBytes
	limits  headers.Limits   // the limits the block was read within

	// The verdict's edits of block (apply).
	remove  []classify.HeaderField
	verdict []byte // the verdict field as textproto.WriteHeader writes it; nil for none
}

// readMessageHeader reads the header block from br, up to and including the blank line, as headers.Read
// reads it: the same header (as bytes) or the same error, br left at the first byte of the body.
// It reads the lines into buf (reused; the block is a slice of it, returned as raw) and checks
// them with headers.CheckBytes, which refuses exactly what Read refuses. Read checks each line
// as it comes and stops at the first bad one, while readMessageHeader reads to the blank line (at most
// MaxBytes and one line more) first: the error is the same, and a message whose header block is
// refused is refused whole, so where the body would start does not matter then.
func readMessageHeader(br *bufio.Reader, l headers.Limits, buf []byte) (mh messageHeader, raw []byte, err error) {
	maxBytes := l.MaxBytes
	if maxBytes <= 0 {
		maxBytes = headers.DefaultMaxBytes
	}
	raw = buf[:0]
	lineStart := true
	for {
		// The same reads as Read's: bufio.Reader.ReadSlice, pieces of at most the buffer's size.
		piece, rerr := br.ReadSlice('\n')
		if rerr != nil && rerr != bufio.ErrBufferFull && rerr != io.EOF {
			// Read checks what came before and returns the error without looking at the
			// piece that came with it: so does Read on a replay of exactly that.
			mh.h, err = headers.Read(io.MultiReader(bytes.NewReader(raw), errReader{rerr}), l)
			return mh, raw, err
		}
		blank := lineStart && (string(piece) == "\r\n" || string(piece) == "\n")
		raw = append(raw, piece...)
		if blank || rerr == io.EOF || len(raw) > maxBytes {
			// Over MaxBytes: Read has refused the block by the end of this piece at the latest.
			break
		}
		lineStart = rerr == nil
	}
	n, ok, err := headers.CheckBytes(raw, l)
	if !ok {
		// A line that does not end in CRLF: Read rewrites it, and ReadBytes reads it as Read.
		mh.h, err = headers.ReadBytes(raw, l)
		return mh, raw, err
	}
	if err != nil {
		return mh, raw, err
	}
	if raw == nil {
		raw = []byte{}
	}
	return messageHeader{asBytes: true, block: raw[:n:n], limits: l}, raw, nil
}

// errReader returns err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// transaction returns the header for classify.Transaction: the block or the textproto.Header.
func (m *messageHeader) transaction(t *classify.Transaction) {
	if m.asBytes {
		t.HeaderBlock = m.block
	} else {
		t.Header = m.h
	}
}

// apply makes v's edits, as v.Apply makes them to the header read from the block: it drops the
// fields in v.Remove and adds v.Header at the top. The header as bytes keeps the edits for
// writeTo; a verdict field textproto cannot write (a field name or value it refuses) turns it into
// the textproto.Header, so that writing fails exactly as it would have. fields, if not nil,
// remembers how verdict fields are written.
func (m *messageHeader) apply(v *classify.Verdict, fields *verdictFields) error {
	if !m.asBytes {
		v.Apply(&m.h)
		return nil
	}
	m.remove, m.verdict = v.Remove, nil
	if v.Header.Name == "" {
		return nil
	}
	if b, ok := fields.format(v.Header); ok {
		m.verdict = b
		return nil
	}
	h, err := headers.ReadBytes(m.block, m.limits)
	if err != nil {
		return err // CheckBytes accepted the block within the same limits: not reached
	}
	v.Apply(&h)
	m.asBytes, m.block, m.h, m.remove = false, nil, h, nil
	return nil
}

// writeTo writes the edited header block and the blank line: exactly what
// textproto.WriteHeader writes for the header read from the block after Verdict.Apply.
func (m *messageHeader) writeTo(w io.Writer) error {
	if !m.asBytes {
		return textproto.WriteHeader(w, m.h)
	}
	if m.verdict != nil {
		if _, err := w.Write(m.verdict); err != nil {
			return err
		}
	}
	// Verdict.Apply's loop over the fields, on the bytes: a field is a line that does not start
	// with white space and the continuation lines after it.
	rest := m.block
	pending := 0 // bytes of rest[:pending] are kept and not yet written
	for j, idx := 0, 0; pending < len(rest) && j < len(m.remove); idx++ {
		n := fieldLen(rest[pending:])
		if m.remove[j].Index != idx {
			pending += n
			continue
		}
		if pending > 0 {
			if _, err := w.Write(rest[:pending]); err != nil {
				return err
			}
		}
		rest, pending = rest[pending+n:], 0
		j++
	}
	if len(rest) > 0 {
		if _, err := w.Write(rest); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\r\n")
	return err
}

// fieldLen returns the length of the field at the start of b, a checked block: its first line
// and the continuation lines (starting with space or tab) after it, line breaks included.
func fieldLen(b []byte) int {
	end := 0
	for {
		i := bytes.IndexByte(b[end:], '\n')
		if i < 0 {
			return len(b)
		}
		end += i + 1
		if end == len(b) || (b[end] != ' ' && b[end] != '\t') {
			return end
		}
	}
}

// maxVerdictFields bounds verdictFields: a gateway writes one verdict field per tenant, kind,
// origin and hop it sees, and the fields past the bound are formatted each time.
const maxVerdictFields = 4096

// verdictFields remembers how textproto.WriteHeader writes verdict fields (the field and its
// folding, without the blank line that ends a block), so that a message does not format the same
// field again. The bytes it returns are shared and never written to. The zero value is ready; a
// nil one remembers nothing.
type verdictFields struct {
	memo[classify.Field, []byte]
}

// format returns f as textproto.WriteHeader writes it; ok is false when WriteHeader refuses it.
func (c *verdictFields) format(f classify.Field) (b []byte, ok bool) {
	write := func() ([]byte, error) {
		var one textproto.Header
		one.Add(f.Name, f.Value)
		var buf bytes.Buffer
		if err := textproto.WriteHeader(&buf, one); err != nil {
			return nil, err
		}
		return buf.Bytes()[:buf.Len()-2], nil
	}
	var err error
	if c == nil {
		b, err = write()
	} else {
		b, err = c.get(f, maxVerdictFields, write)
	}
	return b, err == nil
}
