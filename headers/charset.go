package headers

import (
	"mime"
	"strings"

	"github.com/emersion/go-message/charset"
)

// wordDecoder returns an RFC 2047 decoder for every charset go-message's charset package knows
// (the x/text encodings: windows-1252, windows-1254, koi8-r, iso-2022-jp, iso-8859-*, gb2312, …).
func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: charset.Reader}
}

// encodedWord is one RFC 2047 encoded-word found in a value: its byte span and whether it decoded.
type encodedWord struct {
	start, end int
	text       string // decoded text, when ok
	ok         bool
}

// findEncodedWords returns the encoded-words of v ("=?charset?B|Q?text?=", RFC 2047 §2: no white
// space inside, at most 75 characters is not enforced because real mail breaks that rule), each
// decoded with dec.
func findEncodedWords(v string, dec *mime.WordDecoder) []encodedWord {
	var out []encodedWord
	for i := 0; i < len(v); {
		j := strings.Index(v[i:], "=?")
		if j < 0 {
			break
		}
		start := i + j
		end, ok := encodedWordEnd(v, start)
		if !ok {
			i = start + 2
			continue
		}
		w := encodedWord{start: start, end: end}
		if s, err := dec.Decode(v[start:end]); err == nil {
			w.text, w.ok = s, true
		}
		out = append(out, w)
		i = end
	}
	return out
}

// encodedWordEnd returns the end of the encoded-word starting at v[start:] ("=?"), or false when
// none starts there: charset, a one-letter encoding and the text, separated by '?', ended by "?="
// with no white space.
func encodedWordEnd(v string, start int) (int, bool) {
	p := start + 2
	q := 0 // question marks seen after "=?"
	for ; p < len(v); p++ {
		c := v[p]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			return 0, false
		}
		if c != '?' {
			continue
		}
		q++
		switch q {
		case 1: // after the charset: one encoding letter and '?' must follow
			if p+2 >= len(v) || v[p+2] != '?' || p == start+2 {
				return 0, false
			}
		case 3: // the end "?="
			if p+1 < len(v) && v[p+1] == '=' {
				return p + 2, true
			}
			return 0, false
		}
	}
	return 0, false
}

// DecodeText decodes the RFC 2047 encoded-words of an unstructured value such as Subject (RFC
// 2047 §5 (1)), dropping the white space between two adjacent encoded-words (§6.2). A word it
// cannot decode (an unknown charset, bad base64) is kept as written and returned in undecodable;
// nothing is dropped.
func DecodeText(v string) (text string, undecodable []string) {
	words := findEncodedWords(v, wordDecoder())
	if len(words) == 0 {
		return v, nil
	}
	var b strings.Builder
	last := 0
	for i, w := range words {
		gap := v[last:w.start]
		if !(i > 0 && strings.Trim(gap, " \t\r\n") == "") {
			b.WriteString(gap)
		}
		if w.ok {
			b.WriteString(w.text)
		} else {
			b.WriteString(v[w.start:w.end])
			undecodable = append(undecodable, v[w.start:w.end])
		}
		last = w.end
	}
	b.WriteString(v[last:])
	return b.String(), undecodable
}
