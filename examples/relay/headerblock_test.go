package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// corpusBlocks returns every header block of the corpus: the real messages of the library's
// testdata/headers and headers/testdata, this package's testdata, and the first value of every
// fuzz corpus file of the classify and headers packages (blocks that once broke something).
func corpusBlocks(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	var files []string
	for _, dir := range []string{"../../testdata/headers", "../../headers/testdata/headers", "../../headers/testdata/real", "testdata"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		files = append(files, fs...)
	}
	if len(files) < 45 {
		t.Fatalf("%d corpus messages", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	var seeds []string
	for _, dir := range []string{"../../classify/testdata/fuzz", "../../headers/testdata/fuzz", "testdata/fuzz"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
		seeds = append(seeds, fs...)
	}
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// "go test fuzz v1" files: one Go literal per line after the first; the first value is
		// the block (or, for the parsers' targets, a field value: a block too, of one line).
		lines := strings.Split(string(b), "\n")
		if len(lines) < 2 {
			continue
		}
		lit := lines[1]
		for _, p := range []string{"[]byte(", "string("} {
			if strings.HasPrefix(lit, p) && strings.HasSuffix(lit, ")") {
				if s, err := strconv.Unquote(lit[len(p) : len(lit)-1]); err == nil {
					out = append(out, []byte(s))
				}
			}
		}
	}
	return out
}

// crlf returns b with every line break CRLF, as a message reaches Data (messageReader refuses
// bare CR and LF).
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// errAfter reads b and then fails with errBareLine, as messageReader does at a bare line.
func errAfter(b []byte) io.Reader {
	return io.MultiReader(bytes.NewReader(b), errReader{errBareLine})
}

var testReaders = map[string]func([]byte) io.Reader{
	"bytes":    func(b []byte) io.Reader { return bytes.NewReader(b) },
	"one-byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
	"error":    errAfter,
}

// readBoth reads in with headers.Read (what Data did) and with readMessageHeader, each through
// its own 4 KiB bufio.Reader like Data's, and fails unless both return the same error, or the
// same header block and leave the same bytes for the body. It returns both results for editing.
func readBoth(t *testing.T, in []byte, l headers.Limits, mk func([]byte) io.Reader) (textproto.Header, messageHeader, bool) {
	t.Helper()
	br1 := bufio.NewReaderSize(mk(in), 4096)
	h, err1 := headers.Read(br1, l)
	br2 := bufio.NewReaderSize(mk(in), 4096)
	mh, raw, err2 := readMessageHeader(br2, l, make([]byte, 0, 64))
	if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
		t.Fatalf("input %q, limits %+v:\nRead: %v\nreadMessageHeader: %v", clipBytes(in), l, err1, err2)
	}
	for _, target := range []error{headers.ErrLimit, headers.ErrSyntax, errBareLine} {
		if errors.Is(err1, target) != errors.Is(err2, target) {
			t.Fatalf("input %q: errors.Is(%v) differs: %v, %v", clipBytes(in), target, err1, err2)
		}
	}
	// Bounded: MaxBytes and at most one read (the reader's 4 KiB) more.
	bound := l.MaxBytes
	if bound <= 0 {
		bound = headers.DefaultMaxBytes
	}
	if len(raw) > bound+4096 {
		t.Fatalf("input %q: %d bytes read for MaxBytes %d", clipBytes(in), len(raw), bound)
	}
	if err1 != nil {
		return h, mh, false
	}
	var w1, w2 bytes.Buffer
	e1 := textproto.WriteHeader(&w1, h)
	e2 := mh.writeTo(&w2)
	if e1 != nil || e2 != nil || !bytes.Equal(w1.Bytes(), w2.Bytes()) {
		t.Fatalf("input %q: header written differs (%v, %v):\nRead: %q\nreadMessageHeader: %q", clipBytes(in), e1, e2, w1.Bytes(), w2.Bytes())
	}
	rest1, e1 := io.ReadAll(br1)
	rest2, e2 := io.ReadAll(br2)
	if !bytes.Equal(rest1, rest2) || (e1 == nil) != (e2 == nil) {
		t.Fatalf("input %q: body differs (%v, %v):\n%q\n%q", clipBytes(in), e1, e2, rest1, rest2)
	}
	return h, mh, true
}

