package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
)

// tokenMsg is an Internet message for a served tenant (delivered to its Exchange Online, the
// good sink), the simplest path through the relay.
func tokenMsg(token string) string {
	return "From: bob@sender.example\r\nTo: alice@contoso.com\r\nSubject: " + token + "\r\n\r\nhi\r\n"
}

// rawConn is a client speaking SMTP line by line from a chosen local address.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	tp *textproto.Conn
}

func dialFrom(t *testing.T, relay, local string) *rawConn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	c, err := d.Dial("tcp", relay)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, tp: textproto.NewConn(c)}
}

// reply reads one reply and returns "NNN text".
func (r *rawConn) reply() string {
	r.t.Helper()
	code, msg, err := r.tp.ReadResponse(0)
	if code == 0 && err != nil {
		return "error: " + err.Error()
	}
	return strconv.Itoa(code) + " " + msg
}

func (r *rawConn) cmd(line string) string {
	r.t.Helper()
	if err := r.tp.PrintfLine("%s", line); err != nil {
		return "error: " + err.Error()
	}
	return r.reply()
}

// closed reports whether the server closed the connection (EOF on the next read).
func (r *rawConn) closed() bool {
	r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := r.tp.R.ReadByte()
	return err != nil
}

// TestConnectionLimits: RFC 5321 §3.8 — a server that cannot take a connection answers 421 and
// closes it. Over MaxConnectionsPerIP (2, one client address) or MaxConnections (3, all) a
// connection gets 421 4.7.0; a connection closed frees its place.
func TestConnectionLimits(t *testing.T) {
	w := newWorldLimits(t, nil, Limits{MaxConnections: 3, MaxConnectionsPerIP: 2})
	a1 := dialFrom(t, w.relay, "127.0.0.1")
	a2 := dialFrom(t, w.relay, "127.0.0.1")
	for _, c := range []*rawConn{a1, a2} {
		if got := c.reply(); !strings.HasPrefix(got, "220 ") {
			t.Fatalf("greeting %q", got)
		}
	}
	a3 := dialFrom(t, w.relay, "127.0.0.1")
	if got := a3.reply(); !strings.HasPrefix(got, "421 4.7.0") || !a3.closed() {
		t.Errorf("third connection from one address: %q, want 421 4.7.0 and close", got)
	}
	b1 := dialFrom(t, w.relay, "127.0.0.2")
	if got := b1.reply(); !strings.HasPrefix(got, "220 ") {
		t.Errorf("other address, third connection: %q, want 220", got)
	}
	c1 := dialFrom(t, w.relay, "127.0.0.3")
	if got := c1.reply(); !strings.HasPrefix(got, "421 4.7.0") {
		t.Errorf("fourth connection: %q, want 421 4.7.0", got)
	}
	a1.cmd("QUIT")
	a1.c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := dialFrom(t, w.relay, "127.0.0.3")
		got := c.reply()
		if strings.HasPrefix(got, "220 ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a connection closed, a new one still gets %q", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := w.r.connBudget.inUse(); n != 3 {
		t.Errorf("connections counted: %d, want 3", n)
	}
}

// TestCommandLimit: MaxCommands (5) commands are answered; the next is refused with 421 4.7.0
// and the connection closed — in plaintext and after STARTTLS (the reply goes through TLS).
func TestCommandLimit(t *testing.T) {
	w := newWorldLimits(t, nil, Limits{MaxCommands: 5})
	t.Run("plaintext", func(t *testing.T) {
		c := dialFrom(t, w.relay, "127.0.0.1")
		c.reply()
		for i, line := range []string{"EHLO client.example", "NOOP", "NOOP", "NOOP", "NOOP"} {
			if got := c.cmd(line); !strings.HasPrefix(got, "250") {
				t.Fatalf("command %d %q: %q", i+1, line, got)
			}
		}
		if got := c.cmd("NOOP"); !strings.HasPrefix(got, "421 4.7.0") || !c.closed() {
			t.Errorf("sixth command: %q, want 421 4.7.0 and close", got)
		}
	})
	t.Run("tls", func(t *testing.T) {
		c, err := smtp.DialStartTLS(w.relay, w.clientTLS(nil)) // EHLO, STARTTLS, EHLO: 3
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for i := range 2 {
			if err := c.Noop(); err != nil {
				t.Fatalf("command %d: %v", 4+i, err)
			}
		}
		if err := c.Noop(); code(err) != "421 4.7.0" {
			t.Errorf("sixth command: %v, want 421 4.7.0", err)
		}
	})
}

// TestIdleTimeouts: outside a transaction a client may idle IdleTimeout (short), inside one
// ReadTimeout (RFC 5321 §4.5.3.2.7), and each read of the message may wait DataBlockTimeout
// (§4.5.3.2.5); the message as a whole DataTimeout. A timeout gets 421 4.4.2 and a close.
func TestIdleTimeouts(t *testing.T) {
	const idle, inTx, block = 300 * time.Millisecond, 2 * time.Second, 400 * time.Millisecond
	w := newWorldLimits(t, nil, Limits{IdleTimeout: Duration(idle), ReadTimeout: Duration(inTx),
		DataBlockTimeout: Duration(block), DataTimeout: Duration(inTx), NextHopIdleTimeout: Duration(time.Minute)})
	t.Run("before MAIL", func(t *testing.T) {
		c := dialFrom(t, w.relay, "127.0.0.1")
		c.reply()
		c.cmd("EHLO client.example")
		start := time.Now()
		got := c.reply()
		if !strings.HasPrefix(got, "421 4.4.2") || !c.closed() {
			t.Fatalf("idle client: %q, want 421 4.4.2 and close", got)
		}
		if el := time.Since(start); el > inTx {
			t.Errorf("idle client closed after %v: the in-transaction timeout, not IdleTimeout", el)
		}
	})
	t.Run("in a transaction", func(t *testing.T) {
		c := dialFrom(t, w.relay, "127.0.0.1")
		c.reply()
		c.cmd("EHLO client.example")
		c.cmd("MAIL FROM:<bob@sender.example>")
		time.Sleep(3 * idle) // longer than IdleTimeout, shorter than ReadTimeout
		if got := c.cmd("RCPT TO:<alice@contoso.com>"); !strings.HasPrefix(got, "250") {
			t.Fatalf("RCPT after %v in a transaction: %q", 3*idle, got)
		}
		if got := c.reply(); !strings.HasPrefix(got, "421 4.4.2") || !c.closed() {
			t.Fatalf("idle in a transaction: %q, want 421 4.4.2", got)
		}
	})
	t.Run("during DATA", func(t *testing.T) {
		c := dialFrom(t, w.relay, "127.0.0.1")
		c.reply()
		c.cmd("EHLO client.example")
		c.cmd("MAIL FROM:<bob@sender.example>")
		c.cmd("RCPT TO:<alice@contoso.com>")
		if got := c.cmd("DATA"); !strings.HasPrefix(got, "354") {
			t.Fatal(got)
		}
		c.tp.PrintfLine("Subject: tok-slow-data")
		if got := c.reply(); !strings.HasPrefix(got, "421 4.4.2") || !c.closed() {
			t.Fatalf("stalled message: %q, want 421 4.4.2 and close", got)
		}
		if n := w.good.count("tok-slow-data"); n != 0 {
			t.Errorf("sink holds %d copies of a message cut short", n)
		}
	})
	t.Run("message trickling past DataTimeout", func(t *testing.T) {
		c := dialFrom(t, w.relay, "127.0.0.1")
		c.reply()
		c.cmd("EHLO client.example")
		c.cmd("MAIL FROM:<bob@sender.example>")
		c.cmd("RCPT TO:<alice@contoso.com>")
		c.cmd("DATA")
		c.tp.PrintfLine("Subject: tok-trickle")
		c.tp.PrintfLine("")
		start := time.Now()
		go func() { // a line every block/2: no single read waits DataBlockTimeout
			for time.Since(start) < 3*inTx {
				if c.tp.PrintfLine("x") != nil {
					return
				}
				time.Sleep(block / 2)
			}
		}()
		if got := c.reply(); !strings.HasPrefix(got, "421 4.4.2") {
			t.Fatalf("trickling message: %q, want 421 4.4.2", got)
		}
		if el := time.Since(start); el > inTx+time.Second {
			t.Errorf("trickling message cut after %v, want about DataTimeout %v", el, inTx)
		}
	})
}

// TestMessageSize: SIZE in EHLO is MaxMessageBytes; MAIL with a larger SIZE= is refused at once
// (RFC 1870 §6.1: 552 5.3.4), and a longer message while it is read (552 5.3.4), nothing passed
// on. The default is Exchange Online's default receive limit, 36 MB (README.md, "Limits").
func TestMessageSize(t *testing.T) {
	w := newWorldLimits(t, nil, Limits{MaxMessageBytes: 1000})
	c := w.dial(t, nil)
	if err := c.Hello("client.example"); err != nil {
		t.Fatal(err)
	}
	if ok, v := c.Extension("SIZE"); !ok || v != "1000" {
		t.Errorf("EHLO SIZE %q (%v), want 1000", v, ok)
	}
	if err := c.Mail("bob@sender.example", &smtp.MailOptions{Size: 1001}); code(err) != "552 5.3.4" {
		t.Errorf("MAIL SIZE=1001: %v, want 552 5.3.4", err)
	}
	c.Reset()
	big := tokenMsg("tok-big") + strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz\r\n", 40)
	res, err := send(c, "bob@sender.example", []string{"alice@contoso.com"}, big)
	if err != nil {
		t.Fatal(err)
	}
	if code(res.Data) != "552 5.3.4" {
		t.Errorf("message over the limit: %v, want 552 5.3.4", res.Data)
	}
	if n := w.good.count("tok-big"); n != 0 {
		t.Errorf("sink holds %d copies of the oversized message", n)
	}
	res, err = send(c, "bob@sender.example", []string{"alice@contoso.com"}, tokenMsg("tok-small"))
	if err != nil || res.Data != nil {
		t.Errorf("message under the limit: %v %v", err, res.Data)
	}

	d := newWorld(t, nil)
	dc := d.dial(t, nil)
	dc.Hello("client.example")
	if _, v := dc.Extension("SIZE"); v != strconv.Itoa(36<<20) {
		t.Errorf("default SIZE %s, want %d (36 MiB)", v, 36<<20)
	}
}

// TestRecipientLimit: the recipient over MaxRecipients gets 452 4.5.3 (RFC 5321 §4.5.3.1.10),
// the others are delivered; EHLO announces the limit (LIMITS RCPTMAX, RFC 9422).
func TestRecipientLimit(t *testing.T) {
	w := newWorldLimits(t, nil, Limits{MaxRecipients: 2})
	c := w.dial(t, nil)
	c.Hello("client.example")
	if _, v := c.Extension("LIMITS"); v != "RCPTMAX=2" {
		t.Errorf("EHLO LIMITS %q, want RCPTMAX=2", v)
	}
	res, err := send(c, "bob@sender.example", []string{"alice@contoso.com", "bob@contoso.com", "carol@contoso.com"}, tokenMsg("tok-rcptmax"))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{code(res.Rcpt[0]), code(res.Rcpt[1]), code(res.Rcpt[2]), code(res.Data)}; strings.Join(got, ",") != "ok,ok,452 4.5.3,ok" {
		t.Errorf("replies %v, want ok, ok, 452 4.5.3, ok", got)
	}
	if m := w.good.find(t, "tok-rcptmax"); len(m.To) != 2 {
		t.Errorf("delivered to %v, want the two accepted", m.To)
	}
}

// lineSource generates a message of n bytes (CRLF lines) without holding it.
type lineSource struct {
	head []byte
	n    int64
	line []byte
	off  int
}

func newLineSource(token string, n int64) *lineSource {
	return &lineSource{head: []byte(tokenMsg(token)), n: n, line: []byte(strings.Repeat("0123456789", 7) + "abcd\r\n")}
}

func (s *lineSource) Read(p []byte) (int, error) {
	if len(s.head) > 0 {
		k := copy(p, s.head)
		s.head = s.head[k:]
		s.n -= int64(k)
		return k, nil
	}
	if s.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && s.n > 0 {
		c := copy(p[k:], s.line[s.off:])
		if int64(c) > s.n {
			c = int(s.n)
		}
		k, s.off, s.n = k+c, (s.off+c)%len(s.line), s.n-int64(c)
	}
	return k, nil
}

// TestMemoryBound streams 4 × 25 MiB through the relay at once, each message far over
// SpoolThreshold, and samples the heap. The relay may hold MemoryBytes (4 MiB) of messages plus
// per-connection buffers (a few times 64 KiB: go-smtp, TLS records, copy buffers) — never the
// messages: before spooling it held each whole message (io.ReadAll, 4 × 25 MiB and more). The
// bound asserted, 24 MiB over the idle heap, leaves the garbage collector its slack (GOGC=100
// lets the heap grow to twice what is live) and is under the 100 MiB the messages would take.
// TotalAlloc must stay under a quarter of the bytes streamed: the relay does not allocate per
// message byte.
func TestMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MiB")
	}
	const clients, size = 4, 25 << 20
	spoolDir := t.TempDir()
	w := newWorldLimits(t, nil, Limits{MaxMessageBytes: 64 << 20, MemoryBytes: 4 << 20, SpoolThreshold: 1 << 20,
		SpoolDir: spoolDir, NextHopDataTimeout: Duration(time.Minute), NextHopTimeout: Duration(10 * time.Second)})
	w.good.discard = true
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := smtp.Dial(w.relay)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := c.Mail("bob@sender.example", nil); err != nil {
				errs <- err
				return
			}
			if err := c.Rcpt("alice@contoso.com", nil); err != nil {
				errs <- err
				return
			}
			wc, err := c.Data()
			if err != nil {
				errs <- err
				return
			}
			if _, err := io.CopyBuffer(struct{ io.Writer }{wc}, newLineSource(fmt.Sprintf("tok-mem-%d", i), size), make([]byte, 32<<10)); err != nil {
				errs <- err
				return
			}
			if err := wc.Close(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grew := int64(peak) - int64(before.HeapInuse)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("heap in use %d MiB idle, peak %d MiB (+%d MiB); allocated %d MiB while streaming %d MiB",
		before.HeapInuse>>20, peak>>20, grew>>20, alloc>>20, clients*size>>20)
	if grew > 24<<20 {
		t.Errorf("heap grew by %d MiB while streaming, want under 24 MiB", grew>>20)
	}
	if alloc > clients*size/4 {
		t.Errorf("allocated %d MiB while streaming %d MiB: the relay allocates per message byte", alloc>>20, clients*size>>20)
	}
	var got int64
	for _, m := range w.good.all() {
		got += m.Size
	}
	if want := int64(clients * size); got < want {
		t.Errorf("sink received %d bytes, want at least %d", got, want)
	}
	if left, _ := os.ReadDir(spoolDir); len(left) != 0 {
		t.Errorf("spool files left: %d", len(left))
	}
	if m, d := w.r.memBudget.inUse(), w.r.diskBudget.inUse(); m != 0 || d != 0 {
		t.Errorf("budgets not returned: memory %d, disk %d", m, d)
	}
}

