package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// pkt is one milter packet: 4-byte length (code and data), code, data (libmilter's wire format as
// go-milter's internal/wire/milter-protocol.txt describes it).
func pkt(code byte, data string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)+1))
	return append(append(b, code), data...)
}

// scriptConn is a fake connection: reads return the chunks of in one by one (a chunk longer
// than the read's buffer is split), then io.EOF; writes and deadline changes are logged in
// order.
type scriptConn struct {
	net.Conn // nil: methods not overridden are not used
	mu       sync.Mutex
	in       [][]byte
	events   []string
	writes   [][]byte
	writeErr error
	closed   bool
}

func (s *scriptConn) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, "read")
	if len(s.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.in[0])
	if s.in[0] = s.in[0][n:]; len(s.in[0]) == 0 {
		s.in = s.in[1:]
	}
	return n, nil
}

func (s *scriptConn) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, "write")
	if s.writeErr != nil {
		return 0, s.writeErr
	}
	s.writes = append(s.writes, bytes.Clone(p))
	return len(p), nil
}

func (s *scriptConn) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.IsZero() {
		s.events = append(s.events, "write deadline cleared")
	} else {
		s.events = append(s.events, "write deadline set")
	}
	return nil
}

func (s *scriptConn) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, "close")
	s.closed = true
	return nil
}

func (s *scriptConn) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.events, ", ")
}

func (s *scriptConn) written() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// wrapScript wraps a scriptConn as the listener would.
func wrapScript(s *scriptConn, flushTimeout time.Duration) (*bufferedConn, *bufferedListener) {
	l := &bufferedListener{flushTimeout: flushTimeout}
	return l.wrap(s), l
}

