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
	var startsBuf [128]int
	n, starts, ok, err := checkCRLFBlock(b, l, startsBuf[:0])
	switch {
	case !ok: // an LF-only line end, or a last line without one: Read rewrites those
		return Read(bytes.NewReader(b), l)
	case err != nil:
		return textproto.Header{}, err
	}
	return headerOf(b[:n:n], starts), nil
}
