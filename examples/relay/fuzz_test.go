package main

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// FuzzMessageReader: the streaming check of the message (messageReader), fed in pieces of any
// size, refuses exactly the messages bareLine refuses — every CR or LF that is not part of a CRLF
// pair — and passes on nothing from the bare byte on.
func FuzzMessageReader(f *testing.F) {
	for _, s := range []string{"Subject: a\r\n\r\nbody\r\n", "\r\nbody", "a\nb", "a\rb", "Subject: a\r\n", "", "\r\n\r\n\r\n", "a\r"} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, b []byte, piece uint8) {
		i := bareLine(b)
		clean := bytes.Count(b, []byte("\r\n"))*2 == bytes.Count(b, []byte("\r"))+bytes.Count(b, []byte("\n"))
		if (i < 0) != clean {
			t.Fatalf("bareLine(%q) = %d, but CRLF-only is %v", b, i, clean)
		}
		mr := &messageReader{r: iotest.OneByteReader(bytes.NewReader(b))}
		if piece > 1 {
			mr.r = &pieceReader{b: b, n: int(piece)}
		}
		got, err := io.ReadAll(mr)
		if clean != (err == nil) {
			t.Fatalf("messageReader(%q) = %v, CRLF-only is %v", b, err, clean)
		}
		if !clean && !errors.Is(err, errBareLine) {
			t.Fatalf("messageReader(%q) = %v, want errBareLine", b, err)
		}
		if !bytes.HasPrefix(b, got) || (!clean && len(got) > i+1) {
			t.Fatalf("messageReader(%q) passed on %q (bare line at %d)", b, got, i)
		}
		if n, err := mr.Read(make([]byte, 8)); !clean && (n != 0 || !errors.Is(err, errBareLine)) {
			t.Fatalf("messageReader(%q) read on after the bare line: %d, %v", b, n, err)
		}
	})
}

// pieceReader returns b in pieces of n bytes.
type pieceReader struct {
	b []byte
	n int
}

func (p *pieceReader) Read(q []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	k := copy(q[:min(len(q), p.n)], p.b)
	p.b = p.b[k:]
	return k, nil
}

// bareLine returns the offset of the first CR not followed by LF or LF not preceded by CR, or -1:
// the reference the streaming check is held to.
func bareLine(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\r':
			if i+1 >= len(b) || b[i+1] != '\n' {
				return i
			}
			i++
		case '\n':
			return i
		}
	}
	return -1
}
