package headers

import (
	"bufio"
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
	hr := &headerReader{s: scanner{l: l.withDefaults(), line: 1}}
	if br, ok := r.(*bufio.Reader); ok {
		hr.br = br
	} else {
		hr.src = r
	}
	h, err := textproto.ReadHeader(bufio.NewReader(hr))
	if hr.err != nil {
		return textproto.Header{}, hr.err
	}
	if err != nil {
		return textproto.Header{}, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return h, nil
}

// headerReader passes the header block through to textproto.ReadHeader, checking it byte by
// byte as it goes (no copy of the block is kept), and ends at the blank line. From a
// *bufio.Reader it consumes exactly the header block.
type headerReader struct {
	br   *bufio.Reader
	src  io.Reader
	s    scanner
	err  error // sticky: a limit or syntax error, or a read error
	done bool
}

func (hr *headerReader) Read(p []byte) (int, error) {
	if hr.err != nil {
		return 0, hr.err
	}
	if hr.done || len(p) == 0 {
		return 0, io.EOF
	}
	var n int
	var rerr error
	if hr.br != nil {
		if _, err := hr.br.Peek(1); err != nil {
			rerr = err
		} else {
			chunk, _ := hr.br.Peek(min(len(p), hr.br.Buffered()))
			k, err := hr.s.scan(chunk)
			n = copy(p, chunk[:k])
			_, _ = hr.br.Discard(k)
			if err != nil {
				hr.err = err
				return 0, err
			}
		}
	} else {
		n, rerr = hr.src.Read(p)
		k, err := hr.s.scan(p[:n])
		if err != nil {
			hr.err = err
			return 0, err
		}
		n = k
	}
	if hr.s.done {
		hr.done = true
	}
	if rerr == io.EOF {
		if err := hr.s.end(); err != nil {
			hr.err = err
			return 0, err
		}
		hr.done = true
		return n, nil
	}
	if rerr != nil {
		hr.err = fmt.Errorf("headers: reading line %d: %w", hr.s.line, rerr)
		return n, nil
	}
	return n, nil
}

// scanner checks a header block one byte at a time against Limits and the refusals Read
// documents. It keeps no copy of the input.
type scanner struct {
	l       Limits
	total   int  // bytes so far
	fields  int  // field lines so far
	line    int  // current line, from 1
	col     int  // bytes of the current line so far, without its line break
	inName  bool // between the start of a field line and its colon
	nameLen int
	nameWSP bool // white space seen after name bytes (allowed only before the colon)
	cr      bool // the previous byte was a CR
	done    bool // the blank line has been read
}

// scan consumes b up to and including the blank line that ends the block; it returns how many
// bytes belong to the header block.
func (s *scanner) scan(b []byte) (int, error) {
	for i, c := range b {
		s.total++
		if s.total > s.l.MaxBytes {
			return i, fmt.Errorf("%w: header block is over MaxBytes (%d bytes) at line %d", ErrLimit, s.l.MaxBytes, s.line)
		}
		if s.cr {
			s.cr = false
			if c != '\n' {
				return i, fmt.Errorf("%w: line %d: bare CR at byte %d", ErrSyntax, s.line, s.col+1)
			}
		} else if c == '\r' {
			s.cr = true
			continue
		}
		if c == '\n' {
			if s.col == 0 {
				s.done = true
				return i + 1, nil
			}
			if s.inName {
				return i, fmt.Errorf("%w: line %d: no ':' in field line", ErrSyntax, s.line)
			}
			s.line++
			s.col = 0
			continue
		}
		if c == 0 {
			return i, fmt.Errorf("%w: line %d: NUL byte at byte %d", ErrSyntax, s.line, s.col+1)
		}
		s.col++
		if s.col > s.l.MaxLineLength {
			return i, fmt.Errorf("%w: line %d is over MaxLineLength (%d bytes)", ErrLimit, s.line, s.l.MaxLineLength)
		}
		if s.col == 1 {
			if c == ' ' || c == '\t' {
				if s.fields == 0 {
					return i, fmt.Errorf("%w: line %d: continuation line before the first field", ErrSyntax, s.line)
				}
				continue
			}
			s.fields++
			if s.fields > s.l.MaxFields {
				return i, fmt.Errorf("%w: more than MaxFields (%d) fields at line %d", ErrLimit, s.l.MaxFields, s.line)
			}
			s.inName, s.nameLen, s.nameWSP = true, 0, false
		}
		if !s.inName {
			continue
		}
		switch {
		case c == ':':
			if s.nameLen == 0 {
				return i, fmt.Errorf("%w: line %d: empty field name", ErrSyntax, s.line)
			}
			s.inName = false
		case c == ' ' || c == '\t':
			s.nameWSP = true
		case c < 33 || c > 126 || s.nameWSP:
			return i, fmt.Errorf("%w: line %d: field name holds byte 0x%02x at byte %d: not printable ASCII", ErrSyntax, s.line, c, s.col)
		default:
			s.nameLen++
		}
	}
	return len(b), nil
}

// end checks the state at the end of input: a header block may end without a blank line, but
// not inside a field name or after a bare CR.
func (s *scanner) end() error {
	if s.done {
		return nil
	}
	if s.cr {
		return fmt.Errorf("%w: line %d: bare CR at byte %d", ErrSyntax, s.line, s.col+1)
	}
	if s.inName {
		return fmt.Errorf("%w: line %d: no ':' in field line", ErrSyntax, s.line)
	}
	return nil
}
