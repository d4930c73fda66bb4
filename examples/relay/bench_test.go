package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/route"
)

// The relay benchmarks compare the relay with a pass-through go-smtp relay (passthrough_test.go)
// that has the relay's connection handling and decides nothing: the same client (verified
// Exchange Online, STARTTLS with a client certificate, long-lived connections), the same message
// (a real 30-field EXO header block), the same plaintext sink, found as the recipient domain's MX
// with the same route.StaticResolver (DNS latency is the network's, not the relay's).
//
// BenchmarkRelayVsPassThrough measures what a busy gateway pays: the CPU time each server spends
// per message, read from the server's own process, so that neither the client, nor the sink, nor
// the other server is counted, and a saturated machine cannot hide extra work the way a latency
// comparison does (TestRelayBenchmarkCannotFlatter proves it with injected work).

// Environment of the benchmark's server processes (TestBenchServer).
const (
	envBenchServer  = "TENANTGATE_BENCH_SERVER"     // "relay" or "pass": run as that server
	envBenchDir     = "TENANTGATE_BENCH_DIR"        // the certificates the parent wrote
	envBenchSink    = "TENANTGATE_BENCH_SINK"       // the sink's host:port
	envBenchBurn    = "TENANTGATE_BENCH_BURN"       // extra CPU the relay spends per message (a time.Duration)
	envBenchProfile = "TENANTGATE_BENCH_CPUPROFILE" // write the relay's CPU profile to this file (the pass-through's to file.pass)
	envBenchBody    = "TENANTGATE_BENCH_BODY"       // the message body's size in bytes (default: a 40-byte body)
)

// benchParallel is the number of client connections to each server: enough to keep a server busy
// (throughput, not one round trip's latency).
const benchParallel = 8

type benchRig struct {
	dir  string // certificates for the server processes
	sink string
	exo  *tls.Certificate
	pki  *pki
	msg  []byte
}

func newBenchRig(tb testing.TB) *benchRig {
	p := newPKI(tb)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	sk := serveSink(tb, ln, nil)
	sk.discard = true
	rig := &benchRig{dir: tb.TempDir(), sink: ln.Addr().String(), pki: p, exo: p.Leaf(tb, []string{"mail.protection.outlook.com"})}
	p.WriteCA(tb, rig.dir)
	writePEM(tb, rig.dir, "gw", p.Leaf(tb, []string{"gw.example.net"}))
	writePEM(tb, rig.dir, "contoso", p.Leaf(tb, []string{"contoso.gw.example.net"}))
	writePEM(tb, rig.dir, "fabrikam", p.Leaf(tb, []string{"fabrikam.gw.example.net"}))
	head, err := os.ReadFile("testdata/exo-outbound-30.eml")
	if err != nil {
		tb.Fatal(err)
	}
	body, err := benchBody(os.Getenv(envBenchBody))
	if err != nil {
		tb.Fatal(err)
	}
	rig.msg = append(append(head, "\r\n"...), body...)
	return rig
}

// benchBody is the body of the benchmark's message: a short sentence, or size bytes (a number) of
// 78-byte text lines, the last one shortened (one byte fewer when only one would be left), for
// the ratio at other message sizes.
func benchBody(size string) ([]byte, error) {
	if size == "" {
		return []byte("Hello,\r\n\r\nthe body of a short message.\r\n"), nil
	}
	n, err := strconv.Atoi(size)
	if err != nil || n < 2 || n > 64<<20 {
		return nil, fmt.Errorf("%s=%q: want a size in bytes from 2 to 64 MiB", envBenchBody, size)
	}
	line := []byte(strings.Repeat("lorem ipsum dolor sit amet ", 3)[:76] + "\r\n")
	b := make([]byte, 0, n)
	for len(b)+len(line) <= n {
		b = append(b, line...)
	}
	if k := n - len(b); k >= 2 {
		b = append(append(b, line[:k-2]...), "\r\n"...)
	}
	return b, nil
}

// benchCerts are the certificates newBenchRig wrote.
type benchCerts struct {
	roots    *x509.CertPool
	server   *tls.Certificate
	identity map[string]*tls.Certificate
}

