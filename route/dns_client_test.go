package route

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// testZone is the zone the loopback server answers from. Names are canonical (lower case, with
// the trailing dot).
func testZone(t *testing.T) map[string][]dns.RR {
	t.Helper()
	zone := map[string][]dns.RR{}
	add := func(s string) {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatalf("bad test record %q: %v", s, err)
		}
		n := dns.CanonicalName(rr.Header().Name)
		zone[n] = append(zone[n], rr)
	}
	// Preference order: 10 before 20, ties by host name (a before c), whatever the zone order.
	add("mx.test. 300 IN MX 20 b.mx.test.")
	add("mx.test. 300 IN MX 10 c.mx.test.")
	add("mx.test. 300 IN MX 10 A.MX.test.")
	add("a.mx.test. 300 IN A 192.0.2.1")
	add("b.mx.test. 300 IN A 192.0.2.3")
	add("b.mx.test. 300 IN A 192.0.2.2")
	add("b.mx.test. 300 IN AAAA 2001:db8::2")
	add("v6.test. 300 IN AAAA 2001:db8::6")
	// No MX, but addresses: the implicit MX of RFC 5321 §5.1.
	add("nomx.test. 300 IN A 192.0.2.9")
	// Exists (a TXT record) with neither MX nor addresses.
	add("empty.test. 300 IN TXT \"v=spf1 -all\"")
	// RFC 7505 null MX.
	add("null.test. 300 IN MX 0 .")
	// CNAME chains: one hop, five hops (the server follows at most two per answer, so the
	// resolver must ask again), and a loop.
	add("alias.test. 300 IN CNAME mx.test.")
	add("c1.test. 300 IN CNAME c2.test.")
	add("c2.test. 300 IN CNAME c3.test.")
	add("c3.test. 300 IN CNAME c4.test.")
	add("c4.test. 300 IN CNAME c5.test.")
	add("c5.test. 300 IN CNAME mx.test.")
	add("loop1.test. 300 IN CNAME loop2.test.")
	add("loop2.test. 300 IN CNAME loop1.test.")
	add("hostalias.test. 300 IN CNAME a.mx.test.")
	// Too big for a 512-octet UDP answer: 40 MX records.
	for i := range 40 {
		add(fmt.Sprintf("big.test. 300 IN MX %d host-%02d.a-rather-long-label-to-fill-the-packet.test.", 40-i, i))
	}
	return zone
}

// dnsServer is a loopback DNS server on one port for UDP and TCP. It answers like a recursive
// resolver that follows at most two CNAMEs per answer, SERVFAILs servfail.test, REFUSEs
// refused.test, answers spoofed.test with mx.test's question and records, and sets TC over UDP for answers that do not fit into 512 octets.
type dnsServer struct {
	addr    string
	tcpHits atomic.Int32
	udpHits atomic.Int32
}

func startDNSServer(t *testing.T) *dnsServer {
	t.Helper()
	zone := testZone(t)
	s := &dnsServer{}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.RecursionAvailable = true
		if len(req.Question) != 1 {
			m.Rcode = dns.RcodeFormatError
			_ = w.WriteMsg(m)
			return
		}
		udp := w.LocalAddr().Network() == "udp"
		if udp {
			s.udpHits.Add(1)
		} else {
			s.tcpHits.Add(1)
		}
		q := req.Question[0]
		name := dns.CanonicalName(q.Name)
		switch name {
		case "servfail.test.":
			m.Rcode = dns.RcodeServerFailure
			_ = w.WriteMsg(m)
			return
		case "refused.test.":
			m.Rcode = dns.RcodeRefused
			_ = w.WriteMsg(m)
			return
		case "spoofed.test.": // an answer for another question, with the right ID
			m.Question[0].Name = "mx.test."
			m.Answer = zone["mx.test."]
			_ = w.WriteMsg(m)
			return
		}
		if _, ok := zone[name]; !ok {
			m.Rcode = dns.RcodeNameError
			_ = w.WriteMsg(m)
			return
		}
		for hops := 0; hops <= 2; hops++ {
			var next string
			for _, rr := range zone[name] {
				switch {
				case rr.Header().Rrtype == q.Qtype:
					m.Answer = append(m.Answer, rr)
				case rr.Header().Rrtype == dns.TypeCNAME:
					m.Answer = append(m.Answer, rr)
					next = dns.CanonicalName(rr.(*dns.CNAME).Target)
				}
			}
			if next == "" {
				break
			}
			name = next
		}
		size := 512
		if o := req.IsEdns0(); o != nil {
			size = int(o.UDPSize())
		}
		if udp && m.Len() > size {
			m.Answer = nil
			m.Truncated = true
		}
		_ = w.WriteMsg(m)
	})

	var pc net.PacketConn
	var ln net.Listener
	for range 20 { // find a port free for both UDP and TCP
		p, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", p.LocalAddr().String())
		if err == nil {
			pc, ln = p, l
			break
		}
		p.Close()
	}
	if pc == nil {
		t.Fatal("no port free for both UDP and TCP on 127.0.0.1")
	}
	s.addr = pc.LocalAddr().String()
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // runs after the Shutdowns registered below (cleanups run last-in first-out)
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = srv.ActivateAndServe()
		}()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

