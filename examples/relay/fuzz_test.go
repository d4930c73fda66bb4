package main

import (
	"bytes"
	"testing"
)

// FuzzReplyError: any policy reply string becomes an SMTP error without panicking; a well-formed
// "NNN X.Y.Z text" keeps its code, enhanced code and text.
func FuzzReplyError(f *testing.F) {
	for _, s := range []string{"550 5.7.1 Unable to relay", "554 5.6.0 Malformed message header", "451", "", "999 9.9.9 x", "550 5.7 x", "250 2.1.5 ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := replyError(s)
		if e.Code < 400 || e.Code > 599 {
			t.Fatalf("replyError(%q).Code = %d, want a 4xx or 5xx reply", s, e.Code)
		}
	})
}

// FuzzMessageSplit: bareLine finds every CR or LF that is not part of a CRLF pair, and headerEnd
// splits a CRLF-only message after its first empty line.
func FuzzMessageSplit(f *testing.F) {
	for _, s := range []string{"Subject: a\r\n\r\nbody\r\n", "\r\nbody", "a\nb", "a\rb", "Subject: a\r\n", "", "\r\n\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		i := bareLine(b)
		clean := bytes.Count(b, []byte("\r\n"))*2 == bytes.Count(b, []byte("\r"))+bytes.Count(b, []byte("\n"))
		if (i < 0) != clean {
			t.Fatalf("bareLine(%q) = %d, but CRLF-only is %v", b, i, clean)
		}
		if i >= 0 && b[i] != '\r' && b[i] != '\n' {
			t.Fatalf("bareLine(%q) = %d points at %q", b, i, b[i])
		}
		if !clean {
			return
		}
		end := headerEnd(b)
		if end < 0 || end > len(b) {
			t.Fatalf("headerEnd(%q) = %d out of range", b, end)
		}
		if end < len(b) && !bytes.HasSuffix(b[:end], []byte("\r\n")) {
			t.Fatalf("headerEnd(%q) = %d is not after a line end", b, end)
		}
		if bytes.Contains(b[:max(end-2, 0)], []byte("\r\n\r\n")) || (end > 2 && bytes.HasPrefix(b, []byte("\r\n"))) {
			t.Fatalf("headerEnd(%q) = %d is past the first empty line", b, end)
		}
	})
}
