package headers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
)

// sameAsRead fails t unless ReadBytes(b, l) returns what Read does: the same error text, or
// fields with the same raw bytes in the same order.
func sameAsRead(t *testing.T, b []byte, l Limits) {
	t.Helper()
	want, werr := Read(bytes.NewReader(b), l)
	got, gerr := ReadBytes(b, l)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("ReadBytes(%q): error %v, Read: %v", clip(string(b), 200), gerr, werr)
	}
	if werr != nil {
		return
	}
	if w, g := rawFields(want), rawFields(got); w != g {
		t.Fatalf("ReadBytes(%q):\n%q\nRead:\n%q", clip(string(b), 200), g, w)
	}
}

// rawFields joins the raw fields of h, top down.
func rawFields(h textproto.Header) string {
	var sb strings.Builder
	for f := h.Fields(); f.Next(); {
		r, _ := f.Raw()
		sb.Write(r)
		sb.WriteString("|")
	}
	return sb.String()
}

// TestReadBytesSameAsRead: ReadBytes gives Read's result for real blocks and for each refusal
// and rewrite Read documents, also for a line longer than Read's 4096-byte buffer, which Read
// checks in pieces (the first error found must be the same).
func TestReadBytesSameAsRead(t *testing.T) {
	for _, c := range corpus(t) {
		b := c.Data
		crlf := []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n"))
		sameAsRead(t, b, Limits{})
		sameAsRead(t, crlf, Limits{})
		sameAsRead(t, crlf, Limits{MaxBytes: 4000})
		sameAsRead(t, crlf, Limits{MaxFields: 10})
	}
	long := strings.Repeat("x", 5000)
	for _, in := range []string{
		"", "\r\n", "A: b\r\n", "A: b", "A: b\n", "A: b\r\nB: c\n\r\n", "A: b\r\n\r\nbody\r\n",
		"A: b\r\n c\r\n", " c\r\nA: b\r\n", "A b\r\n", ": b\r\n", "A\x00: b\r\n", "A: b\x00\r\n",
		"A: b\rc\r\n", "A: b\r", "A: b\r\r\n", "A : b\r\n", "Ä: b\r\n",
		"A: " + long + "\r\n", "A: " + long[:4090] + "\x00" + long + "\r\n", "A: " + long[:4091] + "\r\n",
		"A: " + long[:4092] + "\r\n", "A: " + long + "\rB\r\n",
	} {
		sameAsRead(t, []byte(in), Limits{})
		sameAsRead(t, []byte(in), Limits{MaxLineLength: 20000, MaxBytes: 9000})
		sameAsRead(t, []byte(in), Limits{MaxLineLength: 20000, MaxBytes: 4100})
	}
}

// TestReadBytesNoCopy: for a CRLF block the fields are slices of the input (the reason ReadBytes
// exists: a milter's rebuilt block is not copied again).
func TestReadBytesNoCopy(t *testing.T) {
	b := []byte("Subject: hi\r\nTo: x@example.com\r\n")
	h, err := ReadBytes(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f := h.Fields()
	f.Next()
	r, _ := f.Raw()
	if &r[0] != &b[0] {
		t.Error("the first field is a copy")
	}
	// Read allocates its reader and the block's copy besides what the header holds.
	read := testing.AllocsPerRun(100, func() { Read(bytes.NewReader(b), Limits{}) })
	if got := testing.AllocsPerRun(100, func() { ReadBytes(b, Limits{}) }); got > read-2 {
		t.Errorf("ReadBytes: %v allocations, Read %v", got, read)
	}
}

// FuzzReadBytes: ReadBytes and Read agree on every input and limit.
func FuzzReadBytes(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.Data, 0, 0)
	}
	f.Add([]byte("A: b\r\n c\r\n\r\nbody"), 10, 5)
	f.Add([]byte("A: b\rc\nB: d"), 0, 3)
	f.Fuzz(func(t *testing.T, b []byte, maxBytes, maxLine int) {
		sameAsRead(t, b, Limits{MaxBytes: maxBytes % (64 << 10), MaxLineLength: maxLine % 8192})
	})
}
