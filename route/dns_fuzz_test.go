package route

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// FuzzAnswerRecords feeds arbitrary DNS messages to the CNAME-chasing answer reader. Invariants:
// no panic; every record returned has the asked type and is owned by the name the chain ends
// at; the chain never follows more CNAMEs than the budget allows.
func FuzzAnswerRecords(f *testing.F) {
	for _, rrs := range [][]string{
		{"a.test. 60 IN MX 10 b.test."},
		{"a.test. 60 IN CNAME b.test.", "b.test. 60 IN MX 10 c.test."},
		{"a.test. 60 IN CNAME b.test.", "b.test. 60 IN CNAME a.test."},
		{"a.test. 60 IN CNAME b.test.", "b.test. 60 IN A 192.0.2.1"},
		{"A.TEST. 60 IN MX 0 ."},
	} {
		m := new(dns.Msg)
		m.SetQuestion("a.test.", dns.TypeMX)
		for _, s := range rrs {
			rr, err := dns.NewRR(s)
			if err != nil {
				f.Fatal(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "a.test.", uint16(dns.TypeMX), uint8(8))
	}
	f.Fuzz(func(t *testing.T, wire []byte, name string, qt uint16, budget uint8) {
		m := new(dns.Msg)
		if err := m.Unpack(wire); err != nil {
			return
		}
		rrs, final, used, err := answerRecords(m, dns.Fqdn(name), qt, int(budget))
		if used > int(budget)+1 {
			t.Fatalf("followed %d CNAMEs with a budget of %d", used, budget)
		}
		if err != nil {
			if len(rrs) != 0 {
				t.Fatalf("records %v together with error %v", rrs, err)
			}
			return
		}
		for _, rr := range rrs {
			if rr.Header().Rrtype != qt || !strings.EqualFold(rr.Header().Name, final) {
				t.Fatalf("record %v is not %s for %s", rr, dns.TypeToString[qt], final)
			}
		}
	})
}
