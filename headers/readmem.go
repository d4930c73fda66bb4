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
// of the block's own buffer and moves each checked line to the front, so that the block is
// allocated once and no bufio.Reader is needed. The lines go to the scanner in the pieces
// bufio.Reader.ReadSlice gives Read's general path (a line longer than readBuffer in pieces of
// that size from its start), so every error is the one that path returns. A rewritten line end
// gains a byte (LF to CRLF): the buffer has room for n/16+64 of them and is replaced by a larger
// one when that runs out.
func readMemory(r io.Reader, n int, l Limits) (textproto.Header, error) {
	size := n + n/16 + 64
	buf := make([]byte, size)
	off := size - n        // the input is buf[off:]
	in := buf[off:]        // in[:got] has been read from r
	got, p, w := 0, 0, 0   // p: the next line's start in in; the block is buf[:w]
	clean, nul := 0, false // in[:clean] holds no NUL; nul: in[clean] is one
	s := scanner{l: l, line: 1}
	var startsBuf [128]int
	starts := startsBuf[:0]
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
		// Move the line to buf[w:], where it may gain two bytes, behind the unread input.
		if w+(end-p)+2 > off+end {
			rest := len(in) - p
			nsize := w + 2*rest + 2
			nbuf := make([]byte, nsize)
			copy(nbuf, buf[:w])
			nin := nbuf[nsize-rest:]
			copy(nin, in[p:got])
			buf, off, in = nbuf, nsize-rest, nin
			got, end, clean, p = got-p, end-p, clean-p, 0
		}
		start := w
		w += copy(buf[w:], in[p:end])
		if w > start && buf[start] != ' ' && buf[start] != '\t' {
			starts = append(starts, start)
		}
		// Line breaks become CRLF, as textproto.ReadHeader makes them: the scanner has made
		// sure a CR only ever stands before LF.
		if w > 0 && buf[w-1] == '\n' && (w < 2 || buf[w-2] != '\r') {
			buf[w-1], buf[w] = '\r', '\n'
			w++
		}
		p = end
		if eof {
			if err := s.end(); err != nil {
				return textproto.Header{}, err
			}
			if w > 0 && buf[w-1] != '\n' {
				buf[w], buf[w+1] = '\r', '\n'
				w += 2
			}
			break
		}
	}
	return headerOf(buf[:w:w], starts), nil
}
