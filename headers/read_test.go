package headers

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/emersion/go-message/textproto"
	"github.com/google/go-cmp/cmp"
)

func TestReadLimits(t *testing.T) {
	long := "X-Long: " + strings.Repeat("a", 100) + "\r\n"
	tests := []struct {
		name    string
		in      string
		limits  Limits
		wantErr error
		// wantMsg is a fragment the error must hold: the limit's name, so an operator knows
		// which one to raise (task: "a clear error naming the limit").
		wantMsg string
	}{
		{"bytes", strings.Repeat("A: b\r\n", 20), Limits{MaxBytes: 50}, ErrLimit, "MaxBytes (50 bytes) at line 9"},
		{"fields", "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", Limits{MaxFields: 2}, ErrLimit, "MaxFields (2) fields at line 3"},
		{"fields-continuations-do-not-count", "A: 1\r\n 2\r\n 3\r\nB: 4\r\n\r\n", Limits{MaxFields: 2}, nil, ""},
		{"line", long, Limits{MaxLineLength: 99}, ErrLimit, "line 1 is over MaxLineLength (99 bytes)"},
		// 108 bytes of content exactly: at the limit is allowed.
		{"line-at-limit", long, Limits{MaxLineLength: 108}, nil, ""},
		// A line longer than the bufio buffer (4096) is measured whole.
		{"line-over-buffer", "X: " + strings.Repeat("b", 5000) + "\r\n\r\n", Limits{}, ErrLimit, "line 1 is over MaxLineLength (2048 bytes)"},
		// Threat case 29: thousands of CrossTenant fields stop at the default MaxFields (1000).
		{"thousands-of-crosstenant", strings.Repeat("X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n", 3000), Limits{MaxBytes: 1 << 20}, ErrLimit, "more than MaxFields (1000)"},
		// Threat case 30: NUL, bare CR, non-ASCII and spaces in names.
		{"nul", "A: b\x00c\r\n\r\n", Limits{}, ErrSyntax, "line 1: NUL byte at byte 5"},
		{"bare-cr", "A: b\rX-MS-Exchange-CrossTenant-Id: x\r\n\r\n", Limits{}, ErrSyntax, "line 1: bare CR at byte 5"},
		// Ï is 0xC3 0x8F in UTF-8; its first byte follows the 26 bytes of "X-MS-Exchange-CrossTenant-".
		{"non-ascii-name", "X-MS-Exchange-CrossTenant-Ïd: 1\r\n\r\n", Limits{}, ErrSyntax, "line 1: field name holds byte 0xc3 at byte 27: not printable ASCII"},
		// The offending byte is the space (byte 14, after the 13 of "X-MS-Exchange"), not the C
		// after it (issue 16 §2: the report named the printable 'C' as "not printable ASCII").
		{"space-in-name", "X-MS-Exchange CrossTenant-Id: 1\r\n\r\n", Limits{}, ErrSyntax, "line 1: field name holds white space at byte 14 (a field name is one word; white space may only come right before the ':')"},
		{"tab-in-name", "From\t\tx: y\r\n\r\n", Limits{}, ErrSyntax, "line 1: field name holds white space at byte 5"},
		{"space-before-colon", "Subject : y\r\n\r\n", Limits{}, nil, ""},
		{"no-colon", "A: 1\r\nnocolon\r\n\r\n", Limits{}, ErrSyntax, "line 2: no ':'"},
		{"empty-name", ": v\r\n\r\n", Limits{}, ErrSyntax, "empty field name"},
		{"leading-continuation", " A: 1\r\n\r\n", Limits{}, ErrSyntax, "line 1: continuation line before the first field"},
		// Non-ASCII in a value is RFC 6532 text and is kept.
		{"utf8-value", "Subject: café\r\n\r\n", Limits{}, nil, ""},
		// LF-only line ends and a missing blank line are accepted.
		{"lf-only", "A: 1\nB: 2\n", Limits{}, nil, ""},
		{"empty", "", Limits{}, nil, ""},
	}
	// Each case is read whole, one byte per Read (every chunk boundary), and through a small
	// *bufio.Reader: the checks keep their state across chunks.
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one-byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"bufio-16": func(s string) io.Reader { return bufio.NewReaderSize(iotest.HalfReader(strings.NewReader(s)), 16) },
	}
	for _, tc := range tests {
		for rname, mk := range readers {
			t.Run(tc.name+"/"+rname, func(t *testing.T) {
				_, err := Read(mk(tc.in), tc.limits)
				if tc.wantErr == nil {
					if err != nil {
						t.Fatalf("Read: %v", err)
					}
					return
				}
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Read error = %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("Read error %q does not say %q", err, tc.wantMsg)
				}
			})
		}
	}
}

