package headers

import (
	"bytes"
	"testing"
)

// BenchmarkScanEvidence is Read plus ScanEvidence of the corpus's largest block with the options
// a gateway's policy uses for a verified Exchange Online peer: what classify.Policy.Decide reads.
func BenchmarkScanEvidence(b *testing.B) {
	data := benchBytes(b)
	opts := EvidenceOptions{AuthServID: "gw.example.net"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		h, err := Read(bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if e := ScanEvidence(h, opts); !e.HaveTenant {
			b.Fatal("no tenant")
		}
	}
}

// BenchmarkScanEvidenceOnly is ScanEvidence alone, on a block already read, with the trust fields
// listed too (the path of a peer that is not Exchange Online).
func BenchmarkScanEvidenceOnly(b *testing.B) {
	h, err := Read(bytes.NewReader(benchBytes(b)), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for _, trust := range []bool{false, true} {
		name := map[bool]string{false: "exo", true: "untrusted"}[trust]
		b.Run(name, func(b *testing.B) {
			opts := EvidenceOptions{AuthServID: "gw.example.net", TrustFields: trust}
			b.ReportAllocs()
			for b.Loop() {
				ScanEvidence(h, opts)
			}
		})
	}
}
