package headers

import (
	"bytes"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/textproto"
	"github.com/google/go-cmp/cmp"
)

// refOpts compare a rewritten parser's result with its reference's strictly: times must be the
// same instant in the same zone (name and offset), errors must have the same text.
var refOpts = cmp.Options{
	cmp.Comparer(func(a, b time.Time) bool {
		an, ao := a.Zone()
		bn, bo := b.Zone()
		return a.Equal(b) && an == bn && ao == bo && a.Location().String() == b.Location().String()
	}),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b error) bool { return (a == nil) == (b == nil) && (a == nil || a.Error() == b.Error()) }),
}

// sameResult reports whether a rewrite's result equals its reference's under refOpts;
// reflect.DeepEqual answers the common case quickly (it is stricter than refOpts).
func sameResult(want, got any) bool {
	return reflect.DeepEqual(want, got) || cmp.Equal(want, got, refOpts)
}

// refBlocks returns the header blocks of this package's corpus by path.
func refBlocks(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, c := range corpus(t, "testdata/headers", "testdata/real") {
		out[c.Path] = c.Data
	}
	return out
}

// mutations returns v and variants of it that reach the parsers' corners: other letter cases,
// folded, prefixes, and each of a few grammar characters deleted, doubled or inserted at a
// spread of positions.
func mutations(v string) []string {
	out := []string{v, strings.ToLower(v), strings.ToUpper(v), strings.ReplaceAll(v, " ", "\r\n "),
		strings.ReplaceAll(v, " ", "  "), strings.ReplaceAll(v, " ", "\t"), strings.ReplaceAll(v, ";", " ; "),
		strings.ReplaceAll(v, "(", ""), strings.ReplaceAll(v, ")", ""), strings.ReplaceAll(v, ";", ""),
		strings.ReplaceAll(v, "=", " = "), strings.ReplaceAll(v, ":", ": "), v + ";", ";" + v, v + " (comment)"}
	step := 1 + len(v)/6
	for i := 0; i <= len(v); i += step {
		out = append(out, v[:i], v[i:])
		for _, ins := range []string{"(", ")", ";", "\"", "\\", "=", ":", " ", "\r\n ", "\x80"} {
			out = append(out, v[:i]+ins+v[i:])
		}
		if i < len(v) {
			out = append(out, v[:i]+v[i+1:], v[:i]+v[i:i+1]+v[i:])
		}
	}
	return out
}

// checkParsersMatchReference fails t unless every rewritten value parser gives its reference's
// result, error included, for v.
func checkParsersMatchReference(t *testing.T, v string) {
	t.Helper()
	checkUnitsMatchReference(t, v)
	if u := unfold(v); u != v {
		checkUnitsMatchReference(t, u)
	}
	{
		got, gerr := ParseAntispamReport(v)
		want, werr := ParseAntispamReportRef(v)
		if w, g := []any{want, werr}, []any{got, gerr}; !sameResult(w, g) {
			diff := cmp.Diff(w, g, refOpts)
			t.Fatalf("ParseAntispamReport(%q) (-reference +rewrite)\n%s", v, diff)
		}
	}
	{
		got, gerr := ParseAuthResults(v)
		want, _, werr := parseAuthResultsRef(v, nil)
		if w, g := []any{want, werr}, []any{got, gerr}; !sameResult(w, g) {
			diff := cmp.Diff(w, g, refOpts)
			t.Fatalf("ParseAuthResults(%q) (-reference +rewrite)\n%s", v, diff)
		}
	}
	{
		got, gerr := ParseReceived(v)
		want, _, werr := parseReceivedRef(v, nil)
		if w, g := []any{want, werr}, []any{got, gerr}; !sameResult(w, g) {
			diff := cmp.Diff(w, g, refOpts)
			t.Fatalf("ParseReceived(%q) (-reference +rewrite)\n%s", v, diff)
		}
	}
	{
		got, gerr := ParseMicrosoftAntispam(v)
		want, werr := ParseMicrosoftAntispamRef(v)
		if w, g := []any{want, werr}, []any{got, gerr}; !sameResult(w, g) {
			diff := cmp.Diff(w, g, refOpts)
			t.Fatalf("ParseMicrosoftAntispam(%q) (-reference +rewrite)\n%s", v, diff)
		}
	}
}

