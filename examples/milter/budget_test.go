package main

import (
	"bytes"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/d--j/go-milter"
	"github.com/google/go-cmp/cmp"
)

// exo75Path is a real 75-field Exchange Online header block (an outbound message of a hosted
// mailbox; ../../testdata/headers/SOURCES.md says where it comes from).
const exo75Path = "../../testdata/headers/lore-linux-hyperv-2026-07-intel.com-outbound-hosted.eml"

// exo75Fields returns the fields of exo75Path as ../shared/tools/milterload sends them: every
// field but From, X-MS-Exchange-CrossTenant-Id and Authentication-Results as written (the space
// after the colon dropped, folded lines joined with CRLF), then those three for the test
// directory's contoso tenant, so the transaction is own-tenant mail that the milter accepts.
func exo75Fields(t testing.TB) [][2]string {
	t.Helper()
	b, err := os.ReadFile(exo75Path)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n")
	var fs [][2]string
	for l := range strings.SplitSeq(head, "\n") {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(fs) > 0 {
			fs[len(fs)-1][1] += "\r\n" + l
			continue
		}
		if i := strings.IndexByte(l, ':'); i > 0 {
			fs = append(fs, [2]string{l[:i], strings.TrimLeft(l[i+1:], " ")})
		}
	}
	var out [][2]string
	for _, f := range fs {
		switch strings.ToLower(f[0]) {
		case "from", "x-ms-exchange-crosstenant-id", "authentication-results":
			continue
		}
		out = append(out, f)
	}
	out = append(out, [2]string{"From", "User <user@contoso.com>"}, [2]string{"X-MS-Exchange-CrossTenant-Id", contosoID},
		[2]string{"Authentication-Results", "my-auth-serv-id;\r\n  dkim=pass header.d=contoso.com header.s=selector1 header.b=abc"})
	if len(out) != 75 {
		t.Fatalf("%d fields, want 75", len(out))
	}
	return out
}

// serveBuffered serves app through a bufferedListener over inner, as main does, and returns the
// listener (its counters) and a client offering what Postfix offers.
func serveBuffered(t testing.TB, app *App, inner net.Listener) (*bufferedListener, *milter.Client) {
	t.Helper()
	bl := newBufferedListener(inner, time.Minute)
	srv := app.Server()
	go srv.Serve(bl)
	t.Cleanup(func() { srv.Close() })
	return bl, milter.NewClient(inner.Addr().Network(), inner.Addr().String(),
		milter.WithActions(milter.OptAddHeader|milter.OptChangeHeader|milter.OptSetMacros), milter.WithProtocols(postfixOffer))
}

// exo75Txn is one transaction with the 75-field block: own-tenant mail of contoso, relayed.
func exo75Txn(t testing.TB) txn {
	return txn{"user@contoso.com", []string{"user@kernel.org"}, exo75Fields(t)}
}

// TestRoundTrips75: with a real 75-field Exchange Online block, one transaction on its own
// connection costs the MTA 4 waits for the milter, each answered by one write: the negotiation,
// RCPT (the recipient policy), the body chunk (the skip reply, which spares the MTA the rest of a
// longer body) and the end of message (the verdict header inserted and accept, one write through
// bufferedConn). With DKIM, which needs the whole body, the body chunks go without a reply
// (SMFIP_NR_BODY): 3 waits. The budget is 20 round trips per transaction (README.md). The MTA
// sends everything else without waiting (quietStages).
func TestRoundTrips75(t *testing.T) {
	// With dkimFallback the tenant header decides when DKIM does not pass: the block's one
	// DKIM-Signature (intel.com) finds no key at this DNS server, and the message relays.
	dkimApp, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{DKIMFallback: true}, headers.Limits{},
		newVerifier(DKIMOptions{DNSServer: serveTXT(t, nil)}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		app  *App
		want int64
	}{
		{"without DKIM", newTestApp(t), 4},
		{"with DKIM", dkimApp, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			bl, c := serveBuffered(t, tc.app, ln)
			o := runSession(t, c, exoPeer, exo75Txn(t))
			if o[0].EOM != "accept" || len(o[0].Changes) != 1 {
				t.Fatalf("outcome %+v, want accept with the verdict header", o[0])
			}
			const budget = 20
			writes := bl.stats.writes.Load()
			if writes != tc.want || writes > budget {
				t.Errorf("%d writes (round trips) for one transaction, want %d (budget %d)", writes, tc.want, budget)
			}
			// The reads are not checked here: through the buffer a read takes whatever has
			// arrived, and how much that is depends on timing (go-milter's client, like this
			// one, writes a packet in two writes). On a loaded machine the milter can catch
			// up after every write and more, and a bound of two reads per packet failed in
			// CI (169 reads for 83 packets). TestBufferedConnPartialReads checks the reads
			// where arrival is fixed: 75 packets that arrived together take one read per
			// 4 KiB.
			t.Logf("one transaction, 75 fields: %d writes, %d reads", writes, bl.stats.reads.Load())
		})
	}
}