// TestSpool: a message over SpoolThreshold arrives intact (memory part, then the file); with
// SpoolBytes spent the client gets 452 4.3.1, with a spool directory that cannot be written
// 451 4.3.0 — both temporary (the relay's resources, not the message); no file is left behind.
func TestSpool(t *testing.T) {
	body := strings.Repeat("line of the body of a message that is spooled\r\n", 4000) // ~190 KiB
	msg := "From: bob@sender.example\r\nTo: alice@contoso.com\r\nSubject: tok-spool\r\n\r\n" + body
	tests := []struct {
		name string
		lim  Limits
		want string
	}{
		{"in memory", Limits{}, "ok"},
		{"spooled", Limits{SpoolThreshold: 64 << 10}, "ok"},
		{"memory budget spent: spooled", Limits{MemoryBytes: 32 << 10}, "ok"},
		{"spool budget spent", Limits{SpoolThreshold: 64 << 10, SpoolBytes: 64 << 10}, "452 4.3.1"},
		{"spool directory missing", Limits{SpoolThreshold: 64 << 10, SpoolDir: "/nonexistent/spool"}, "451 4.3.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.lim.SpoolDir == "" {
				tc.lim.SpoolDir = t.TempDir()
			}
			w := newWorldLimits(t, nil, tc.lim)
			c := w.dial(t, nil)
			res, err := send(c, "bob@sender.example", []string{"alice@contoso.com"}, msg)
			if err != nil {
				t.Fatal(err)
			}
			if got := code(res.Data); got != tc.want {
				t.Fatalf("DATA: %s, want %s", got, tc.want)
			}
			if tc.want == "ok" {
				m := w.good.find(t, "tok-spool")
				if !strings.HasSuffix(string(m.Data), "\r\n\r\n"+body) {
					t.Errorf("body changed on the way (%d bytes, want %d)", len(m.Data), len(msg))
				}
			} else if n := w.good.count("tok-spool"); n != 0 {
				t.Errorf("sink holds %d copies", n)
			}
			if left, _ := os.ReadDir(tc.lim.SpoolDir); len(left) != 0 {
				t.Errorf("spool files left: %d", len(left))
			}
			if m, d := w.r.memBudget.inUse(), w.r.diskBudget.inUse(); m != 0 || d != 0 {
				t.Errorf("budgets not returned: memory %d, disk %d", m, d)
			}
		})
	}
}