func clipBytes(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "…"...)
	}
	return b
}

// editBoth makes v's edits both ways, Verdict.Apply on h and textproto.WriteHeader (what Data
// did), and messageHeader.apply and writeTo on mh, and fails unless the bytes written and the
// errors are the same.
func editBoth(t *testing.T, h textproto.Header, mh messageHeader, v classify.Verdict) {
	t.Helper()
	h = h.Copy()
	if !mh.asBytes {
		mh.h = mh.h.Copy()
	}
	v.Apply(&h)
	var w1, w2 bytes.Buffer
	e1 := textproto.WriteHeader(&w1, h)
	if err := mh.apply(&v, nil); err != nil {
		t.Fatalf("apply: %v", err)
	}
	e2 := mh.writeTo(&w2)
	if (e1 == nil) != (e2 == nil) || e1 != nil && e1.Error() != e2.Error() || !bytes.Equal(w1.Bytes(), w2.Bytes()) {
		t.Fatalf("remove %v, header %q: (%v, %v)\nApply+WriteHeader: %q\nbytes: %q", v.Remove, v.Header, e1, e2, w1.Bytes(), w2.Bytes())
	}
}

// testVerdictFields are verdict fields as Decide makes them and as it cannot (a configured name
// in another case; a name or value textproto refuses to write, which must fail the same way).
var testVerdictFields = []classify.Field{
	{},
	{Name: "Authentication-Results", Value: "gw.example.net; x-tenantgate=pass policy.hop=1 policy.kind=mailbox policy.origin=own-tenant policy.tenant=11111111-1111-1111-1111-111111111111"},
	{Name: "x-gate", Value: "gw.example.net; x-tenantgate=none policy.hop=2 policy.origin=internet"},
	{Name: "X-Gate", Value: ""},
	{Name: "X-Gate", Value: strings.Repeat("x", 1200)},
	{Name: "X-Gate", Value: strings.Repeat("word ", 300)},
	{Name: "Bad Name", Value: "v"},
	{Name: "X-Gate", Value: "a\r\nX-MS-Exchange-CrossTenant-Id: forged"},
}

// removeSets returns lists of field indexes to remove for a block of n fields: none, each end,
// all, every other, and also what Decide never makes (unsorted, repeated, out of range), which
// must be mirrored all the same; and a few random subsets.
func removeSets(n int, rnd *rand.Rand) [][]int {
	sets := [][]int{nil, {0}, {n - 1}, {n}, {n + 5}, {1, 0}, {2, 2, 3}, {-1, 0}}
	var all, odd []int
	for i := range n {
		all = append(all, i)
		if i%2 == 1 {
			odd = append(odd, i)
		}
	}
	sets = append(sets, all, odd)
	for range 4 {
		var s []int
		for i := range n {
			if rnd.IntN(4) == 0 {
				s = append(s, i)
			}
		}
		sets = append(sets, s)
	}
	return sets
}

func verdictOf(remove []int, f classify.Field) classify.Verdict {
	v := classify.Verdict{Header: f}
	for _, i := range remove {
		v.Remove = append(v.Remove, classify.HeaderField{Index: i, Name: "X"})
	}
	return v
}

func fieldCount(h textproto.Header) int {
	n := 0
	for f := h.Fields(); f.Next(); {
		n++
	}
	return n
}