// trickleListener hands out connections whose reads return at most one byte: the milter must
// assemble every packet from partial reads.
type trickleListener struct{ net.Listener }

func (l trickleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return trickleConn{c}, nil
}

type trickleConn struct{ net.Conn }

func (c trickleConn) Read(p []byte) (int, error) { return c.Conn.Read(p[:min(1, len(p))]) }

// TestMilterPartialReads: the milter decides the same over connections that deliver a byte per
// read, over TCP and a unix socket, as over plain ones: the 75-field transaction is accepted with
// the verdict header, and the forged-verdict transaction of TestMilter loses its copy.
func TestMilterPartialReads(t *testing.T) {
	forged := [2]string{"Authentication-Results", "gw.example.net; x-tenantgate=pass policy.hop=1"}
	txns := []txn{exo75Txn(t), {"carol@contoso.com", []string{"erin@woodgrove.example"}, append([][2]string{forged}, exoHeader(contosoID, "carol@contoso.com")...)}}
	plainLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, plain := serveBuffered(t, newTestApp(t), plainLn)
	want := runSession(t, plain, exoPeer, txns...)
	if want[0].EOM != "accept" || len(want[0].Changes) != 1 || len(want[1].Changes) != 2 {
		t.Fatalf("plain outcome %+v", want)
	}
	for _, network := range []string{"tcp", "unix"} {
		addr := "127.0.0.1:0"
		if network == "unix" {
			addr = filepath.Join(t.TempDir(), "milter.sock")
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		bl, c := serveBuffered(t, newTestApp(t), trickleListener{ln})
		got := runSession(t, c, exoPeer, txns...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: (-plain +trickle):\n%s", network, diff)
		}
		if bl.stats.reads.Load() < 16000 {
			t.Errorf("%s: %d reads: the connection did not trickle", network, bl.stats.reads.Load())
		}
	}
}

// recordListener keeps what the first connection's MTA sent.
type recordListener struct {
	net.Listener
	mu sync.Mutex
	in bytes.Buffer
	n  int
}

func (l *recordListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if l.n > 1 {
		return c, nil
	}
	return recordConn{c, l}, nil
}

func (l *recordListener) stream() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.in.Bytes())
}

type recordConn struct {
	net.Conn
	l *recordListener
}

func (c recordConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.mu.Lock()
	c.l.in.Write(p[:n])
	c.l.mu.Unlock()
	return n, err
}

// allocsPerConnection is what the whole process allocates, on average, for one connection
// carrying one 75-field transaction, as milterload sends them: go-milter's client runs it once
// while the milter records what the MTA sent (or, when stream is not nil, the MTA sends stream),
// then a replayer sends those bytes on fresh connections and reads the replies into a reused
// buffer, so besides the milter (go-milter and ours) only its dial allocates. It returns bytes
// and allocations per connection.
func allocsPerConnection(t *testing.T, stream []byte) (uint64, uint64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &recordListener{Listener: ln}
	_, c := serveBuffered(t, newTestApp(t), rl)
	if stream == nil {
		if o := runSession(t, c, exoPeer, exo75Txn(t)); o[0].EOM != "accept" {
			t.Fatalf("outcome %+v", o)
		}
		// The milter closes the connection after the MTA's QUIT, the last thing it reads.
		for range 100 {
			if stream = rl.stream(); bytes.HasSuffix(stream, pkt('Q', "")) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !bytes.HasSuffix(stream, pkt('Q', "")) {
		t.Fatalf("recorded stream (%d bytes) does not end in QUIT", len(stream))
	}
	return allocsPer(replayer(t, ln.Addr().String(), stream))
}

// allocsPer runs f 20 times to warm up, then 300 times, and returns what the whole process
// allocated per run: bytes and allocations.
func allocsPer(f func()) (uint64, uint64) {
	for range 20 {
		f()
	}
	const runs = 300
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&m1)
	return (m1.TotalAlloc - m0.TotalAlloc) / runs, (m1.Mallocs - m0.Mallocs) / runs
}

// replayer returns a function that sends stream, a whole milter connection ending in QUIT, on a
// fresh connection to addr and reads the replies into a buffer it reuses: an MTA that allocates
// nothing but its dial. It fails tb unless the replies add the verdict header and accept.
func replayer(tb testing.TB, addr string, stream []byte) func() {
	buf := make([]byte, 64<<10)
	return func() {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			tb.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write(stream); err != nil {
			tb.Fatal(err)
		}
		n := 0
		for {
			if n == len(buf) {
				tb.Fatalf("replies longer than %d bytes", len(buf))
			}
			k, err := conn.Read(buf[n:])
			n += k
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Fatal(err)
			}
		}
		if !bytes.Contains(buf[:n], []byte("x-tenantgate=pass")) || !bytes.HasSuffix(buf[:n], pkt('a', "")) {
			tb.Fatalf("replies %q: want the verdict header and accept", buf[:n])
		}
	}
}