func TestDNSResolverLookupMX(t *testing.T) {
	srv := startDNSServer(t)
	r := NewDNSResolver(srv.addr, DNSOptions{})
	ctx := t.Context()

	tests := []struct {
		name, domain string
		want         []*net.MX
		wantErr      string // substring of the error; "" = no error
		temporary    bool
		permanent    bool
	}{
		// RFC 5321 §5.1: lower preference first; equal preferences in host name order (our
		// deterministic choice instead of randomising). Names lower-cased, trailing dot dropped.
		{name: "preference order", domain: "mx.test", want: []*net.MX{{Host: "a.mx.test", Pref: 10}, {Host: "c.mx.test", Pref: 10}, {Host: "b.mx.test", Pref: 20}}},
		{name: "case and trailing dot", domain: "MX.Test.", want: []*net.MX{{Host: "a.mx.test", Pref: 10}, {Host: "c.mx.test", Pref: 10}, {Host: "b.mx.test", Pref: 20}}},
		// alias.test is a CNAME for mx.test: the answer carries the chain, the records are mx.test's.
		{name: "cname", domain: "alias.test", want: []*net.MX{{Host: "a.mx.test", Pref: 10}, {Host: "c.mx.test", Pref: 10}, {Host: "b.mx.test", Pref: 20}}},
		// Five CNAMEs; the server follows two per answer, so the resolver asks again twice.
		{name: "cname chain across queries", domain: "c1.test", want: []*net.MX{{Host: "a.mx.test", Pref: 10}, {Host: "c.mx.test", Pref: 10}, {Host: "b.mx.test", Pref: 20}}},
		{name: "cname loop", domain: "loop1.test", wantErr: "CNAME chain", temporary: true},
		// NODATA: the name exists without MX records.
		{name: "no mx", domain: "nomx.test", want: []*net.MX{}},
		// The null MX comes back as it is; MailHosts interprets it.
		{name: "null mx", domain: "null.test", want: []*net.MX{{Host: ".", Pref: 0}}},
		{name: "nxdomain", domain: "missing.test", wantErr: "NXDOMAIN", permanent: true},
		{name: "servfail", domain: "servfail.test", wantErr: "SERVFAIL", temporary: true},
		{name: "refused", domain: "refused.test", wantErr: "REFUSED", temporary: true},
		// An answer must be for the question asked (RFC 5452 §9.1); anything else is discarded
		// as a failed exchange, temporary.
		{name: "answer for another question", domain: "spoofed.test", wantErr: "not for the question", temporary: true},
		{name: "invalid name", domain: "a..test", wantErr: "empty label", permanent: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.LookupMX(ctx, tc.domain)
			checkErr(t, err, tc.wantErr, tc.temporary, tc.permanent)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("LookupMX(%q) (-want +got):\n%s", tc.domain, diff)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string, temporary, permanent bool) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want one containing %q", err, want)
	}
	if IsTemporary(err) != temporary || IsPermanent(err) != permanent {
		t.Errorf("IsTemporary = %v, IsPermanent = %v, want %v, %v (error %v)", IsTemporary(err), IsPermanent(err), temporary, permanent, err)
	}
}

func TestDNSResolverTruncationRetriesOverTCP(t *testing.T) {
	srv := startDNSServer(t)
	// Without EDNS0 the server may send 512 octets over UDP; 40 long MX records do not fit, so it
	// answers with TC set and no records (RFC 1035 §4.2.1), and the resolver must ask over TCP.
	r := NewDNSResolver(srv.addr, DNSOptions{NoEDNS0: true})
	got, err := r.LookupMX(t.Context(), "big.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 {
		t.Fatalf("got %d MX records, want the 40 of the zone", len(got))
	}
	// The zone gives host-39 preference 1 and host-00 preference 40.
	if got[0].Host != "host-39.a-rather-long-label-to-fill-the-packet.test" || got[0].Pref != 1 || got[39].Pref != 40 {
		t.Errorf("first %+v, last %+v: not in preference order", *got[0], *got[39])
	}
	if srv.udpHits.Load() != 1 || srv.tcpHits.Load() != 1 {
		t.Errorf("queries: %d over UDP, %d over TCP; want one of each", srv.udpHits.Load(), srv.tcpHits.Load())
	}
}

