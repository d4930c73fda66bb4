package headers

import (
	"bytes"
	"testing"
)

// BenchmarkReadOnly and BenchmarkParseOnly split BenchmarkParse into its two halves.
func BenchmarkReadOnly(b *testing.B) {
	data := benchBytes(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOnly(b *testing.B) {
	data := benchBytes(b)
	h, err := Read(bytes.NewReader(data), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Parse(h)
	}
}
