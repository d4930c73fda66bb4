package headers

import (
	"bytes"

	"github.com/emersion/go-message/textproto"
)

// readBuffer is the size of the bufio.Reader that Read reads through.
const readBuffer = 4096

// ReadBytes is Read for a header block already in memory: it returns what
// Read(bytes.NewReader(b), l) returns, the same header or the same error, but when every line of
// the block ends in CRLF (as a block that a milter rebuilt does) it checks b where it lies and
// makes no copy of it: the raw bytes of the returned header's fields are then slices of b, and
// the caller must not change b while it uses the header. Otherwise it reads a copy, as Read does.
func ReadBytes(b []byte, l Limits) (textproto.Header, error) {
	l = l.withDefaults()
	s := scanner{l: l, line: 1}
	end := 0 // the block's bytes so far, without the blank line
	var startsBuf [128]int
	starts := startsBuf[:0] // offset in b of every field's first line, as Read records them
	for end < len(b) {
		line := b[end:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		if len(line) < 2 || line[len(line)-1] != '\n' || line[len(line)-2] != '\r' {
			// An LF-only line end, or a last line without one: Read rewrites those.
			return Read(bytes.NewReader(b), l)
		}
		// Read's bufio.Reader hands a line longer than its buffer to the scanner in pieces;
		// so does this, for the same errors in the same order.
		for piece := line; len(piece) > 0; {
			n := min(len(piece), readBuffer)
			if _, err := s.scan(piece[:n]); err != nil {
				return textproto.Header{}, err
			}
			piece = piece[n:]
		}
		if s.done {
			return headerOf(b[:end:end], starts), nil
		}
		if line[0] != ' ' && line[0] != '\t' {
			starts = append(starts, end)
		}
		end += len(line)
	}
	if err := s.end(); err != nil {
		return textproto.Header{}, err
	}
	return headerOf(b[:end:end], starts), nil
}