// TestReadMessageHeaderLikeRead: readMessageHeader returns what headers.Read returns, for every
// block of the corpus as it is stored (LF line ends: the textproto path) and as Data receives it
// (CRLF: the bytes path), with a body, without, cut short, with bytes Read refuses put in, with
// lines longer than the reader's buffer, within tight limits, through readers that return one
// byte at a time or fail at the end: the same error, or the same header and the same body.
func TestReadMessageHeaderLikeRead(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	limits := []headers.Limits{{}, {MaxBytes: 3000}, {MaxFields: 12}, {MaxLineLength: 100}, {MaxBytes: 600, MaxFields: 5, MaxLineLength: 40}}
	asBytes, compared := 0, 0
	for _, b := range corpusBlocks(t) {
		c := crlf(b)
		inputs := [][]byte{b, c, append(bytes.Clone(c), "\r\n\r\nbody\r\n"...)}
		if i := bytes.Index(c, []byte("\r\n\r\n")); i >= 0 {
			inputs = append(inputs, c[:i+2]) // the block alone, no blank line
		}
		for range 3 {
			if len(c) == 0 {
				break
			}
			i := rnd.IntN(len(c))
			inputs = append(inputs, c[:i]) // cut short
			for _, ins := range []string{"\x00", "\r", " ", "\r\n ", "\r\nno colon\r\n", "é", strings.Repeat("y", 5000), "\r\n"} {
				inputs = append(inputs, append(append(bytes.Clone(c[:i]), ins...), c[i:]...))
			}
		}
		for _, in := range inputs {
			for _, l := range limits {
				for _, name := range []string{"bytes", "one-byte", "error"} {
					if _, mh, ok := readBoth(t, in, l, testReaders[name]); ok {
						compared++
						if mh.asBytes {
							asBytes++
						}
					}
				}
			}
		}
	}
	// The corpus as Data receives it is read as bytes; the test must have compared those.
	if asBytes < 300 || compared == asBytes {
		t.Fatalf("%d blocks compared, %d of them as bytes", compared, asBytes)
	}
	t.Logf("%d blocks compared, %d of them as bytes", compared, asBytes)
}

// TestMessageHeaderEditsLikeApply: for every block of the corpus as Data receives it (CRLF), the
// header block written from the bytes with a verdict's edits is byte for byte what Data wrote
// before, Verdict.Apply on the textproto.Header and textproto.WriteHeader: with every sort of
// field list to remove (folded fields, names in any case as the corpus has them) and verdict
// field, also those textproto refuses to write (the same error).
func TestMessageHeaderEditsLikeApply(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	n := 0
	for _, b := range corpusBlocks(t) {
		in := append(crlf(b), "\r\n\r\nbody\r\n"...)
		h, mh, ok := readBoth(t, in, headers.Limits{}, testReaders["bytes"])
		if !ok {
			continue
		}
		for _, remove := range removeSets(fieldCount(h), rnd) {
			for _, f := range testVerdictFields {
				editBoth(t, h, mh, verdictOf(remove, f))
				n++
			}
		}
	}
	if n < 5000 {
		t.Fatalf("%d edits compared", n)
	}
}

// FuzzMessageHeader: for any input, limits, fields to remove and verdict field, readMessageHeader
// reads what headers.Read reads, and the edited block it writes is what Verdict.Apply and
// textproto.WriteHeader write.
func FuzzMessageHeader(f *testing.F) {
	for i, b := range corpusBlocks(f) {
		if len(b) < 4096 {
			f.Add(crlf(b), uint64(i)*0x9e3779b97f4a7c15, byte(i), "Authentication-Results", "gw.example.net; x-tenantgate=pass")
		}
	}
	f.Add([]byte("A: 1\r\n 2\r\nB: 3\r\n\tb\r\n\r\nbody"), uint64(1), byte(0), "X-Gate", "v")
	f.Fuzz(func(t *testing.T, in []byte, mask uint64, sel byte, name, value string) {
		limits := []headers.Limits{{}, {MaxBytes: 200}, {MaxFields: 3}, {MaxLineLength: 20}}
		l := limits[int(sel)%len(limits)]
		mk := []func([]byte) io.Reader{testReaders["bytes"], testReaders["one-byte"], testReaders["error"]}[int(sel/4)%3]
		h, mh, ok := readBoth(t, in, l, mk)
		if !ok {
			return
		}
		var remove []int
		for i := range 64 {
			if mask&(1<<i) != 0 {
				remove = append(remove, i)
			}
		}
		if sel&0x80 != 0 && len(remove) > 1 {
			remove[0], remove[1] = remove[1], remove[0]
		}
		editBoth(t, h, mh, verdictOf(remove, classify.Field{Name: name, Value: value}))
	})
}

