package headers

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// memChunk is how much of an in-memory reader readMemory copies at a time, so that most of a
// body after the header block is left unread.
const memChunk = 8 << 10

// inMemory returns how many bytes r has left when r is one of the standard library's in-memory
// readers, which hand over exactly that many bytes and never fail: readMemory reads those
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

// readMemory is Read for an in-memory reader holding n bytes. It reads the input into the tail
// of the block's own buffer, so that the block is allocated once and no bufio.Reader is needed,
// and checks it where it lies, line by line. The lines go to the scanner in the pieces
// bufio.Reader.ReadSlice gives Read's general path (a line longer than readBuffer in pieces of
// that size from its start), so every error is the one that path returns. Then the line ends
// that were LF alone become CRLF (and a last line without a line end gains one), as
// textproto.ReadHeader makes them: the block moves toward the front of the buffer by the bytes
// it gains, each part of it by the bytes gained after that part, so a block of CRLF lines does
// not move at all. The buffer has room for n/16+64 gained bytes; a block that gains more is
// copied to a buffer of its size.
func readMemory(r io.Reader, n int, l Limits) (textproto.Header, error) {
	size := n + n/16 + 64
	buf := make([]byte, size)
	off := size - n        // the input is buf[off:]
	in := buf[off:]        // in[:got] has been read from r
	got, p := 0, 0         // p: the next line's start in in
	clean, nul := 0, false // in[:clean] holds no NUL; nul: in[clean] is one
	s := scanner{l: l, line: 1}
	var startsBuf [128]int
	starts := startsBuf[:0] // offset of every field in the final block
	// The offset in in of every LF that gains a CR (int32: n is at most MaxBytes, and Read takes
	// this path only below 1 GiB); room on the stack for a block of 512 LF-only lines.
	var lfBuf [512]int32
	lfs := lfBuf[:0]
	eofCRLF := false // the last line has no line end and gains CRLF
	for {
		// The line: up to and including its LF, or to the end of the input.
		end := -1
		if i := bytes.IndexByte(in[p:got], '\n'); i >= 0 {
			end = p + i + 1
		}
		for end < 0 && got < len(in) {
			k, _ := r.Read(in[got:min(len(in), got+memChunk)])
			if k <= 0 {
				in = in[:got] // not with the readers inMemory names; the input ends here
				break
			}
			if i := bytes.IndexByte(in[got:got+k], '\n'); i >= 0 {
				end = got + i + 1
			}
			got += k
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
		if end-p <= readBuffer && s.plainLine(in[p:end], end <= clean) {
			// Checked: the common line, as scan would have taken it.
		} else {
			for piece := in[p:end]; ; {
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
