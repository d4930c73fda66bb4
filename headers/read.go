package headers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-message/textproto"
)

// Default limits, used for a zero field of Limits.
const (
	// DefaultMaxBytes bounds the whole header block, line breaks included (256 KiB; the
	// largest corpus block is 22 KB).
	DefaultMaxBytes = 256 << 10
	// DefaultMaxFields bounds the number of fields (a long list-archived message has ~80).
	DefaultMaxFields = 1000
	// DefaultMaxLineLength bounds one physical line without its line break. RFC 5322 §2.1.1
	// allows 998; real mail exceeds it now and then, so the default is Postfix's
	// line_length_limit, 2048.
	DefaultMaxLineLength = 2048
)

// Limits bound the work Read does. A zero or negative field takes its default.
type Limits struct {
	MaxBytes      int // total bytes of the header block, including line breaks and the blank line
	MaxFields     int // number of header fields
	MaxLineLength int // bytes of one physical line, without its line break
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxFields <= 0 {
		l.MaxFields = DefaultMaxFields
	}
	if l.MaxLineLength <= 0 {
		l.MaxLineLength = DefaultMaxLineLength
	}
	return l
}

// ErrLimit is wrapped by the error Read returns when the header block exceeds a limit.
var ErrLimit = errors.New("headers: limit exceeded")

// ErrSyntax is wrapped by the error Read returns for a header block it refuses to parse.
var ErrSyntax = errors.New("headers: malformed header block")

// Read reads one header block, up to and including the blank line that ends it (or the end of
// input), and parses it with go-message's textproto.ReadHeader. When r is a *bufio.Reader it is
// left at the first byte of the body; any other reader may be read beyond the header block.
//
// Read refuses, rather than truncates, a block over a limit: the error wraps ErrLimit and names
// the limit and the line. It also refuses, with an error wrapping ErrSyntax that names the line,
// what mail software parses in different ways and an attacker can use to show one header to us
// and another to the next hop:
//   - a bare CR (a CR not followed by LF) and a NUL byte anywhere in the block;
//   - a field name that is empty or holds a byte outside printable ASCII (33–126, no ':'),
//     including any non-ASCII byte (RFC 5322 §2.2; RFC 6532 allows UTF-8 only in values);
//   - a line that is neither a field ("name:") nor a continuation (starting with space or tab),
//     and a continuation line at the very start.
//
// White space between a field name and its colon (RFC 5322 §4.5 obsolete syntax) is accepted;
// Parse reports it as a problem. LF-only line ends are accepted like CRLF. Non-ASCII bytes in
// values are kept as they are. A header block without the final blank line is accepted.
func Read(r io.Reader, l Limits) (textproto.Header, error) {
	l = l.withDefaults()
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 4096)
	}
	buf := make([]byte, 0, 8192)
	fields := 0
	for lineNo := 1; ; lineNo++ {
		start := len(buf)
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			buf = append(buf, chunk...)
			if len(buf) > l.MaxBytes {
				return textproto.Header{}, fmt.Errorf("%w: header block is over MaxBytes (%d bytes) at line %d", ErrLimit, l.MaxBytes, lineNo)
			}
			if len(buf)-start > l.MaxLineLength+2 {
				return textproto.Header{}, fmt.Errorf("%w: line %d is over MaxLineLength (%d bytes)", ErrLimit, lineNo, l.MaxLineLength)
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return textproto.Header{}, fmt.Errorf("headers: reading line %d: %w", lineNo, err)
		}
		line := buf[start:]
		content := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if len(content) > l.MaxLineLength {
			return textproto.Header{}, fmt.Errorf("%w: line %d is over MaxLineLength (%d bytes)", ErrLimit, lineNo, l.MaxLineLength)
		}
		if len(content) == 0 {
			if len(line) == 0 && err == io.EOF {
				break // end of input without a blank line
			}
			break // the blank line ending the header block
		}
		if i := bytes.IndexByte(content, '\r'); i >= 0 {
			return textproto.Header{}, fmt.Errorf("%w: line %d: bare CR at byte %d", ErrSyntax, lineNo, i+1)
		}
		if i := bytes.IndexByte(content, 0); i >= 0 {
			return textproto.Header{}, fmt.Errorf("%w: line %d: NUL byte at byte %d", ErrSyntax, lineNo, i+1)
		}
		if content[0] == ' ' || content[0] == '\t' {
			if fields == 0 {
				return textproto.Header{}, fmt.Errorf("%w: line %d: continuation line before the first field", ErrSyntax, lineNo)
			}
		} else {
			fields++
			if fields > l.MaxFields {
				return textproto.Header{}, fmt.Errorf("%w: more than MaxFields (%d) fields at line %d", ErrLimit, l.MaxFields, lineNo)
			}
			if err := checkName(content); err != nil {
				return textproto.Header{}, fmt.Errorf("%w: line %d: %v", ErrSyntax, lineNo, err)
			}
		}
		if err == io.EOF {
			break
		}
	}
	h, err := textproto.ReadHeader(bufio.NewReaderSize(bytes.NewReader(buf), max(4096, l.MaxLineLength+2)))
	if err != nil {
		return h, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return h, nil
}

// checkName validates the field name at the start of a field line.
func checkName(line []byte) error {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return fmt.Errorf("no ':' in field line %q", clip(string(line), 40))
	}
	name := bytes.TrimRight(line[:colon], " \t")
	if len(name) == 0 {
		return errors.New("empty field name")
	}
	for i, c := range name {
		if c < 33 || c > 126 {
			return fmt.Errorf("field name %q: byte 0x%02x at position %d is not printable ASCII", clip(string(name), 40), c, i+1)
		}
	}
	return nil
}
