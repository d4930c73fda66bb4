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
// input), and returns the textproto.Header go-message's textproto.ReadHeader returns for it. When
// r is a *bufio.Reader it is left at the first byte of the body; any other reader may be read
// beyond the header block (by at most 4096 bytes; 8 KiB from a bytes.Reader, strings.Reader or
// bytes.Buffer).
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
	if !ok && l.MaxBytes < 1<<30 {
		if n, ok := inMemory(r); ok && n <= l.MaxBytes {
			return readInPlace(r, n, l)
		}
		return readInPlace(r, -1, l)
	}
	if !ok {
		br = bufio.NewReaderSize(r, readBuffer)
	}
	s := scanner{l: l, line: 1}
	block := make([]byte, 0, streamStart)
	var startsBuf [128]int
	starts := startsBuf[:0] // offset in block of every field's first line
	for !s.done {
		lineStart := len(block)
		line, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull { // a line longer than the buffer: check it piece by piece
			if _, serr := s.scan(line); serr != nil {
				return textproto.Header{}, serr
			}
			block = appendLine(block, line)
			line, err = br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return textproto.Header{}, fmt.Errorf("headers: reading line %d: %w", s.line, err)
		}
		if _, serr := s.scan(line); serr != nil {
			return textproto.Header{}, serr
		}
		if s.done {
			break // the blank line; it is not part of any field
		}
		block = appendLine(block, line)
		if len(block) > lineStart && block[lineStart] != ' ' && block[lineStart] != '\t' {
			starts = append(starts, lineStart)
		}
		// Line breaks become CRLF, as textproto.ReadHeader makes them: the scanner has made
		// sure a CR only ever stands before LF.
		if n := len(block); n > 0 && block[n-1] == '\n' && (n < 2 || block[n-2] != '\r') {
			block = append(block[:n-1], '\r', '\n')
		}
		if err == io.EOF {
			if err := s.end(); err != nil {
				return textproto.Header{}, err
			}
			if n := len(block); n > 0 && block[n-1] != '\n' {
				block = append(block, '\r', '\n')
			}
			break
		}
	}
	return headerOf(block, starts), nil
}

// appendLine appends line and room for its CR to block, doubling block's capacity when it is
// full (append grows a large slice by a quarter at a time, which would copy a block of a few
// tens of kilobytes several times).
func appendLine(block, line []byte) []byte {
	if need := len(block) + len(line) + 1; need > cap(block) {
		grown := make([]byte, len(block), max(2*cap(block), need))
		copy(grown, block)
		block = grown
	}
	return append(block, line...)
}

// headerOf builds a textproto.Header from a checked block of CRLF-terminated lines, given the
// offset of every field's first line (Read records them as it reads, so the block is not
// searched again). It adds the fields bottom-up with AddRaw (which puts each new field on top),
// so the result has the block's order, and every field's raw bytes are a slice of block: no
// copy per field.
func headerOf(block []byte, starts []int) textproto.Header {
	var h textproto.Header
	end := len(block)
	for k := len(starts) - 1; k >= 0; k-- {
		h.AddRaw(block[starts[k]:end:end])
		end = starts[k]
	}
	return h
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
	wspCol  int  // where that white space started (1-based)
	cr      bool // the previous byte was a CR
	done    bool // the blank line has been read
}

// scan consumes b, which holds at most one LF and only at its end (a line or a piece of one,
// as bufio.ReadSlice returns them); it returns how many bytes belong to the header block. Field names are checked byte by byte; the rest of each line
// is searched for NUL and CR with bytes.IndexByte, which keeps the check cheap next to
// textproto's own reading.
func (s *scanner) scan(b []byte) (int, error) {
	if s.plainLine(b, false) {
		return len(b), nil
	}
	return s.scanSlow(b)
}

// scanSlow is scan without its fast path: it reads b byte by byte where it must.
func (s *scanner) scanSlow(b []byte) (int, error) {
	i := 0
	for i < len(b) {
		if s.cr { // a CR ended the previous chunk: only LF may follow
			s.cr = false
			if b[i] != '\n' {
				return i, fmt.Errorf("%w: line %d: bare CR at byte %d", ErrSyntax, s.line, s.col+1)
			}
			if err := s.count(1); err != nil {
				return i, err
			}
			done, err := s.lineEnd()
			if err != nil || done {
				return i + 1, err
			}
			i++
			continue
		}
		rest := b[i:]
		// Read hands over what bufio.ReadSlice returned: at most one LF, at the end.
		end := -1
		if rest[len(rest)-1] == '\n' {
			end = len(rest) - 1
		}
		seg := rest
		if end >= 0 {
			seg = rest[:end+1]
		}
		if err := s.count(len(seg)); err != nil {
			return i, err
		}
		if end >= 0 {
			seg = seg[:end]
		}
		j, err := s.name(seg)
		if err != nil {
			return i + j, err
		}
		bulk := seg[j:]
		if k := bytes.IndexByte(bulk, 0); k >= 0 {
			return i + j + k, fmt.Errorf("%w: line %d: NUL byte at byte %d", ErrSyntax, s.line, s.col+k+1)
		}
		if k := bytes.IndexByte(bulk, '\r'); k >= 0 {
			if k != len(bulk)-1 {
				return i + j + k, fmt.Errorf("%w: line %d: bare CR at byte %d", ErrSyntax, s.line, s.col+k+1)
			}
			bulk = bulk[:k]
			if end < 0 {
				s.cr = true // the LF may come in the next chunk
			}
		}
		s.col += len(bulk)
		if s.col > s.l.MaxLineLength {
			return i + j, fmt.Errorf("%w: line %d is over MaxLineLength (%d bytes)", ErrLimit, s.line, s.l.MaxLineLength)
		}
		if end < 0 {
			return len(b), nil
		}
		done, err := s.lineEnd()
		if err != nil || done {
			return i + end + 1, err
		}
		i += end + 1
	}
	return len(b), nil
}