func loadBenchCerts(tb testing.TB, dir string) benchCerts {
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	c := benchCerts{roots: x509.NewCertPool(), identity: map[string]*tls.Certificate{}}
	c.roots.AppendCertsFromPEM(ca)
	load := func(name string) *tls.Certificate {
		kp, err := tls.LoadX509KeyPair(filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key"))
		if err != nil {
			tb.Fatal(err)
		}
		return &kp
	}
	c.server = load("gw")
	c.identity["contoso"] = load("contoso")
	c.identity["fabrikam"] = load("fabrikam")
	return c
}

// newBenchRelay is the relay under test, with next hops at sink.
func newBenchRelay(tb testing.TB, c benchCerts, sink string) (*Relay, *smtp.Server) {
	res, port := benchResolver(tb, sink)
	r, err := New(Options{Directory: loadTestDirectory(tb), ClientRoots: c.roots, NextHopRoots: c.roots,
		IdentityCerts: c.identity, Resolver: res, NextHopPort: port,
		// The parallel clients on one address stand for many Exchange Online servers, and their
		// connections last the whole benchmark (the pass-through relay limits neither).
		Limits: Limits{MaxConnectionsPerIP: DefaultMaxConnections, MaxNextHopSessionsPerIP: DefaultMaxNextHopSessions,
			MaxCommands: 1 << 30}})
	if err != nil {
		tb.Fatal(err)
	}
	return r, r.Server(c.server)
}

// benchResolver is the DNS both servers ask for the benchmark recipient's domain: its MX is the
// sink, at port.
func benchResolver(tb testing.TB, sink string) (route.StaticResolver, int) {
	host, portText, err := net.SplitHostPort(sink)
	if err != nil {
		tb.Fatal(err)
	}
	port, _ := strconv.Atoi(portText)
	return route.StaticResolver{
		MX:    map[string][]*net.MX{"woodgrove.example": {{Host: "mx.woodgrove.example", Pref: 10}}},
		Hosts: map[string][]netip.Addr{"mx.woodgrove.example": {netip.MustParseAddr(host)}},
	}, port
}

func serve(tb testing.TB, s *smtp.Server, wrap func(net.Listener) net.Listener) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if wrap != nil {
		ln = wrap(ln)
	}
	go s.Serve(ln)
	tb.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

func (rig *benchRig) clientConfig() *tls.Config {
	return &tls.Config{RootCAs: rig.pki.Pool, ServerName: "gw.example.net", Certificates: []tls.Certificate{*rig.exo}}
}

// run sends b.N messages through addr from parallel clients, for the in-process benchmarks.
func (rig *benchRig) run(b *testing.B, addr string) {
	cfg := rig.clientConfig()
	b.SetBytes(int64(len(rig.msg)))
	b.SetParallelism(benchParallel)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := smtp.DialStartTLS(addr, cfg)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			if err := sendOne(c, rig.msg); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRelay and BenchmarkPassThrough run each server alone, in the benchmark's process (for
// go test -cpuprofile); they compare nothing. BenchmarkRelayVsPassThrough compares.
func BenchmarkRelay(b *testing.B) {
	rig := newBenchRig(b)
	r, srv := newBenchRelay(b, loadBenchCerts(b, rig.dir), rig.sink)
	rig.run(b, serve(b, srv, r.Listener))
}

func BenchmarkPassThrough(b *testing.B) {
	rig := newBenchRig(b)
	rig.run(b, serve(b, newPassServer(b, rig.sink, loadBenchCerts(b, rig.dir).server), nil))
}

// BenchmarkRelayVsPassThrough runs the relay and the pass-through relay each in a process of its
// own (TestBenchServer), sends b.N messages through each from benchParallel client connections,
// alternating between the two in batches so that both see the same machine load, and reports the
// CPU time (user and system) each server process spent per message and cpu-ratio =
// pass-through CPU ÷ relay CPU: the relay's throughput on the same CPU relative to the
// pass-through relay's. The budget (the repository README's Performance section) is ≥ 0.95,
// at most 1.05× the pass-through's CPU per message.
// TENANTGATE_BENCH_BURN=300us adds that much CPU work per message to the relay, to see the ratio
// fall; TENANTGATE_BENCH_CPUPROFILE=file writes the relay process's CPU profile to file and the
// pass-through's to file.pass.
func BenchmarkRelayVsPassThrough(b *testing.B) {
	if _, ok := processCPU(); !ok {
		b.Skip("no process CPU time on this system")
	}
	rig := newBenchRig(b)
	burn, err := parseBurn(os.Getenv(envBenchBurn))
	if err != nil {
		b.Fatal(err)
	}
	relay := rig.start(b, "relay", burn, os.Getenv(envBenchProfile))
	pass := rig.start(b, "pass", 0, profileOf(os.Getenv(envBenchProfile), "pass"))
	b.SetBytes(int64(len(rig.msg)))
	b.ResetTimer()
	cpu := rig.cpuPerMessage(b, []*benchProc{relay, pass}, b.N)
	rc, pc := cpu[0], cpu[1]
	b.ReportMetric(float64(rc.Nanoseconds()), "relay-cpu-ns/msg")
	b.ReportMetric(float64(pc.Nanoseconds()), "pass-cpu-ns/msg")
	b.ReportMetric(float64(pc)/float64(rc), "cpu-ratio")
}

// profileOf names the pass-through's profile beside the relay's.
func profileOf(relay, kind string) string {
	if relay == "" {
		return ""
	}
	return relay + "." + kind
}

func parseBurn(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q: want a duration such as 300us", envBenchBurn, s)
	}
	return d, nil
}

// TestRelayBenchmarkCannotFlatter is the benchmark's self-test: 300 µs of CPU work added to
// every message a second relay handles, measured in the same run, must show in its CPU per
// message and lower its ratio clearly. (Latency measured while both servers share a saturated CPU did not: with the same
// injection it still read 1.00.)
func TestRelayBenchmarkCannotFlatter(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 300 messages through each of three server processes")
	}
	if _, ok := processCPU(); !ok {
		t.Skip("no process CPU time on this system")
	}
	const inject, n = 300 * time.Microsecond, 300
	rig := newBenchRig(t)
	procs := []*benchProc{rig.start(t, "relay", 0, ""), rig.start(t, "relay", inject, ""), rig.start(t, "pass", 0, "")}
	cpu := rig.cpuPerMessage(t, procs, n)
	relay, burnt, pass := cpu[0], cpu[1], cpu[2]
	ratio, burntRatio := float64(pass)/float64(relay), float64(pass)/float64(burnt)
	t.Logf("per message: relay %v, relay with %v injected %v, pass-through %v; ratio %.2f, with the injection %.2f",
		relay, inject, burnt, pass, ratio, burntRatio)
	// Two thirds of the injected work must be seen: CPU time is the server process's own, so the
	// noise is the servers' variation, not the machine's load.
	if extra := burnt - relay; extra < 2*inject/3 {
		t.Errorf("injected %v per message, the relay's CPU per message rose by %v", inject, extra)
	}
	if burntRatio > ratio-0.1 {
		t.Errorf("with %v injected the ratio is %.2f, %.2f without: not clearly lower", inject, burntRatio, ratio)
	}
}