// openSessions waits until the sink has n sessions open, and fails after 5 s.
func openSessions(t *testing.T, s *sink, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		open := s.open
		s.mu.Unlock()
		if open == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sink has %d sessions open, want %d", open, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNextHopSessions: the clients of one address hold at most MaxNextHopSessionsPerIP (2)
// next-hop sessions, all clients at most MaxNextHopSessions (3); beyond, RCPT gets 451 4.4.5
// (RFC 3463 X.4.5, mail system congestion: temporary). A session is closed when its client
// idles NextHopIdleTimeout after RCPT, and opened again — with the recipients accepted — at the
// next RCPT or at DATA, so the message is still delivered.
func TestNextHopSessions(t *testing.T) {
	t.Run("budgets", func(t *testing.T) {
		w := newWorldLimits(t, nil, Limits{MaxNextHopSessions: 3, MaxNextHopSessionsPerIP: 2, NextHopIdleTimeout: Duration(time.Minute)})
		rcpt := func(local string) (*rawConn, string) {
			c := dialFrom(t, w.relay, local)
			c.reply()
			c.cmd("EHLO client.example")
			c.cmd("MAIL FROM:<bob@sender.example>")
			return c, c.cmd("RCPT TO:<alice@contoso.com>")
		}
		var got []string
		var held []*rawConn
		for _, local := range []string{"127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.3"} {
			c, r := rcpt(local)
			held = append(held, c)
			got = append(got, r[:9])
		}
		if want := "250 2.0.0,250 2.0.0,451 4.4.5,250 2.0.0,451 4.4.5"; strings.Join(got, ",") != want {
			t.Errorf("RCPT replies %v, want %s", got, want)
		}
		openSessions(t, w.good, 3)
		held[0].cmd("RSET") // frees one
		openSessions(t, w.good, 2)
		if _, r := rcpt("127.0.0.3"); !strings.HasPrefix(r, "250") {
			t.Errorf("RCPT after a session was freed: %q", r)
		}
	})
	t.Run("closed when the client idles", func(t *testing.T) {
		const idle = 200 * time.Millisecond
		w := newWorldLimits(t, nil, Limits{NextHopIdleTimeout: Duration(idle)})
		c := w.dial(t, nil)
		if err := c.Mail("bob@sender.example", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt("alice@contoso.com", nil); err != nil {
			t.Fatal(err)
		}
		openSessions(t, w.good, 1)
		openSessions(t, w.good, 0) // the client idles: closed
		if err := c.Rcpt("bob@contoso.com", nil); err != nil {
			t.Fatalf("RCPT after the next-hop session was closed: %v", err)
		}
		openSessions(t, w.good, 1)
		openSessions(t, w.good, 0)
		wc, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(wc, tokenMsg("tok-idle"))
		if err := wc.Close(); err != nil {
			t.Fatalf("DATA after the next-hop session was closed: %v", err)
		}
		if m := w.good.find(t, "tok-idle"); strings.Join(m.To, ",") != "alice@contoso.com,bob@contoso.com" {
			t.Errorf("delivered to %v, want both recipients", m.To)
		}
		c.Quit()
		openSessions(t, w.good, 0)
		for deadline := time.Now().Add(5 * time.Second); w.r.upBudget.inUse() != 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("next-hop sessions counted after the transaction: %d", w.r.upBudget.inUse())
			}
		}
	})
}