func TestDNSResolverTCPOnly(t *testing.T) {
	srv := startDNSServer(t)
	r := NewDNSResolver(srv.addr, DNSOptions{TCP: true})
	if _, err := r.LookupMX(t.Context(), "mx.test"); err != nil {
		t.Fatal(err)
	}
	if srv.udpHits.Load() != 0 || srv.tcpHits.Load() != 1 {
		t.Errorf("queries: %d over UDP, %d over TCP; want only one over TCP", srv.udpHits.Load(), srv.tcpHits.Load())
	}
}

func TestDNSResolverCNAMEBound(t *testing.T) {
	srv := startDNSServer(t)
	// c1.test needs five CNAMEs; a bound of 4 refuses it, a bound of 5 follows it.
	if _, err := NewDNSResolver(srv.addr, DNSOptions{MaxCNAME: 4}).LookupMX(t.Context(), "c1.test"); !errors.Is(err, ErrCNAMEChain) || !IsTemporary(err) {
		t.Errorf("bound 4: error %v, want a temporary ErrCNAMEChain", err)
	}
	if _, err := NewDNSResolver(srv.addr, DNSOptions{MaxCNAME: 5}).LookupMX(t.Context(), "c1.test"); err != nil {
		t.Errorf("bound 5: %v", err)
	}
}

// The zero DNSOptions is the documented defaults; only explicit fields change them (MaxCNAME < 0
// follows no CNAME, NoEDNS0 drops EDNS0).
func TestDNSOptions(t *testing.T) {
	type fields struct {
		timeout  time.Duration
		maxCNAME int
		udpSize  uint16
		tcp      bool
	}
	for _, tc := range []struct {
		o    DNSOptions
		want fields
	}{
		{DNSOptions{}, fields{DefaultDNSTimeout, DefaultMaxCNAME, DefaultUDPSize, false}},
		{DNSOptions{Timeout: -time.Second, UDPSize: 4096}, fields{DefaultDNSTimeout, DefaultMaxCNAME, 4096, false}},
		{DNSOptions{Timeout: time.Second, MaxCNAME: -1, NoEDNS0: true, UDPSize: 4096, TCP: true}, fields{time.Second, 0, 0, true}},
	} {
		r := NewDNSResolver("192.0.2.53", tc.o).(*dnsResolver)
		if got := (fields{r.timeout, r.maxCNAME, r.udpSize, r.tcp}); got != tc.want {
			t.Errorf("%+v: got %+v, want %+v", tc.o, got, tc.want)
		}
	}
	srv := startDNSServer(t)
	if _, err := NewDNSResolver(srv.addr, DNSOptions{MaxCNAME: -1}).LookupMX(t.Context(), "c1.test"); !errors.Is(err, ErrCNAMEChain) {
		t.Errorf("MaxCNAME -1: error %v, want ErrCNAMEChain", err)
	}
}

func TestDNSResolverLookupHost(t *testing.T) {
	srv := startDNSServer(t)
	r := NewDNSResolver(srv.addr, DNSOptions{})
	tests := []struct {
		name, host string
		want       []netip.Addr
		wantErr    string
		temporary  bool
		permanent  bool
	}{
		{name: "ipv4", host: "a.mx.test", want: []netip.Addr{netip.MustParseAddr("192.0.2.1")}},
		// IPv4 first, each family ascending whatever the zone order.
		{name: "both families", host: "b.mx.test", want: []netip.Addr{netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.3"), netip.MustParseAddr("2001:db8::2")}},
		{name: "ipv6 only", host: "v6.test", want: []netip.Addr{netip.MustParseAddr("2001:db8::6")}},
		{name: "cname", host: "hostalias.test", want: []netip.Addr{netip.MustParseAddr("192.0.2.1")}},
		{name: "ip literal", host: "192.0.2.77", want: []netip.Addr{netip.MustParseAddr("192.0.2.77")}},
		{name: "bracketed ipv6 literal", host: "[2001:db8::1]", want: []netip.Addr{netip.MustParseAddr("2001:db8::1")}},
		{name: "no addresses", host: "empty.test", wantErr: "no such record", permanent: true},
		{name: "nxdomain", host: "missing.test", wantErr: "NXDOMAIN", permanent: true},
		{name: "servfail", host: "servfail.test", wantErr: "SERVFAIL", temporary: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.LookupHost(t.Context(), tc.host)
			checkErr(t, err, tc.wantErr, tc.temporary, tc.permanent)
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("LookupHost(%q) (-want +got):\n%s", tc.host, diff)
			}
		})
	}
}