// count adds n bytes to the total and checks MaxBytes.
func (s *scanner) count(n int) error {
	s.total += n
	if s.total > s.l.MaxBytes {
		return s.overMaxBytes()
	}
	return nil
}

// overMaxBytes is the error of a block over MaxBytes at the current line.
func (s *scanner) overMaxBytes() error {
	return fmt.Errorf("%w: header block is over MaxBytes (%d bytes) at line %d", ErrLimit, s.l.MaxBytes, s.line)
}

// lineEnd handles a LF: the blank line ends the block; a field line must have had its colon.
func (s *scanner) lineEnd() (done bool, err error) {
	if s.col == 0 {
		s.done = true
		return true, nil
	}
	if s.inName {
		return false, fmt.Errorf("%w: line %d: no ':' in field line", ErrSyntax, s.line)
	}
	s.line++
	s.col = 0
	return false, nil
}

// name checks the start of a line and, on a field line, the name up to its colon. It returns
// how many bytes of seg it consumed; it stops at a CR or NUL for the caller to judge.
func (s *scanner) name(seg []byte) (int, error) {
	if s.col == 0 && !s.inName {
		if j, ok := s.plainName(seg); ok {
			return j, nil
		}
	}
	j := 0
	for ; j < len(seg) && (s.col == 0 || s.inName); j++ {
		c := seg[j]
		if c == '\r' || c == 0 {
			return j, nil
		}
		s.col++
		if s.col > s.l.MaxLineLength {
			return j, fmt.Errorf("%w: line %d is over MaxLineLength (%d bytes)", ErrLimit, s.line, s.l.MaxLineLength)
		}
		if s.col == 1 {
			if c == ' ' || c == '\t' {
				if s.fields == 0 {
					return j, fmt.Errorf("%w: line %d: continuation line before the first field", ErrSyntax, s.line)
				}
				continue
			}
			s.fields++
			if s.fields > s.l.MaxFields {
				return j, fmt.Errorf("%w: more than MaxFields (%d) fields at line %d", ErrLimit, s.l.MaxFields, s.line)
			}
			s.inName, s.nameLen, s.nameWSP = true, 0, false
		}
		switch {
		case c == ':':
			if s.nameLen == 0 {
				return j, fmt.Errorf("%w: line %d: empty field name", ErrSyntax, s.line)
			}
			s.inName = false
		case c == ' ' || c == '\t':
			if !s.nameWSP {
				s.nameWSP, s.wspCol = true, s.col
			}
		case c < 33 || c > 126:
			return j, fmt.Errorf("%w: line %d: field name holds byte 0x%02x at byte %d: not printable ASCII", ErrSyntax, s.line, c, s.col)
		case s.nameWSP:
			// The offending byte is the white space, not the name byte after it.
			return j, fmt.Errorf("%w: line %d: field name holds white space at byte %d (a field name is one word; white space may only come right before the ':')", ErrSyntax, s.line, s.wspCol)
		default:
			s.nameLen++
		}
	}
	return j, nil
}

// plainName is name's fast path for the common field line: seg starts a line with a name of
// printable ASCII bytes and its colon, all within MaxLineLength and MaxFields. It takes the
// name and the colon in one tight loop and reports false, changing nothing, for anything else,
// which name then reads byte by byte (and refuses with the error it names).
func (s *scanner) plainName(seg []byte) (int, bool) {
	if s.fields >= s.l.MaxFields {
		return 0, false
	}
	for j := 0; j < len(seg) && j < s.l.MaxLineLength; j++ {
		switch c := seg[j]; {
		case c == ':':
			if j == 0 {
				return 0, false
			}
			s.fields++
			s.col = j + 1
			s.nameLen, s.nameWSP, s.inName = j, false, false
			return j + 1, true
		case c < 33 || c > 126:
			return 0, false
		}
	}
	return 0, false
}

// plainLine is scan's fast path for a whole line that passes every check: b is a field line
// (a name of printable ASCII bytes and its colon) or a continuation line after a field, ends in
// LF or CRLF, holds no other CR and no NUL, and stays within MaxLineLength, MaxBytes and
// MaxFields. It then leaves the scanner as scan would and reports true; for anything else it
// changes nothing and reports false, and scan reads the line byte by byte. noNUL says that the
// caller has already made sure that b holds no NUL.
func (s *scanner) plainLine(b []byte, noNUL bool) bool {
	n := len(b)
	if s.cr || s.col != 0 || s.inName || n < 2 || b[n-1] != '\n' || s.total+n > s.l.MaxBytes {
		return false
	}
	body := b[:n-1]
	if body[len(body)-1] == '\r' {
		body = body[:len(body)-1]
	}
	if len(body) == 0 || len(body) > s.l.MaxLineLength {
		return false
	}
	var rest []byte
	j := 0 // the name's length
	field := body[0] != ' ' && body[0] != '\t'
	if field {
		if s.fields >= s.l.MaxFields {
			return false
		}
		for ; j < len(body) && body[j] != ':'; j++ {
			if c := body[j]; c < 33 || c > 126 {
				return false
			}
		}
		if j == 0 || j == len(body) {
			return false
		}
		rest = body[j+1:]
	} else {
		if s.fields == 0 {
			return false
		}
		rest = body[1:]
	}
	if !noNUL && bytes.IndexByte(rest, 0) >= 0 || bytes.IndexByte(rest, '\r') >= 0 {
		return false
	}
	if field {
		s.fields++
		s.nameLen, s.nameWSP = j, false
	}
	s.total += n
	s.line++
	return true
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