// TestClientKey: the per-address budgets count an IPv4 address, and an IPv6 client by its /64
// (RFC 6177: a subscriber gets a /64 or more), so one IPv6 client cannot multiply its places.
func TestClientKey(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"192.0.2.1:25", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:25", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:25", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:25", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:25", "2001:db8:1:3::/64"},
	}
	for _, tc := range tests {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := clientIP(a); got != tc.want {
			t.Errorf("clientIP(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}

// TestLongLine: a message line over go-smtp's MaxLineLength (2000; RFC 5321 §4.5.3.1.6 allows
// 1000) is refused as malformed, 554 5.6.0, not go-smtp's generic 554 5.0.0; nothing passed on.
func TestLongLine(t *testing.T) {
	w := newWorld(t, nil)
	c := dialFrom(t, w.relay, "127.0.0.1")
	c.reply()
	c.cmd("EHLO client.example")
	c.cmd("MAIL FROM:<bob@sender.example>")
	c.cmd("RCPT TO:<alice@contoso.com>")
	c.cmd("DATA")
	c.tp.PrintfLine("Subject: tok-long\r\n\r\n%s\r\n.", strings.Repeat("x", 3000))
	if got := c.reply(); !strings.HasPrefix(got, "554 5.6.0") {
		t.Errorf("long line: %q, want 554 5.6.0", got)
	}
	if n := w.good.count("tok-long"); n != 0 {
		t.Errorf("sink holds %d copies", n)
	}
}

// TestDKIMSpooled: a message whose body is spooled (memory part and file) is signed from the
// spool and sent from it again; the signature verifies over the bytes the next hop received.
func TestDKIMSpooled(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	w := newWorldLimits(t, nil, Limits{SpoolThreshold: 64 << 10, SpoolDir: t.TempDir()})
	w.r.dkim = map[tenantgate.Domain]DKIMSigner{"contoso.com": {Selector: "s1", Signer: key}}
	c := w.dial(t, w.clientTLS(w.exo))
	msg := exoMessage(contosoID, "Carol <carol@contoso.com>", "erin@woodgrove.example", "tok-dkim-spool") +
		strings.Repeat("a body line long enough to spool a message of some size to disk\r\n", 5000)
	res, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, msg)
	if err != nil || res.Data != nil {
		t.Fatalf("send: %v %v", err, res.Data)
	}
	m := w.good.find(t, "tok-dkim-spool")
	vs, err := dkim.VerifyWithOptions(strings.NewReader(string(m.Data)), &dkim.VerifyOptions{
		LookupTXT: func(string) ([]string, error) {
			return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
		}})
	if err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("verification: %v %+v", err, vs)
	}
	if !strings.HasSuffix(string(m.Data), strings.Repeat("a body line long enough to spool a message of some size to disk\r\n", 5000)) {
		t.Error("body changed on the way")
	}
}
