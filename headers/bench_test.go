package headers

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/emersion/go-message/textproto"
)

// benchFile is the largest corpus block (22 KB, README.md#performance).
const benchFile = "testdata/headers/lore-linux-cifs-2026-03-oracle.com-outbound-hosted.eml"

func benchBytes(b *testing.B) []byte {
	data, err := os.ReadFile(benchFile)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkReadHeaderBaseline is the budget's unit: go-message's textproto.ReadHeader of the
// block (README.md#performance).
func BenchmarkReadHeaderBaseline(b *testing.B) {
	data := benchBytes(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is Read plus Parse of the same bytes, every EXO field: budget ≤ 1.5× baseline.
func BenchmarkParse(b *testing.B) {
	data := benchBytes(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		h, err := Read(bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if m := Parse(h); len(m.Received) == 0 {
			b.Fatal("nothing parsed")
		}
	}
}

// BenchmarkParseStream is BenchmarkParse through a reader whose type Read does not know: it reads
// it as a stream of unknown length (readInPlace), as it reads a network connection or a file.
func BenchmarkParseStream(b *testing.B) {
	data := benchBytes(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		h, err := Read(struct{ io.Reader }{bytes.NewReader(data)}, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if m := Parse(h); len(m.Received) == 0 {
			b.Fatal("nothing parsed")
		}
	}
}
