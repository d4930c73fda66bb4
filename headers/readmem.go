package headers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// memChunk is how much of an in-memory reader readInPlace copies at a time, so that most of a
// body after the header block is left unread.
const memChunk = 8 << 10

// streamStart is the size readInPlace starts a stream's block with (and Read's bufio path its
// capacity): room for the 10–25 KB header blocks Exchange Online writes, so that those are read
// without growing the buffer and copying what it holds.
const streamStart = 32 << 10

// errReadCount is the error of a reader that says it read fewer than none or more bytes than it
// was given room for.
var errReadCount = errors.New("the reader returned an impossible byte count")

// inMemory returns how many bytes r has left when r is one of the standard library's in-memory
// readers, which hand over exactly that many bytes and never fail: readInPlace reads those
// without a bufio.Reader.
func inMemory(r io.Reader) (int, bool) {
	switch r := r.(type) {
	case *bytes.Reader:
		return r.Len(), true
	case *strings.Reader:
		return r.Len(), true
	case *bytes.Buffer:
		return r.Len(), true
	}
	return 0, false
}

// readInPlace is Read without a bufio.Reader. For an in-memory reader n is how many bytes it holds
// (inMemory); for any other reader n is -1 and the buffer grows as the block does.
// It reads the input into the tail of the block's own buffer, so that the block is allocated once
// (for a stream: once per doubling) and no bufio.Reader is needed, and checks it where it lies,
// line by line. The lines go to the scanner in the pieces bufio.Reader.ReadSlice gives Read's
// bufio path (a line longer than readBuffer in pieces of that size from its start), and a
// stream's read error or missing progress comes back where that path returns it, so every error
// is the one that path returns. Then the line ends that were LF alone become CRLF (and a last
// line without a line end gains one), as textproto.ReadHeader makes them: the block moves toward
// the front of the buffer by the bytes it gains, each part of it by the bytes gained after that
// part, so a block of CRLF lines does not move at all. The buffer has room for 1/16 of its size
// and 64 more gained bytes; a block that gains more is copied to a buffer of its size.
func readInPlace(r io.Reader, n int, l Limits) (textproto.Header, error) {
	stream := n < 0
	chunk := memChunk
	if stream {
		// A stream is read as bufio.Reader reads it, at most readBuffer at a time, so that it
		// gives up no more of what follows the block than the bufio path does.
		n, chunk = min(streamStart, l.MaxBytes+2*readBuffer), readBuffer
	}
	size := n + n/16 + 64
	buf := make([]byte, size)
	off := size - n        // the input is buf[off:]
	in := buf[off:]        // in[:got] has been read from r
	got, p := 0, 0         // p: the next line's start in in
	clean, nul := 0, false // in[:clean] holds no NUL; nul: in[clean] is one
	var rerr error         // a stream's read error, for the first line that needs bytes past it
	s := scanner{l: l, line: 1}
	var startsBuf [128]int
	starts := startsBuf[:0] // offset of every field in the final block
	// The offset in in of every LF that gains a CR (int32: n is at most MaxBytes, and Read takes
	// this path only below 1 GiB); room on the stack for a block of 512 LF-only lines.
	var lfBuf [512]int32
	lfs := lfBuf[:0]
	eofCRLF := false // the last line has no line end and gains CRLF
	for {
		// The line: up to and including its LF, or to the end of the input. A line that has
		// not ended is checked in full pieces as they arrive (fed: the bytes of it checked), as
		// the bufio path checks what fills its buffer, so that a line over a limit is refused
		// as early.
		end, fed := -1, 0
		if i := bytes.IndexByte(in[p:got], '\n'); i >= 0 {
			end = p + i + 1
		}
		for empty := 0; end < 0 && rerr == nil; {
			for ; got-(p+fed) >= readBuffer; fed += readBuffer {
				if _, err := s.scan(in[p+fed : p+fed+readBuffer]); err != nil {
					return textproto.Header{}, err
				}
			}
			if got == len(in) {
				if !stream || len(in) >= l.MaxBytes+2*readBuffer {
					break // an in-memory reader's end; a stream's line past MaxBytes
				}
				// Double the buffer; every offset kept is relative to in.
				n := min(2*len(in), l.MaxBytes+2*readBuffer)
				size := n + n/16 + 64
				grown := make([]byte, size)
				off = size - n
				copy(grown[off:], in[:got])
				buf, in = grown, grown[off:]
			}
			k, err := r.Read(in[got:min(len(in), got+chunk)])
			if k < 0 || k > min(len(in), got+chunk)-got {
				k, err = 0, errReadCount
			}
			if i := bytes.IndexByte(in[got:got+k], '\n'); i >= 0 {
				end = got + i + 1
			}
			got += k
			switch {
			case !stream:
				if k <= 0 {
					in = in[:got] // not with the readers inMemory names; the input ends here
					rerr = io.EOF
				}
			case err != nil:
				rerr = err
			case k == 0:
				if empty++; empty == 100 { // as bufio.Reader gives up
					rerr = io.ErrNoProgress
				}
			default:
				empty = 0
			}
		}
		if end < 0 && stream && rerr != io.EOF {
			// A read error before the line ended (its full pieces checked), as the bufio path
			// returns it. Without one the buffer could not grow: the pieces checked have passed
			// MaxBytes and were refused (not reached).
			if rerr == nil {
				return textproto.Header{}, s.overMaxBytes()
			}
			return textproto.Header{}, fmt.Errorf("headers: reading line %d: %w", s.line, rerr)
		}
		eof := end < 0
		if eof {
			end = got
		}
		// in[:clean] holds no NUL: one search over the input instead of one per line.
		if end > clean && !nul {
			if k := bytes.IndexByte(in[clean:got], 0); k >= 0 {
				clean, nul = clean+k, true
			} else {
				clean = got
			}
		}
		if fed == 0 && end-p <= readBuffer && s.plainLine(in[p:end], end <= clean) {
			// Checked: the common line, as scan would have taken it.
		} else {
			for piece := in[p+fed : end]; ; {
				k := len(piece)
				if k > readBuffer {
					k = readBuffer
				}
				if _, err := s.scan(piece[:k]); err != nil {
					return textproto.Header{}, err
				}
				if piece = piece[k:]; len(piece) == 0 {
					break
				}
			}
		}
		if s.done {
			break // the blank line; it is not part of any field
		}
		if end > p && in[p] != ' ' && in[p] != '\t' {
			starts = append(starts, p+len(lfs)) // each earlier LF has gained a CR
		}
		// The scanner has made sure that a CR only ever stands before LF. (A line ending in
		// LF holds at least one more byte: the blank line has ended the block.)
		if end-p >= 2 && in[end-1] == '\n' && in[end-2] != '\r' {
			lfs = append(lfs, int32(end-1))
		}
		p = end
		if eof {
			if err := s.end(); err != nil {
				return textproto.Header{}, err
			}
			eofCRLF = p > 0 && in[p-1] != '\n'
			break
		}
	}
	gain := len(lfs)
	if eofCRLF {
		gain += 2
	}
	if gain == 0 {
		return headerOf(in[:p:p], starts), nil
	}
	// The block is in[:p] with the gained bytes; it goes to dst[:p+gain], which ends where the
	// input's block ends when the buffer has room before it, so that the tail after the last
	// LF that gains a CR stays where it is.
	var dst []byte
	if gain <= off {
		dst = buf[off-gain : off+p]
	} else {
		dst = make([]byte, p+gain)
	}
	w, from := 0, 0
	for _, lf32 := range lfs {
		lf := int(lf32)
		w += copy(dst[w:], in[from:lf]) // dst[w:] never passes in[from:]: a move toward the front
		dst[w], dst[w+1] = '\r', '\n'
		w, from = w+2, lf+1
	}
	if gain > off || eofCRLF {
		w += copy(dst[w:], in[from:p])
	} else {
		w += p - from // in place: each LF before it has gained one byte, all that was gained
	}
	if eofCRLF {
		dst[w], dst[w+1] = '\r', '\n'
		w += 2
	}
	return headerOf(dst[:w:w], starts), nil
}