// checkUnitsMatchReference fails t unless the rewritten lexers and helpers give their
// references' results for v and for the parts of v they are given in the parsers: the tokens of
// a Received value, the words of v and of each comment in it, the month of each word.
func checkUnitsMatchReference(t *testing.T, v string) {
	t.Helper()
	toks, ref := lexReceived(v, nil), lexReceivedRef(v, nil)
	if !slices.Equal(toks, ref) {
		t.Fatalf("lexReceived(%q) (-reference +rewrite)\n%s", v, cmp.Diff(ref, toks, cmp.AllowUnexported(rtoken{})))
	}
	atoks, aref := splitAuthSegments(v, nil), splitAuthSegmentsRef(v, nil)
	if !slices.Equal(atoks, aref) {
		t.Fatalf("splitAuthSegments(%q) (-reference +rewrite)\n%s", v, cmp.Diff(aref, atoks, cmp.AllowUnexported(artoken{})))
	}
	if u, r := unfold(v), unfoldRef(v); u != r {
		t.Fatalf("unfold(%q) = %q, reference %q", v, u, r)
	}
	texts := []string{v} // and the comments, which commentAddr and commentHost split into words
	for _, tk := range toks {
		if !tk.comment {
			continue
		}
		texts = append(texts, tk.text)
		if got, want := isTLSComment(tk.text), isTLSCommentRef(tk.text); got != want {
			t.Fatalf("isTLSComment(%q) = %v, reference %v", tk.text, got, want)
		}
	}
	var got, want []string
	for _, s := range texts {
		for _, punct := range []bool{false, true} {
			got, want = appendWords(got[:0], wordsSeq(s, punct)), appendWords(want[:0], wordsSeqRef(s, punct))
			if !slices.Equal(got, want) {
				t.Fatalf("wordsSeq(%q, %v) = %q, reference %q", s, punct, got, want)
			}
			for _, w := range got {
				if m, r := monthOf(w), monthOfRef(w); m != r {
					t.Fatalf("monthOf(%q) = %v, reference %v", w, m, r)
				}
				if h, r := hasHostPunct(w), hasHostPunctRef(w); h != r {
					t.Fatalf("hasHostPunct(%q) = %v, reference %v", w, h, r)
				}
				if a, r := literalAddr(w), literalAddrRef(w); a != r {
					t.Fatalf("literalAddr(%q) = %v, reference %v", w, a, r)
				}
			}
		}
	}
}

// appendWords appends what a wordsSeq iterator yields to out, and stops it early once as a
// caller may.
func appendWords(out []string, seq func(yield func(string) bool)) []string {
	for w := range seq {
		out = append(out, w)
	}
	for range seq {
		break
	}
	return out
}

// checkParseListsMatchReference fails t unless Parse's Received and AuthResults lists, which it
// reads in place, hold what the references read from each field.
func checkParseListsMatchReference(t *testing.T, h textproto.Header) {
	t.Helper()
	m := Parse(h)
	var recv []Received
	var auth []AuthResults
	idx := 0
	for f := h.Fields(); f.Next(); idx++ {
		switch f.Key() {
		case keyReceived:
			r, _, _ := parseReceivedRef(f.Value(), nil)
			r.Index = idx
			recv = append(recv, r)
		case keyAuthResults, keyMSAuthResults, keyARCAuthResults, keyOrigAuthResults:
			a, _, _ := parseAuthResultsRef(f.Value(), nil)
			a.Field = fieldOfRef(f, idx)
			auth = append(auth, a)
		}
	}
	if want := ComputeHopsRef(recv); !sameResult(want, m.Hops) {
		t.Fatalf("Parse hops (-reference +rewrite)\n%s", cmp.Diff(want, m.Hops, refOpts))
	}
	if !sameResult(recv, m.Received) || !sameResult(auth, m.AuthResults) {
		t.Fatalf("Parse lists (-reference +rewrite)\n%s\n%s", cmp.Diff(recv, m.Received, refOpts), cmp.Diff(auth, m.AuthResults, refOpts))
	}
}