// TestMessageHeaderAllocs: reading, editing and writing the benchmark's real 30-field Exchange
// Online block as bytes allocates about 16 objects (go-message formatting the verdict field; the
// session's buffer is reused), not the key, value and map entry per field that headers.Read and
// Verdict.Apply allocate: the point of the bytes path (docs/classify.md#the-header-as-bytes).
func TestMessageHeaderAllocs(t *testing.T) {
	b, err := os.ReadFile("testdata/exo-outbound-30.eml")
	if err != nil {
		t.Fatal(err)
	}
	in := append(crlf(b), "\r\n\r\nbody\r\n"...)
	v := verdictOf([]int{2}, testVerdictFields[1])
	r := bytes.NewReader(in)
	br := bufio.NewReaderSize(r, 4096)
	buf := make([]byte, 0, 8<<10)
	asBytes := testing.AllocsPerRun(50, func() {
		r.Reset(in)
		br.Reset(r)
		mh, raw, err := readMessageHeader(br, headers.Limits{}, buf)
		if err != nil || !mh.asBytes {
			t.Fatalf("read as bytes: %v, %v", mh.asBytes, err)
		}
		buf = raw[:0]
		vv := v
		if err := mh.apply(&vv, nil); err != nil {
			t.Fatal(err)
		}
		if err := mh.writeTo(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
	textprotoPath := testing.AllocsPerRun(50, func() {
		r.Reset(in)
		br.Reset(r)
		h, err := headers.Read(br, headers.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		vv := v
		vv.Apply(&h)
		if err := textproto.WriteHeader(io.Discard, h); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations: %v as bytes, %v with textproto.Header", asBytes, textprotoPath)
	if asBytes > 20 || asBytes*5 > textprotoPath {
		t.Fatalf("%v allocations as bytes (textproto.Header: %v)", asBytes, textprotoPath)
	}
}

// TestVerdictFields: the remembered verdict field is the field textproto.WriteHeader writes, the
// first time and later; at most maxVerdictFields are kept and the rest are still written right; a
// field WriteHeader refuses is refused and not remembered.
func TestVerdictFields(t *testing.T) {
	write := func(f classify.Field) string {
		var h textproto.Header
		h.Add(f.Name, f.Value)
		var b bytes.Buffer
		if err := textproto.WriteHeader(&b, h); err != nil {
			return "refused"
		}
		return strings.TrimSuffix(b.String(), "\r\n")
	}
	var c verdictFields
	for i := range maxVerdictFields + 10 {
		f := classify.Field{Name: "Authentication-Results", Value: fmt.Sprintf("gw.example.net; x-tenantgate=pass policy.hop=%d policy.kind=mailbox policy.origin=own-tenant policy.tenant=11111111-1111-1111-1111-111111111111", i)}
		for range 2 {
			b, ok := c.format(f)
			if !ok || string(b) != write(f) {
				t.Fatalf("field %d: %q, %v; WriteHeader writes %q", i, b, ok, write(f))
			}
		}
	}
	if len(c.m) != maxVerdictFields {
		t.Errorf("%d fields remembered, want the bound %d", len(c.m), maxVerdictFields)
	}
	c = verdictFields{}
	for _, f := range []classify.Field{{Name: "Bad Name", Value: "x"}, {Name: "Authentication-Results", Value: "a\r\nb"}} {
		if b, ok := c.format(f); ok || write(f) != "refused" {
			t.Errorf("%q: %q, %v; WriteHeader: %s", f, b, ok, write(f))
		}
	}
	if len(c.m) != 0 {
		t.Errorf("refused fields remembered: %v", c.m)
	}
}