func TestDNSResolverMailHosts(t *testing.T) {
	srv := startDNSServer(t)
	r := NewDNSResolver(srv.addr, DNSOptions{})
	tests := []struct {
		name, domain string
		want         []*net.MX
		wantIs       error
		temporary    bool
		permanent    bool
	}{
		{name: "mx", domain: "mx.test", want: []*net.MX{{Host: "a.mx.test", Pref: 10}, {Host: "c.mx.test", Pref: 10}, {Host: "b.mx.test", Pref: 20}}},
		// RFC 5321 §5.1: no MX but an address: the domain is its own mail host, preference 0.
		{name: "implicit mx", domain: "nomx.test", want: []*net.MX{{Host: "nomx.test", Pref: 0}}},
		{name: "implicit mx ipv6", domain: "v6.test", want: []*net.MX{{Host: "v6.test", Pref: 0}}},
		// RFC 7505 §3: "0 ." means the domain accepts no mail; permanent.
		{name: "null mx", domain: "null.test", wantIs: ErrNullMX, permanent: true},
		// Neither MX nor address: nothing to deliver to; permanent.
		{name: "no host", domain: "empty.test", wantIs: ErrNoMailHost, permanent: true},
		{name: "nxdomain", domain: "missing.test", permanent: true},
		{name: "servfail", domain: "servfail.test", temporary: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MailHosts(t.Context(), r, tc.domain)
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v, want %v", err, tc.wantIs)
			}
			if (tc.temporary || tc.permanent) && err == nil {
				t.Fatalf("no error, want one")
			}
			if IsTemporary(err) != tc.temporary || IsPermanent(err) != tc.permanent {
				t.Errorf("IsTemporary = %v, IsPermanent = %v, want %v, %v (error %v)", IsTemporary(err), IsPermanent(err), tc.temporary, tc.permanent, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("MailHosts(%q) (-want +got):\n%s", tc.domain, diff)
			}
		})
	}
}

// silentServer reads queries on 127.0.0.1 and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return pc.LocalAddr().String()
}

func TestDNSResolverTimeout(t *testing.T) {
	addr := silentServer(t)
	r := NewDNSResolver(addr, DNSOptions{}) // the per-query timeout (5 s) is longer than the context's deadline
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.LookupMX(ctx, "mx.test")
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("lookup took %v; the context deadline was 200ms", elapsed)
	}
	de, ok := errors.AsType[*DNSError](err)
	if !ok || !de.Timeout() || !IsTemporary(err) || IsPermanent(err) || de.Rcode != -1 {
		t.Errorf("error %#v (%v): want a temporary *DNSError that reports Timeout, Rcode -1", err, err)
	}

	// The option bounds a query when the context has no deadline.
	start = time.Now()
	_, err = NewDNSResolver(addr, DNSOptions{Timeout: 150 * time.Millisecond}).LookupHost(t.Context(), "a.mx.test")
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("lookup took %v; the query timeout was 150ms (two queries)", elapsed)
	}
	if !IsTemporary(err) {
		t.Errorf("error %v: want temporary", err)
	}
}

func TestDNSResolverCancel(t *testing.T) {
	addr := silentServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := NewDNSResolver(addr, DNSOptions{}).LookupMX(ctx, "mx.test")
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("lookup took %v after a cancellation at 100ms", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v: want one wrapping context.Canceled", err)
	}
}

func TestDNSResolverNoServer(t *testing.T) {
	_, err := NewDNSResolver("", DNSOptions{}).LookupMX(t.Context(), "mx.test")
	if err == nil || !strings.Contains(err.Error(), "no server address") {
		t.Errorf("error %v: want one saying the server is missing", err)
	}
}

func TestServerAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.53", "192.0.2.53:53"},
		{"192.0.2.53:5353", "192.0.2.53:5353"},
		{"2001:db8::53", "[2001:db8::53]:53"},
		{"[2001:db8::53]", "[2001:db8::53]:53"},
		{"[2001:db8::53]:5353", "[2001:db8::53]:5353"},
		{"ns.example", "ns.example:53"},
		{" ", ""},
	}
	for _, tc := range tests {
		if got := serverAddr(tc.in); got != tc.want {
			t.Errorf("serverAddr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