// checkFieldsMatchReference fails t unless fieldOf gives fieldOfRef's Field for every field of h.
func checkFieldsMatchReference(t *testing.T, h textproto.Header) {
	t.Helper()
	idx := 0
	for f := h.Fields(); f.Next(); idx++ {
		if diff := cmp.Diff(fieldOfRef(f, idx), fieldOf(f, idx)); diff != "" {
			raw, _ := f.Raw()
			t.Fatalf("fieldOf(%q) (-reference +rewrite)\n%s", raw, diff)
		}
	}
}

// TestParsersMatchReference: the parsers rewritten for speed (ref_test.go keeps the previous
// code) give the previous results, errors included, for every field value of the corpus and
// mutations of the values Parse reads, and fieldOf gives the previous Field for every field, also
// for names written in other cases, with white space before the colon or built by Header.Add.
func TestParsersMatchReference(t *testing.T) {
	seen := map[string]bool{}
	for file, b := range refBlocks(t) {
		h, err := Read(bytes.NewReader(b), Limits{})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		checkFieldsMatchReference(t, h)
		checkParseListsMatchReference(t, h)
		for f := h.Fields(); f.Next(); {
			vs := []string{f.Value()}
			if interesting(f.Key()) {
				vs = mutations(f.Value())
			}
			for _, v := range vs {
				if !seen[v] {
					seen[v] = true
					checkParsersMatchReference(t, v)
					if (f.Key() == keyReceived || f.Key() == keyAuthResults) && len(seen)%3 == 0 {
						// The value as a field of each kind, and after a second one, in a block
						// (for every third value: Parse's wiring, not the parsers, is under test).
						var h2 textproto.Header
						for _, name := range []string{"Received", "ARC-Authentication-Results", "Received", "Authentication-Results"} {
							h2.AddRaw([]byte(name + ": " + strings.ReplaceAll(strings.ReplaceAll(v, "\r", ""), "\n", "") + "\r\n"))
						}
						checkParseListsMatchReference(t, h2)
					}
				}
			}
		}
	}
	var h textproto.Header
	for _, raw := range []string{"X-MS-Exchange-CrossTenant-Id: a\r\n", "x-ms-exchange-crosstenant-id : a\r\n",
		"X-MS-EXCHANGE-CROSSTENANT-ID\t: a\r\n", "Received:a\r\n", "RECEIVED :\r\n b\r\n", "From:: x\r\n", "A:\r\n"} {
		h.AddRaw([]byte(raw))
	}
	h.Add("authentication-results", "x; spf=pass")
	h.Add("X-Ms-Exchange-CrossTenant-Id", "y")
	checkFieldsMatchReference(t, h)
	t.Logf("%d values", len(seen))
}

// FuzzParsersMatchReference: the rewritten value parsers agree with their references on every
// input, and Read and Parse of a block do not fail in a way the references would not.
func FuzzParsersMatchReference(f *testing.F) {
	for _, b := range refBlocks(f) {
		h, err := Read(bytes.NewReader(b), Limits{})
		if err != nil {
			continue
		}
		for fs := h.Fields(); fs.Next(); {
			if interesting(fs.Key()) {
				f.Add(fs.Value())
			}
		}
	}
	f.Fuzz(func(t *testing.T, v string) {
		checkParsersMatchReference(t, v)
		var h textproto.Header
		h.AddRaw([]byte("Received: " + v + "\r\n"))
		if strings.IndexByte(v, ':') > 0 && !strings.ContainsAny(v, "\r\n") {
			h.AddRaw([]byte(v + "\r\n"))
		}
		checkFieldsMatchReference(t, h)
	})
}
