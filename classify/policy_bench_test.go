package classify

import (
	"bufio"
	"bytes"
	"os"
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate/headers"
)

// benchBlock is the largest real header block of the corpus (22.5 KB, 80+ fields, an Oracle
// cloud mailbox's outbound mail: README.md#performance measures a 22 KB block).
const benchBlock = "../testdata/headers/lore-linux-cifs-2026-03-oracle.com-outbound-hosted.eml"

func readBench(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile(benchBlock)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkReadHeaderBaseline is the cost every MTA pays anyway: go-message's textproto.ReadHeader
// of the block. README.md#performance: BenchmarkPolicyMessage ≤ 2× this, measured in the same run.
func BenchmarkReadHeaderBaseline(b *testing.B) {
	raw := readBench(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPolicyMessage is the gateway's whole path from raw bytes: headers.Read (bounded,
// strict), then Policy.Decide for a verified Exchange Online session with one relayed recipient.
func BenchmarkPolicyMessage(b *testing.B) {
	raw := readBench(b)
	d := corpusDirectory(b)
	p, err := NewPolicy(d, PolicyConfig{})
	if err != nil {
		b.Fatal(err)
	}
	rcpt := []string{"maintainers@vger.kernel.example"}
	s := exoSession()
	// The verdict must be the real one, or the benchmark measures a short cut.
	h, err := headers.Read(bytes.NewReader(raw), headers.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	if v := p.Decide(Transaction{Session: s, MailFrom: "user@oracle.com", RcptTo: rcpt, Header: h}); v.Origin != OwnTenant || v.Recipients[0].Action != Relay || v.DKIMDomain != "oracle.com" {
		b.Fatalf("verdict %s %s %q, want own-tenant relay oracle.com; reasons %v", v.Origin, v.Recipients[0].Action, v.DKIMDomain, v.Reasons)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		h, err := headers.Read(bytes.NewReader(raw), headers.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		_ = p.Decide(Transaction{Session: s, MailFrom: "user@oracle.com", RcptTo: rcpt, Header: h})
	}
}

// BenchmarkPolicyMessageParsed is the verdict alone, on a header already read: what the policy
// adds to the MTA's own header parsing.
func BenchmarkPolicyMessageParsed(b *testing.B) {
	raw := readBench(b)
	p, err := NewPolicy(corpusDirectory(b), PolicyConfig{})
	if err != nil {
		b.Fatal(err)
	}
	h, err := headers.Read(bytes.NewReader(raw), headers.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	rcpt := []string{"maintainers@vger.kernel.example"}
	s := exoSession()
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Decide(Transaction{Session: s, MailFrom: "user@oracle.com", RcptTo: rcpt, Header: h})
	}
}
