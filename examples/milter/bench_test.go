package main

import (
	"bufio"
	"bytes"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/d--j/go-milter"
	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// benchHeader returns the fields of testdata/exo-outbound-30.eml (a real 30-field Exchange Online
// block) as the MTA passes them: name and raw value.
func benchHeader(b testing.TB) ([][2]string, []byte) {
	raw, err := os.ReadFile("testdata/exo-outbound-30.eml")
	if err != nil {
		b.Fatal(err)
	}
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(raw, "\r\n"...))))
	if err != nil {
		b.Fatal(err)
	}
	var fields [][2]string
	for f := h.Fields(); f.Next(); {
		r, _ := f.Raw()
		name, value, _ := strings.Cut(strings.TrimSuffix(string(r), "\r\n"), ":")
		fields = append(fields, [2]string{name, value})
	}
	if len(fields) != 30 {
		b.Fatalf("%d fields, want 30", len(fields))
	}
	return fields, raw
}

// BenchmarkMilterTransaction is one whole milter transaction over loopback, driven by go-milter's
// client as an MTA would: connect, HELO with the TLS macros, MAIL, RCPT, the 30 header fields,
// end of message with the header changes.
func BenchmarkMilterTransaction(b *testing.B) {
	fields, _ := benchHeader(b)
	c := startMilter(b, newTestApp(b))
	b.ResetTimer()
	for range b.N {
		macros := milter.NewMacroBag()
		s, err := c.Session(macros)
		if err != nil {
			b.Fatal(err)
		}
		// Every stage must continue: a benchmark that measures a refusal measures nothing.
		step := func(stage string, act *milter.Action, err error) {
			if err != nil || act.Type != milter.ActionContinue {
				b.Fatalf("%s: %v %v", stage, act, err)
			}
		}
		act, err := s.Conn("client.example", milter.FamilyInet, 25, "127.0.0.1")
		step("connect", act, err)
		macros.Set(milter.MacroTlsVersion, "TLSv1.3")
		macros.Set(milter.MacroCertSubject, "mail.protection.outlook.com")
		act, err = s.Helo("client.example")
		step("helo", act, err)
		act, err = s.Mail("<user@contoso.com>", "")
		step("mail", act, err)
		act, err = s.Rcpt("<user@kernel.org>", "")
		step("rcpt", act, err)
		act, err = s.DataStart()
		step("data", act, err)
		for _, f := range fields {
			act, err = s.HeaderField(f[0], f[1], nil)
			step("header "+f[0], act, err)
		}
		act, err = s.HeaderEnd()
		step("end of header", act, err)
		_, act, err = s.BodyReadFrom(strings.NewReader("Hello.\r\n"))
		if err != nil || act.Type != milter.ActionAccept {
			b.Fatalf("end of message: %v %v", act, err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMilterClassification is the classification part of the same transaction: the
// Recipient decision, reading the header block the filter rebuilt, and Decide.
func BenchmarkMilterClassification(b *testing.B) {
	_, raw := benchHeader(b)
	app := newTestApp(b)
	s := classify.Session{RemoteAddr: netip.MustParseAddr("127.0.0.1"), HELO: "client.example",
		TLS: tlsid.FromMacros(tlsid.Macros{TLSVersion: "TLSv1.3", CertSubject: "mail.protection.outlook.com"})}
	b.ResetTimer()
	for range b.N {
		if rv := app.policy.Recipient(s, "user@kernel.org"); rv.Action != classify.Defer {
			b.Fatal(rv.Action)
		}
		h, err := headers.Read(bytes.NewReader(raw), app.limits)
		v := app.policy.Decide(classify.Transaction{Session: s, MailFrom: "user@contoso.com", RcptTo: []string{"user@kernel.org"}, Header: h, HeaderError: err})
		if v.Origin != classify.OwnTenant || v.Recipients[0].Action != classify.Relay {
			b.Fatal(v.Origin, v.Recipients, v.Reasons)
		}
	}
}

// BenchmarkMilterPostfix75 is one connection with one transaction as Postfix sends it with a real
// 75-field Exchange Online block (the header stage's macros before every field), from a client
// that writes the whole stream at once and allocates nothing but its dial. It reports what the
// budgets of README.md "Performance" count: B/op and allocs/op are the whole process's (the
// testing package reads them from runtime.MemStats, so the milter's goroutines count), and
// round-trips/tx the replies the milter writes, each of which an MTA waits for (bufconn.go writes
// every reply as soon as it is complete; TestRoundTrips75 checks the count with a client that
// waits).
func BenchmarkMilterPostfix75(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	bl, _ := serveBuffered(b, newTestApp(b), ln)
	s := &mtaStream{macros: true}
	s.negotiate(postfixOffer).session().envelope("user@contoso.com", "user@kernel.org").fields(exo75Fields(b)).message("Hello.\r\n").add('Q')
	replay := replayer(b, ln.Addr().String(), s.b.Bytes())
	for range 20 {
		replay()
	}
	b.ReportAllocs()
	b.ResetTimer()
	w0 := bl.stats.writes.Load()
	for range b.N {
		replay()
	}
	b.StopTimer()
	b.ReportMetric(float64(bl.stats.writes.Load()-w0)/float64(b.N), "round-trips/tx")
}

// TestBenchmarkRuns keeps the benchmarks honest: their transaction must be one the milter accepts
// (own-tenant mail sending as its tenant), or the figures measure a refusal. testing.Benchmark
// reports N = 0 when the benchmark failed.
func TestBenchmarkRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the benchmarks for about a second each")
	}
	for name, bench := range map[string]func(*testing.B){"MilterTransaction": BenchmarkMilterTransaction,
		"MilterClassification": BenchmarkMilterClassification, "MilterPostfix75": BenchmarkMilterPostfix75} {
		if r := testing.Benchmark(bench); r.N == 0 {
			t.Errorf("Benchmark%s failed", name)
		}
	}
}