// writeAsGoMilter writes a packet as go-milter's wire.WritePacket does: length and code in one
// write, the data (if any) in a second.
func writeAsGoMilter(t *testing.T, c net.Conn, p []byte) {
	t.Helper()
	if _, err := c.Write(p[:5]); err != nil {
		t.Fatal(err)
	}
	if len(p) > 5 {
		if _, err := c.Write(p[5:]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBufferedConnReplyWrittenAtOnce: every reply that is not a modification goes out in one
// write as soon as its last byte is written, however go-milter splits it: the MTA may be waiting
// for it. The codes are every reply of the milter protocol but the modifications.
func TestBufferedConnReplyWrittenAtOnce(t *testing.T) {
	for _, code := range []byte("acdrtysp" + "O") {
		s := &scriptConn{}
		c, l := wrapScript(s, 0)
		p := pkt(code, "550 5.7.1 no\x00")
		// Split three ways: part of the length, the rest of the head, the data.
		for _, part := range [][]byte{p[:2], p[2:5], p[5:]} {
			if len(s.written()) != 0 {
				t.Fatalf("%c: written before the packet was complete", code)
			}
			if _, err := c.Write(part); err != nil {
				t.Fatal(err)
			}
		}
		if w := s.written(); len(w) != 1 || !bytes.Equal(w[0], p) {
			t.Errorf("%c: writes %q, want the packet in one", code, w)
		}
		if got := l.stats.writes.Load(); got != 1 {
			t.Errorf("%c: %d writes counted", code, got)
		}
	}
}

// TestBufferedConnCoalescesModifications: at the end of the message go-milter writes each
// modification and then the final reply, each in two writes; they reach the MTA in one write,
// when the reply is complete.
func TestBufferedConnCoalescesModifications(t *testing.T) {
	s := &scriptConn{}
	c, _ := wrapScript(s, 0)
	mods := [][]byte{
		pkt('m', "\x00\x00\x00\x01Authentication-Results\x00\x00"),
		pkt('i', "\x00\x00\x00\x00Authentication-Results\x00 gw.example.net; x-tenantgate=pass\x00"),
	}
	var want []byte
	for _, m := range mods {
		writeAsGoMilter(t, c, m)
		want = append(want, m...)
	}
	if w := s.written(); len(w) != 0 {
		t.Fatalf("modifications written before the final reply: %q", w)
	}
	accept := pkt('a', "")
	writeAsGoMilter(t, c, accept)
	want = append(want, accept...)
	if w := s.written(); len(w) != 1 || !bytes.Equal(w[0], want) {
		t.Errorf("writes %q, want %q in one", w, want)
	}
}

// TestBufferedConnFlushBeforeRead: bytes still held are written before a read that has to wait
// for the MTA, under the flush timeout; a read the buffer can serve waits for nothing and writes
// nothing.
func TestBufferedConnFlushBeforeRead(t *testing.T) {
	two := append(pkt('L', "Subject\x00hi\x00"), pkt('L', "To\x00x\x00")...)
	s := &scriptConn{in: [][]byte{two}}
	c, _ := wrapScript(s, time.Second)
	head := make([]byte, 4)
	if _, err := io.ReadFull(c, head); err != nil { // fills the buffer with both packets
		t.Fatal(err)
	}
	writeAsGoMilter(t, c, pkt('h', "X-A\x00b\x00")) // held: no final reply yet
	rest := make([]byte, len(two)-4)
	if _, err := io.ReadFull(c, rest); err != nil {
		t.Fatal(err)
	}
	if got, want := s.log(), "read"; got != want {
		t.Fatalf("events %q, want %q: a buffered read waits for nothing", got, want)
	}
	if _, err := c.Read(head); err != io.EOF {
		t.Fatalf("read: %v, want EOF", err)
	}
	want := "read, write deadline set, write, write deadline cleared, read"
	if got := s.log(); got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if w := s.written(); len(w) != 1 || !bytes.Equal(w[0], pkt('h', "X-A\x00b\x00")) {
		t.Errorf("writes %q", w)
	}
}

// TestBufferedConnPartialReads: a packet that arrives a byte at a time is read whole; packets
// that arrive together are served by one read per buffer's worth.
func TestBufferedConnPartialReads(t *testing.T) {
	p := pkt('L', "X-MS-Exchange-CrossTenant-Id\x00"+contosoID+"\x00")
	var bytewise [][]byte
	for i := range p {
		bytewise = append(bytewise, p[i:i+1])
	}
	s := &scriptConn{in: bytewise}
	c, l := wrapScript(s, 0)
	got := make([]byte, len(p))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, p) {
		t.Fatalf("read %q, %v; want %q", got, err, p)
	}
	if n := l.stats.reads.Load(); n != int64(len(p)) {
		t.Errorf("%d reads, want %d", n, len(p))
	}

	var many []byte
	for range 75 {
		many = append(many, p...)
	}
	s = &scriptConn{in: [][]byte{many}}
	c, l = wrapScript(s, 0)
	for i := range 75 {
		// As go-milter reads: the length, then the rest.
		var n [4]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			t.Fatal(i, err)
		}
		if _, err := io.ReadFull(c, got[:binary.BigEndian.Uint32(n[:])]); err != nil {
			t.Fatal(i, err)
		}
	}
	// One read per buffer's worth, where go-milter alone makes 150.
	if n, want := l.stats.reads.Load(), int64((len(many)+connReadBuffer-1)/connReadBuffer); n != want {
		t.Errorf("75 packets (%d bytes) that arrived together took %d reads, want %d", len(many), n, want)
	}
}

// TestBufferedConnWriteError: a failed write fails that Write and every later one, and a read
// that would have to write first.
func TestBufferedConnWriteError(t *testing.T) {
	broken := errors.New("broken pipe")
	s := &scriptConn{writeErr: broken}
	c, _ := wrapScript(s, 0)
	if _, err := c.Write(pkt('c', "")); !errors.Is(err, broken) {
		t.Fatalf("write: %v, want %v", err, broken)
	}
	if _, err := c.Write(pkt('c', "")); !errors.Is(err, broken) {
		t.Fatalf("second write: %v, want %v", err, broken)
	}
	if _, err := c.Read(make([]byte, 4)); !errors.Is(err, broken) {
		t.Fatalf("read: %v, want %v", err, broken)
	}
	if got := strings.Count(s.log(), "write"); got != 1 {
		t.Errorf("%d writes attempted, want 1 (events %s)", got, s.log())
	}
}

// TestBufferedConnHoldBounded: held bytes never exceed connHoldLimit by more than the packet
// being written; past it they are written out without waiting for a final reply.
func TestBufferedConnHoldBounded(t *testing.T) {
	s := &scriptConn{}
	c, _ := wrapScript(s, 0)
	mod := pkt('h', "X-Big\x00"+strings.Repeat("x", 10000)+"\x00")
	for range 20 {
		writeAsGoMilter(t, c, mod)
		if len(c.wbuf) > connHoldLimit+len(mod) {
			t.Fatalf("%d bytes held", len(c.wbuf))
		}
	}
	total := 0
	for _, w := range s.written() {
		total += len(w)
	}
	if total+len(c.wbuf) != 20*len(mod) || total == 0 {
		t.Errorf("%d written, %d held, of %d", total, len(c.wbuf), 20*len(mod))
	}
}

// TestBufferedConnDeadlines: a read deadline set on the connection ends a read that waits for the
// MTA; once cleared, reads wait again.
func TestBufferedConnDeadlines(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	bl := newBufferedListener(ln, time.Second)
	mta, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer mta.Close()
	c, err := bl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 4)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	c.SetReadDeadline(time.Time{})
	mta.Write(pkt('Q', ""))
	got := make([]byte, 5)
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, pkt('Q', "")) {
		t.Fatalf("read %q, %v", got, err)
	}
}