// TestReadLeavesBody checks that a *bufio.Reader is left at the body, and that the obsolete
// space before the colon is accepted by Read (Parse flags it).
func TestReadLeavesBody(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("A: 1\r\nB : 2\r\n folded\r\n\r\nbody\r\n"))
	h, err := Read(br, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(br)
	got := []string{h.Get("A"), h.Get("B"), string(rest)}
	want := []string{"1", "2 folded", "body\r\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestReadMatchesTextproto checks that Read builds the same header as textproto.ReadHeader —
// keys, values and raw bytes of every field, in order — for every corpus block, written with
// LF (as stored) and with CRLF line ends.
func TestReadMatchesTextproto(t *testing.T) {
	for _, c := range corpus(t) {
		data := c.Data
		for _, in := range [][]byte{data, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))} {
			want, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(in)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Read(bytes.NewReader(in), Limits{})
			if err != nil {
				t.Fatalf("%s: %v", c.Path, err)
			}
			if diff := cmp.Diff(dump(want), dump(got)); diff != "" {
				t.Errorf("%s (-textproto +Read)\n%s", c.Path, diff)
			}
		}
	}
}

func dump(h textproto.Header) []string {
	var out []string
	for f := h.Fields(); f.Next(); {
		raw, _ := f.Raw()
		out = append(out, f.Key()+"\x00"+f.Value()+"\x00"+string(raw))
	}
	for _, k := range []string{"Received", "X-Ms-Exchange-Crosstenant-Id", "From"} {
		out = append(out, strings.Join(h.Values(k), "\x01"))
	}
	return out
}

// TestReadNameAtTheLimits: the field name is read by a fast path for the common line and byte
// by byte otherwise; both must draw the limits and refusals at the same byte. MaxLineLength
// counts the colon (a line of exactly the limit is accepted), MaxFields is inclusive.
func TestReadNameAtTheLimits(t *testing.T) {
	name := func(n int) string { return strings.Repeat("X", n) }
	l := Limits{MaxLineLength: 10, MaxFields: 2}
	tests := []struct {
		in      string
		wantErr error
	}{
		{name(9) + ":\r\n\r\n", nil},            // 10 bytes with the colon
		{name(10) + ":\r\n\r\n", ErrLimit},      // 11
		{name(8) + " :\r\n\r\n", nil},           // obsolete syntax, 10 bytes
		{"A:1\r\nB:2\r\n\r\n", nil},             // MaxFields fields
		{"A:1\r\nB:2\r\nC:3\r\n\r\n", ErrLimit}, // one more
		{":x\r\n\r\n", ErrSyntax},               // empty name
		{"A B:x\r\n\r\n", ErrSyntax},            // white space inside the name
		{"A\x7f:x\r\n\r\n", ErrSyntax},          // DEL in the name
		{"A\x00:x\r\n\r\n", ErrSyntax},          // NUL in the name
		{"Abc\r\n\r\n", ErrSyntax},              // no colon
		{"A:1\r\n B\r\n\r\n", nil},              // a continuation is no field
		{"A:" + name(7) + "\r\n\r\n", nil},      // the value counts towards the line: 9
		{"A:" + name(9) + "\r\n\r\n", ErrLimit}, // 11
		{"Ab\xc3\xa9:x\r\n\r\n", ErrSyntax},     // non-ASCII in the name
		{"Ab:x\r\nCd : y\r\n\r\n", nil},         // the second field by the slow path
		{"Ab:x\r\n\tcont\r\nCd:y\r\n\r\n", nil}, // after a continuation
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(tt.in), l)
		if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("Read(%q) = %v, want %v", tt.in, err, tt.wantErr)
		}
	}
}
