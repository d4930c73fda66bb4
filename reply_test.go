package tenantgate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestParseReply: the accepted forms give their parts (RFC 5321 §4.2 reply code, RFC 3463
// enhanced code, text), and String gives the input back.
func TestParseReply(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Reply
	}{
		{"550 5.7.1 Unable to relay", Reply{550, EnhancedCode{5, 7, 1}, "Unable to relay"}},
		{"451 4.7.5 DKIM key lookup failed temporarily, try again later", Reply{451, EnhancedCode{4, 7, 5}, "DKIM key lookup failed temporarily, try again later"}},
		{"554 5.4.14 Hop count exceeded - possible mail loop", Reply{554, EnhancedCode{5, 4, 14}, "Hop count exceeded - possible mail loop"}},
		{"550 5.999.999 x", Reply{550, EnhancedCode{5, 999, 999}, "x"}},
		{"550 Unable to relay", Reply{Code: 550, Text: "Unable to relay"}}, // no enhanced code
		{"550 5.7.1", Reply{Code: 550, Enhanced: EnhancedCode{5, 7, 1}}},   // no text
		{"421", Reply{Code: 421}},
		{"550 5 apples", Reply{Code: 550, Text: "5 apples"}}, // a number without a dot is text
		{"550 5.7.1 tab\there; ~ok", Reply{550, EnhancedCode{5, 7, 1}, "tab\there; ~ok"}},
	} {
		got, err := ParseReply(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseReply(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
			continue
		}
		if got.String() != tc.in {
			t.Errorf("ParseReply(%q).String() = %q", tc.in, got.String())
		}
	}
}

// TestParseReplyRefuses: a configured reply that is not a well-formed refusal is an error that
// names what is wrong.
func TestParseReplyRefuses(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "three-digit reply code"},
		{"55", "three-digit reply code"},
		{"5x0 5.7.1 x", "three-digit reply code"},
		{"250 2.1.5 Recipient OK", "not a refusal"}, // success is never a configured refusal
		{"354 go ahead", "not a refusal"},
		{"650 6.0.0 x", "not a refusal"},
		{"560 5.7.1 x", "second digit"}, // RFC 5321 §4.2: the second digit is 0 to 5
		{"5500 x", "followed by a space"},
		{"550", ""}, // accepted: the control of the table below
		{"550 4.7.1 x", "class 4 does not match"},
		{"450 5.7.1 x", "class 5 does not match"},
		{"550 5.7 x", "not class.subject.detail"},
		{"550 5.7.1.2 x", "not class.subject.detail"},
		{"550 5.07.1 x", "leading zero"},
		{"550 5.7.1000 x", "1 to 3 digits"},
		{"550 55.7.1 x", "1 to 1 digits"},
		{"550 5..1 x", "1 to 3 digits"},
		{"550 ", "a space without text"},
		{"550 5.7.1 ", "a space without text"},
		{"550 5.7.1 a\r\nRSET", "byte 0x0d"},
		{"550 5.7.1 a\nb", "byte 0x0a"},
		{"550 5.7.1 a\x00b", "byte 0x00"},
		{"550 5.7.1 caf\u00e9", "byte 0xc3"},
		{"550 5.7.1 " + strings.Repeat("x", MaxReplyLen), "octets"},
	} {
		_, err := ParseReply(tc.in)
		if tc.want == "" {
			if err != nil {
				t.Errorf("ParseReply(%q) = %v, want no error", tc.in, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrReply) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseReply(%q) = %v, want an ErrReply saying %q", tc.in, err, tc.want)
		}
	}
}

// TestReplyZero: the zero Reply is no reply; it prints and marshals as "".
func TestReplyZero(t *testing.T) {
	var r Reply
	if !r.IsZero() || r.String() != "" || !r.Enhanced.IsZero() || r.Enhanced.String() != "" {
		t.Fatalf("zero Reply: IsZero %v, String %q", r.IsZero(), r.String())
	}
	if (Reply{Code: 550}).IsZero() {
		t.Fatal("Reply{Code: 550}.IsZero() = true")
	}
}

// TestReplyJSON: a Reply is its string form in JSON, so files that held reply strings keep
// their bytes; omitzero drops the zero Reply as omitempty dropped "". Unmarshalling accepts
// the 2xx replies results carry and refuses malformed ones.
func TestReplyJSON(t *testing.T) {
	type doc struct {
		A Reply `json:"a"`
		B Reply `json:"b,omitzero"`
	}
	b, err := json.Marshal(doc{A: Reply{250, EnhancedCode{2, 1, 5}, "Recipient OK"}})
	if err != nil || string(b) != `{"a":"250 2.1.5 Recipient OK"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"a":"250 2.1.5 Recipient OK","b":"550 5.7.1 Unable to relay"}`), &d); err != nil {
		t.Fatal(err)
	}
	if d.A != (Reply{250, EnhancedCode{2, 1, 5}, "Recipient OK"}) || d.B != (Reply{550, EnhancedCode{5, 7, 1}, "Unable to relay"}) {
		t.Fatalf("Unmarshal = %#v", d)
	}
	if err := json.Unmarshal([]byte(`{"a":""}`), &d); err != nil || !d.A.IsZero() {
		t.Fatalf(`Unmarshal "" = %#v, %v; want the zero Reply`, d.A, err)
	}
	for _, bad := range []string{`{"a":"550 4.7.1 x"}`, `{"a":"550 x\r\ny"}`, `{"a":"150 x"}`, `{"a":550}`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

// FuzzParseReply: ParseReply never panics; what it accepts is a 4xx or 5xx refusal whose text
// cannot break the reply line (no CR, LF or control character), whose enhanced code has the
// code's class, and whose String is the input.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"550 5.7.1 Unable to relay", "451 4.7.5 x", "250 2.1.5 ok", "550", "550 ", "550 5.7", "550 4.7.1 x", "550 x\r\nRSET", "999 9.9.9 x", "550 5.07.1 x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReply(s)
		if err != nil {
			if !errors.Is(err, ErrReply) || !r.IsZero() {
				t.Fatalf("ParseReply(%q) = %#v, %v", s, r, err)
			}
			return
		}
		if r.Code < 400 || r.Code > 559 {
			t.Fatalf("ParseReply(%q).Code = %d, not a refusal", s, r.Code)
		}
		if !r.Enhanced.IsZero() && r.Enhanced[0] != r.Code/100 {
			t.Fatalf("ParseReply(%q): enhanced %v, code %d", s, r.Enhanced, r.Code)
		}
		if strings.ContainsFunc(r.Text, func(c rune) bool { return c != '\t' && (c < ' ' || c > '~') }) {
			t.Fatalf("ParseReply(%q).Text = %q has a control or non-ASCII character", s, r.Text)
		}
		if r.String() != s {
			t.Fatalf("ParseReply(%q).String() = %q", s, r.String())
		}
		var u Reply
		if err := u.UnmarshalText([]byte(s)); err != nil || u != r {
			t.Fatalf("UnmarshalText(%q) = %#v, %v; ParseReply gave %#v", s, u, err, r)
		}
	})
}