// fakeModifier is the milter.Modifier of filterAllocs: the macros of exoPeer, the protocol options
// negotiated with Postfix (TestNegotiateQuietStages), header changes accepted and dropped. The
// filter calls nothing else.
type fakeModifier struct {
	milter.Modifier
	macros map[string]string
}

func (m fakeModifier) Get(name string) string { return m.macros[name] }
func (m fakeModifier) GetEx(name string) (string, bool) {
	v, ok := m.macros[name]
	return v, ok
}
func (fakeModifier) Protocol() milter.OptProtocol           { return milter.OptHeaderLeadingSpace | quietStages }
func (fakeModifier) ChangeHeader(int, string, string) error { return nil }
func (fakeModifier) InsertHeader(int, string, string) error { return nil }

// filterAllocs is what the filter alone (not go-milter) allocates for one connection with the
// 75-field transaction: its callbacks called as go-milter calls them, with the strings go-milter
// would hand over made beforehand.
func filterAllocs(t *testing.T) uint64 {
	app := newTestApp(t)
	fields := exo75Fields(t)
	m := fakeModifier{macros: map[string]string{milter.MacroTlsVersion: exoPeer.tlsVersion, milter.MacroCertSubject: exoPeer.subject}}
	body := []byte("Hello.\r\n")
	one := func() {
		f := app.newFilter()
		f.Connect("client.example", "tcp4", 25, exoPeer.addr, m)
		f.Helo("client.example", m)
		f.MailFrom("user@contoso.com", "", m)
		f.RcptTo("user@kernel.org", "", m)
		for _, h := range fields {
			f.Header(h[0], h[1], m)
		}
		f.Headers(m)
		f.BodyChunk(body, m)
		r, err := f.EndOfMessage(m)
		if err != nil || r != milter.RespAccept {
			t.Fatalf("end of message: %v %v", r, err)
		}
		f.Cleanup(m)
	}
	b, _ := allocsPer(one)
	return b
}

// TestAllocBudget measures the bytes allocated per transaction with the 75-field block: the
// whole process within the budget of 40 KB (README.md "Performance"), for the stream go-milter's
// client sends and for the one Postfix sends (the header stage's macros before every field). The
// header tap (headertap.go) keeps go-milter from allocating the header fields, and the policy
// reads the block as bytes (classify.Transaction.HeaderBlock): no textproto.Header. What go-milter
// v0.10.1 still allocates is in docs/go-milter-patches.md. The filter's own share is held under
// 20 KB, so that a regression shows.
func TestAllocBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 320 connections")
	}
	if raceEnabled {
		t.Skip("the race detector allocates, and sync.Pool drops buffers at random under it")
	}
	const budget = 40_000 // 40 KB
	ours := filterAllocs(t)
	total, mallocs := allocsPerConnection(t, nil)
	s := &mtaStream{macros: true}
	s.negotiate(postfixOffer).session().envelope("user@contoso.com", "user@kernel.org").fields(exo75Fields(t)).message("Hello.\r\n").add('Q')
	postfix, postfixMallocs := allocsPerConnection(t, s.b.Bytes())
	t.Logf("per 75-field transaction: whole process %d B (%d allocations), with Postfix's macros %d B (%d allocations); the filter alone %d B",
		total, mallocs, postfix, postfixMallocs, ours)
	if ours > 20<<10 {
		t.Errorf("the filter allocates %d B per transaction, guard %d", ours, 20<<10)
	}
	if total > budget || postfix > budget {
		t.Errorf("the process allocates %d B (Postfix's stream: %d B) per transaction, budget %d", total, postfix, budget)
	}
}

// raceEnabled is set when the tests run under the race detector (race_test.go).
var raceEnabled bool
