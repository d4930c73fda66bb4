package headers

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// onlyReader hides the type of its reader: Read takes it as a stream (readInPlace without a
// known length).
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// sameAsGeneral fails t unless Read of b through each in-memory reader and as streams (whole, a
// byte at a time, with the last data and io.EOF together) returns what Read's bufio path returns:
// the same error text, or fields with the same raw bytes in order.
func sameAsGeneral(t *testing.T, b []byte, l Limits) {
	t.Helper()
	want, werr := Read(bufio.NewReaderSize(bytes.NewReader(b), readBuffer), l)
	for name, r := range map[string]io.Reader{
		"bytes.Reader":    bytes.NewReader(b),
		"strings.Reader":  strings.NewReader(string(b)),
		"bytes.Buffer":    bytes.NewBuffer(bytes.Clone(b)),
		"stream":          onlyReader{bytes.NewReader(b)},
		"stream, 1 byte":  iotest.OneByteReader(bytes.NewReader(b)),
		"stream, EOF too": iotest.DataErrReader(bytes.NewReader(b)),
	} {
		got, gerr := Read(r, l)
		if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("Read(%s %q, %+v): error %v, bufio path: %v", name, clip(string(b), 200), l, gerr, werr)
		}
		if werr != nil {
			continue
		}
		if w, g := rawFields(want), rawFields(got); w != g {
			t.Fatalf("Read(%s %q, %+v):\n%q\nbufio path:\n%q", name, clip(string(b), 200), l, g, w)
		}
	}
}

// TestReadMemorySameAsGeneral: Read of an in-memory reader or a stream (readInPlace) returns what
// the bufio path returns, for the corpus (as stored, with CRLF, with LF only), for every
// refusal and rewrite Read documents, for lines longer than the 4096-byte bufio buffer (checked
// in pieces: the first error found must be the same), for a body after the blank line and for
// so many short LF-only lines that the CR each gains outgrows the buffer's spare room.
func TestReadMemorySameAsGeneral(t *testing.T) {
	for _, c := range corpus(t) {
		b := c.Data
		lf := strings.ReplaceAll(string(b), "\r\n", "\n")
		crlf := strings.ReplaceAll(lf, "\n", "\r\n")
		for _, in := range []string{string(b), lf, crlf, lf + "\nbody\n", crlf[:len(crlf)/2], lf[:len(lf)/3]} {
			sameAsGeneral(t, []byte(in), Limits{})
			sameAsGeneral(t, []byte(in), Limits{MaxBytes: 4000})
			sameAsGeneral(t, []byte(in), Limits{MaxFields: 10})
			sameAsGeneral(t, []byte(in), Limits{MaxLineLength: 70})
		}
	}
	long := strings.Repeat("x", 9000)
	short := "A:b\n" + strings.Repeat(" c\n", 3000) // 3000 short LF-only lines: the spare room runs out
	for _, in := range []string{
		"", "\n", "\r\n", "A: b\r\n", "A: b", "A: b\n", "A: b\r\nB: c\n\r\n", "A: b\r\n\r\nbody\r\n",
		"A: b\n\nbody", "A: b\r\n c\r\n", " c\r\nA: b\r\n", "A b\r\n", ": b\r\n", "A\x00: b\r\n",
		"A: b\x00\r\n", "A: b\rc\r\n", "A: b\r", "A: b\r\r\n", "A : b\r\n", "Ä: b\r\n", "A: b\n c",
		"A: " + long + "\r\n", "A: " + long[:4090] + "\x00" + long + "\r\n", "A: " + long[:4091] + "\r\n",
		"A: " + long[:4092] + "\r\n", "A: " + long[:4093] + "\n", "A: " + long[:4093] + "\r", "A: " + long + "\rB\r\n",
		"A: " + long[:4093] + "\r\nB: " + long[:8189] + "\n\n" + long, "A: " + long, long,
		short, short + "\n" + long, strings.Repeat("A:\n", 2000), strings.Repeat("A:b\r\n", 1000) + short,
		"A: b\r\n\r\nbo\x00dy", "A: b\n c\x00\n", strings.Repeat("A: b\r\n", 2000) + "B: \x00\r\n",
		strings.Repeat("A: b\n", 3000) + "\n\x00", "\x00", "A: b\r\n\x00: c\r\n",
		short + "B: \x00\n", short + strings.Repeat(" c\r\n", 100) + " \x00\r\n", short + "B: c", short + "B: c\r",
		strings.Repeat("A: b\r\n", 50) + short[4:] + "B: c", "A: b\r\n c", "A: b\r\n c\n", "A: b\n c\r\n",
	} {
		sameAsGeneral(t, []byte(in), Limits{})
		sameAsGeneral(t, []byte(in), Limits{MaxLineLength: 20000, MaxBytes: 9000})
		sameAsGeneral(t, []byte(in), Limits{MaxLineLength: 20000, MaxBytes: 4100})
		sameAsGeneral(t, []byte(in), Limits{MaxLineLength: 20000, MaxBytes: 20000})
	}
}