// TestBufferedConnClose: Close writes what is held, ends a read that waits in another goroutine
// (go-milter's Shutdown closes sessions so), and later reads and writes fail.
func TestBufferedConnClose(t *testing.T) {
	s := &scriptConn{}
	c, _ := wrapScript(s, 0)
	writeAsGoMilter(t, c, pkt('h', "X-A\x00b\x00"))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := s.log(), "write, close"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	if _, err := c.Write(pkt('c', "")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	bl := newBufferedListener(ln, time.Second)
	mta, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer mta.Close()
	sc, err := bl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := sc.Read(make([]byte, 4))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	sc.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("read ended without an error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the waiting read")
	}
}

// TestBufferedConnWriteDeadline: a reply is written inside go-milter's Write calls, so under the
// write deadline go-milter sets around them (WithWriteTimeout), not after it was cleared.
func TestBufferedConnWriteDeadline(t *testing.T) {
	s := &scriptConn{}
	c, _ := wrapScript(s, time.Second)
	c.SetWriteDeadline(time.Now().Add(time.Minute))
	writeAsGoMilter(t, c, pkt('r', ""))
	c.SetWriteDeadline(time.Time{})
	if got, want := s.log(), "write deadline set, write, write deadline cleared"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
}

// FuzzBufferedConnWrite writes any bytes, cut anywhere, as go-milter's packets would be.
// Invariants: what reaches the connection is exactly what was written, in order, once Close has
// run; after each Write, what is held is at most connHoldLimit plus that Write; and when the
// bytes are well-framed packets, nothing after the last complete reply that is not a
// modification is held.
func FuzzBufferedConnWrite(f *testing.F) {
	f.Add(append(pkt('i', "\x00\x00\x00\x00A\x00b\x00"), pkt('a', "")...), uint8(3))
	f.Add(append(pkt('h', "X\x00y\x00"), pkt('c', "")...), uint8(1))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 'c', 1, 2, 3}, uint8(2))
	f.Fuzz(func(t *testing.T, stream []byte, cut uint8) {
		s := &scriptConn{}
		c, _ := wrapScript(s, 0)
		step := int(cut%17) + 1
		for i := 0; i < len(stream); i += step {
			p := stream[i:min(i+step, len(stream))]
			if _, err := c.Write(p); err != nil {
				t.Fatal(err)
			}
			if len(c.wbuf) > connHoldLimit+len(p) {
				t.Fatalf("%d bytes held", len(c.wbuf))
			}
		}
		// Where the stream is well-framed up to a reply, that reply has gone out.
		written := 0
		for _, w := range s.written() {
			written += len(w)
		}
		if end := lastReplyEnd(stream); written < end {
			t.Fatalf("%d bytes written, the last complete reply ends at %d", written, end)
		}
		c.Close()
		if got := bytes.Join(s.written(), nil); !bytes.Equal(got, stream) {
			t.Fatalf("written %q, want %q", got, stream)
		}
	})
}

// lastReplyEnd is where the last complete packet of stream that is not a modification ends (0:
// none), reading stream as milter packets.
func lastReplyEnd(stream []byte) int {
	end := 0
	for i := 0; i+5 <= len(stream); {
		n := int(binary.BigEndian.Uint32(stream[i:]))
		if n < 1 {
			n = 1 // the code, which a zero length does not count
		}
		next := i + 4 + n
		if next > len(stream) || next < i {
			break
		}
		if !modification(stream[i+4]) {
			end = next
		}
		i = next
	}
	return end
}

// TestBufferedConnRefusesPanickingPackets: packets go-milter v0.10.1 panics on (length 0; a
// connect without the protocol family; MAIL or RCPT without the address's NUL) end the
// connection at the wrapper, so the milter process survives them; a well-formed connect of the
// unknown family (host name, NUL, 'U', nothing after) still passes.
func TestBufferedConnRefusesPanickingPackets(t *testing.T) {
	for _, tc := range []struct {
		name   string
		packet string
		ok     bool
	}{
		{"length 0", "\x00\x00\x00\x00", false},
		{"connect without NUL", "\x00\x00\x00\x05Chost", false},
		{"connect without family", "\x00\x00\x00\x06Chost\x00", false},
		{"connect of unknown family", "\x00\x00\x00\x07Chost\x00U", true},
		{"MAIL without NUL", "\x00\x00\x00\x04M<a>", false},
		{"RCPT without data", "\x00\x00\x00\x01R", false},
		{"RCPT with NUL", "\x00\x00\x00\x05R<a>\x00", true},
		{"other code without NUL", "\x00\x00\x00\x02Hx", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mta, srv := net.Pipe()
			defer mta.Close()
			c := newBufferedListener(nil, time.Minute).wrap(srv)
			defer c.Close()
			go func() { _, _ = mta.Write([]byte(tc.packet)) }()
			got := make([]byte, len(tc.packet))
			_, err := io.ReadFull(c, got)
			if tc.ok && (err != nil || string(got) != tc.packet) {
				t.Fatalf("read %q, %v; want the packet unchanged", got, err)
			}
			if !tc.ok && !errors.Is(err, errMalformedPacket) {
				t.Fatalf("read %q, %v; want errMalformedPacket", got, err)
			}
		})
	}
}