// benchProc is a server process of BenchmarkRelayVsPassThrough.
type benchProc struct {
	kind string
	addr string
	in   io.WriteCloser
	out  *bufio.Reader
}

// start runs TestBenchServer in a new process of this test binary as a server of kind ("relay"
// or "pass"), and returns when it listens.
func (rig *benchRig) start(tb testing.TB, kind string, burn time.Duration, profile string) *benchProc {
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run", "^TestBenchServer$", "-test.count", "1")
	cmd.Env = append(os.Environ(), envBenchServer+"="+kind, envBenchDir+"="+rig.dir, envBenchSink+"="+rig.sink,
		envBenchBurn+"="+burn.String(), envBenchProfile+"="+profile)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &benchProc{kind: kind, in: in, out: bufio.NewReader(out)}
	tb.Cleanup(func() {
		in.Close() // the server stops at the end of its input
		done := make(chan error, 1)
		go func() { io.Copy(io.Discard, p.out); done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	p.addr = p.read(tb, "addr")
	return p
}

// read returns the value of the next line of the server that starts with key and a space.
func (p *benchProc) read(tb testing.TB, key string) string {
	for {
		line, err := p.out.ReadString('\n')
		if err != nil {
			tb.Fatalf("%s server: %v (no %q line)", p.kind, err, key)
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+" "); ok {
			return v
		}
	}
}

// cpu returns the CPU time the server process has spent so far.
func (p *benchProc) cpu(tb testing.TB) time.Duration {
	if _, err := io.WriteString(p.in, "cpu\n"); err != nil {
		tb.Fatalf("%s server: %v", p.kind, err)
	}
	ns, err := strconv.ParseInt(p.read(tb, "cpu"), 10, 64)
	if err != nil {
		tb.Fatalf("%s server: %v", p.kind, err)
	}
	return time.Duration(ns)
}

// cpuPerMessage sends n messages through each server from benchParallel client connections each
// (opened beforehand), in batches taking turns (the first server of a round rotates), and returns
// the CPU time each server process spent per message.
func (rig *benchRig) cpuPerMessage(tb testing.TB, procs []*benchProc, n int) []time.Duration {
	clients := make([][]*smtp.Client, len(procs))
	for i, p := range procs {
		for range benchParallel {
			c, err := smtp.DialStartTLS(p.addr, rig.clientConfig())
			if err != nil {
				tb.Fatalf("%s server: %v", p.kind, err)
			}
			defer c.Close()
			clients[i] = append(clients[i], c)
		}
	}
	const batch = 4 * benchParallel
	spent := make([]time.Duration, len(procs))
	for round, sent := 0, 0; sent < n; round++ {
		k := min(batch, n-sent)
		for j := range procs {
			i := (j + round) % len(procs) // rotate which goes first
			before := procs[i].cpu(tb)
			if err := rig.send(clients[i], k); err != nil {
				tb.Fatalf("%s server: %v", procs[i].kind, err)
			}
			spent[i] += procs[i].cpu(tb) - before
		}
		sent += k
	}
	for i := range spent {
		spent[i] /= time.Duration(max(n, 1))
	}
	return spent
}

// send sends k messages spread over the clients, concurrently, and returns the first error.
func (rig *benchRig) send(clients []*smtp.Client, k int) error {
	var left atomic.Int64
	left.Store(int64(k))
	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if err := sendOne(c, rig.msg); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func sendOne(c *smtp.Client, msg []byte) error {
	if err := c.Mail("user@contoso.com", nil); err != nil {
		return err
	}
	if err := c.Rcpt("erin@woodgrove.example", nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

// TestBenchServer is a server process of BenchmarkRelayVsPassThrough (start): it serves on a
// loopback port, prints "addr <address>", answers each "cpu" line of its input with "cpu <the
// process's CPU time in ns>", and stops at the end of its input. Run alone, it skips.
func TestBenchServer(t *testing.T) {
	kind := os.Getenv(envBenchServer)
	if kind == "" {
		t.Skip("a server process of BenchmarkRelayVsPassThrough")
	}
	certs := loadBenchCerts(t, os.Getenv(envBenchDir))
	sink := os.Getenv(envBenchSink)
	var addr string
	switch kind {
	case "relay":
		r, srv := newBenchRelay(t, certs, sink)
		burn, err := parseBurn(os.Getenv(envBenchBurn))
		if err != nil {
			t.Fatal(err)
		}
		if burn > 0 {
			srv.Backend = burnBackend{r: r, d: burn}
		}
		addr = serve(t, srv, r.Listener)
	case "pass":
		addr = serve(t, newPassServer(t, sink, certs.server), nil)
	default:
		t.Fatalf("%s=%q: want relay or pass", envBenchServer, kind)
	}
	if f := os.Getenv(envBenchProfile); f != "" {
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			t.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); out.Close() }()
	}
	fmt.Printf("addr %s\n", addr)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "cpu" {
			d, _ := processCPU()
			fmt.Printf("cpu %d\n", d.Nanoseconds())
		}
	}
}

// burnBackend is the relay with d of extra CPU work in every DATA: the injection of
// TestRelayBenchmarkCannotFlatter.
type burnBackend struct {
	r *Relay
	d time.Duration
}

func (b burnBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s, err := b.r.NewSession(c)
	if err != nil {
		return nil, err
	}
	return &burnSession{Session: s, d: b.d}, nil
}

type burnSession struct {
	smtp.Session
	d    time.Duration
	work uint64
}

func (s *burnSession) Data(r io.Reader) error {
	s.work += burnCPU(s.d)
	return s.Session.Data(r)
}

// TestBenchmarkRuns keeps the benchmark honest: its transaction must be one the relay accepts
// (own-tenant mail sending as its tenant), or the figures measure a refusal. testing.Benchmark
// reports N = 0 when the benchmark failed.
func TestBenchmarkRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the benchmark for about a second")
	}
	if r := testing.Benchmark(BenchmarkRelay); r.N == 0 {
		t.Error("BenchmarkRelay failed")
	}
}

// TestBenchBody: the body TENANTGATE_BENCH_BODY asks for has that size (one byte fewer where a
// single byte would be left), in CRLF lines of at most 78 characters; other values are refused.
func TestBenchBody(t *testing.T) {
	for _, n := range []int{2, 3, 77, 78, 79, 80, 20000} {
		b, err := benchBody(strconv.Itoa(n))
		if err != nil {
			t.Fatal(err)
		}
		// n bytes of CRLF lines, none longer than 78 characters with its CRLF (RFC 5322 §2.1.1).
		if len(b) != n && !(n%78 == 1 && len(b) == n-1) {
			t.Errorf("size %d: %d bytes", n, len(b))
		}
		for i, l := range strings.SplitAfter(string(b), "\r\n") {
			if l != "" && (!strings.HasSuffix(l, "\r\n") || len(l) > 78 || strings.ContainsAny(l[:len(l)-2], "\r\n")) {
				t.Errorf("size %d, line %d: %q", n, i, l)
			}
		}
	}
	for _, bad := range []string{"x", "1", "-5", "99999999999"} {
		if _, err := benchBody(bad); err == nil {
			t.Errorf("%s=%q accepted", envBenchBody, bad)
		}
	}
}