// TestReadMemoryReadsLittleBody: a body after the blank line is read from an in-memory reader
// only up to the chunk that holds the blank line, and from a stream no further than the bufio path
// reads it (its 4096-byte buffer).
func TestReadMemoryReadsLittleBody(t *testing.T) {
	body := strings.Repeat("body line\r\n", 10000)
	r := strings.NewReader("A: b\r\n\r\n" + body)
	if _, err := Read(r, Limits{MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if read := int(r.Size()) - r.Len(); read > memChunk {
		t.Errorf("read %d bytes, want at most %d", read, memChunk)
	}
	r = strings.NewReader("A: b\r\n\r\n" + body)
	if _, err := Read(onlyReader{r}, Limits{MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if read := int(r.Size()) - r.Len(); read > readBuffer {
		t.Errorf("stream: read %d bytes, want at most %d", read, readBuffer)
	}
}

// failingReader hands over data and then fails with err, or never makes progress (err nil).
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReadStreamErrors: a stream that fails, stops making progress or claims an impossible byte
// count is refused where and as the bufio path refuses it (bufio.Reader panics on an impossible
// count; Read returns an error): after the lines that ended before the failure, and after the
// full pieces of a long line, checked first.
func TestReadStreamErrors(t *testing.T) {
	boom := errors.New("connection reset")
	long := strings.Repeat("x", 9000)
	for _, in := range []string{"", "A: b\r\n", "A: b\r\nB: c", "A: b\r\nB\x00: c", "A: " + long, "A: " + long[:4000] + "\x00" + long} {
		for _, err := range []error{boom, nil} {
			want := "headers: reading line "
			l := Limits{MaxLineLength: 20000}
			_, werr := Read(bufio.NewReaderSize(&failingReader{data: []byte(in), err: err}, readBuffer), l)
			_, gerr := Read(&failingReader{data: []byte(in), err: err}, l)
			if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
				t.Errorf("%q, %v: error %v, bufio path %v", clip(in, 40), err, gerr, werr)
			}
			if gerr != nil && !strings.Contains(in, "\x00") && !strings.HasPrefix(gerr.Error(), want) {
				t.Errorf("%q, %v: error %v, want a read error", clip(in, 40), err, gerr)
			}
		}
	}
	if _, err := Read(badCountReader{}, Limits{}); !errors.Is(err, errReadCount) {
		t.Errorf("impossible count: %v", err)
	}
}

// badCountReader says it read more than it was given room for.
type badCountReader struct{}

func (badCountReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

// TestReadStreamLimit: a stream whose first line never ends is refused at MaxBytes, as the bufio
// path refuses it, without reading much more than MaxBytes.
func TestReadStreamLimit(t *testing.T) {
	for _, max := range []int{100, 4096, 5000, 70000} {
		l := Limits{MaxBytes: max, MaxLineLength: 1 << 20}
		_, werr := Read(bufio.NewReaderSize(onlyReader{strings.NewReader("A: " + strings.Repeat("x", 200000))}, readBuffer), l)
		r := strings.NewReader("A: " + strings.Repeat("x", 200000))
		_, gerr := Read(onlyReader{r}, l)
		if werr == nil || gerr == nil || werr.Error() != gerr.Error() || !errors.Is(gerr, ErrLimit) {
			t.Errorf("MaxBytes %d: error %v, bufio path %v", max, gerr, werr)
		}
		if read := int(r.Size()) - r.Len(); read > max+3*readBuffer {
			t.Errorf("MaxBytes %d: read %d bytes", max, read)
		}
	}
}

// FuzzReadMemory: Read of an in-memory reader or a stream and Read's bufio path agree on every
// input and limit.
func FuzzReadMemory(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.Data, 0, 0)
	}
	f.Add([]byte("A: b\n c\n\nbody"), 10, 5)
	f.Add([]byte("A: b\rc\nB: d"), 0, 3)
	f.Add([]byte("A:b\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n c\n"), 0, 0)
	f.Fuzz(func(t *testing.T, b []byte, maxBytes, maxLine int) {
		sameAsGeneral(t, b, Limits{MaxBytes: maxBytes % (64 << 10), MaxLineLength: maxLine % 8192})
	})
}
