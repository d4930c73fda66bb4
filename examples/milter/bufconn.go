package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/d--j/go-milter"
)

// go-milter reads every packet with two unbuffered reads (its length, then the rest) and writes
// every reply with two writes (length and code, then the data): four system calls where one read
// serves many packets and one write a whole reply. bufferedListener fixes that below go-milter,
// without changing it: its connections read through a buffer and coalesce what go-milter writes.
//
// The rule that keeps this safe: nothing the MTA may be waiting for stays in the buffer. The
// write side follows the milter packet framing (a 4-byte length, then the command code and its
// data) and writes out every complete packet at once, except the modification packets (add,
// change or insert a header, recipients, body, sender, quarantine), which the protocol sends only
// at the end of the message, each followed by a final reply that the MTA waits for: they are
// held and go out in the same write as that reply. As a second guard, anything still held is
// written before a read that has to wait for the MTA, and when the connection closes.

// Sizes of the buffers of a bufferedConn.
const (
	// connReadBuffer holds many header packets (most fields are under 1 KB) when the MTA
	// sends the fields without waiting (SMFIP_NR_HDR, quietStages); a packet longer than the
	// buffer is read straight into go-milter's. 16 KiB, which takes a whole 75-field block,
	// added about 4 MiB of RSS at 128 connections for no measurable gain.
	connReadBuffer = 4 << 10
	// connHoldLimit bounds the bytes held back; beyond it they are written out at once.
	connHoldLimit = 64 << 10
	// connWriteKeep is the largest write buffer kept for the next packet or connection.
	connWriteKeep = 4 << 10
)

// bufferedListener wraps a listener: every connection it accepts is a bufferedConn. Its buffers
// are recycled from closed connections. The counters sum the system calls of all connections.
type bufferedListener struct {
	net.Listener
	// flushTimeout bounds a write of held bytes that no caller's write deadline covers (before
	// a read, at close); 0: none.
	flushTimeout time.Duration
	readers      sync.Pool // *bufio.Reader
	writers      sync.Pool // *[]byte
	stats        connStats
	// noTap turns the header tap off (headertap.go): every packet goes to go-milter.
	noTap bool
}

// connStats counts the system calls (reads and writes of the wrapped connection) of one
// connection or of all of a listener's.
type connStats struct {
	reads, writes atomic.Int64
	// tapped counts the header packets (and their macros) handed to the filter directly.
	tapped atomic.Int64
}

// newBufferedListener wraps ln; flushTimeout is bufferedListener.flushTimeout.
func newBufferedListener(ln net.Listener, flushTimeout time.Duration) *bufferedListener {
	return &bufferedListener{Listener: ln, flushTimeout: flushTimeout}
}

// Accept waits for the next connection and wraps it.
func (l *bufferedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.wrap(c), nil
}

// wrap makes c a bufferedConn with recycled buffers.
func (l *bufferedListener) wrap(c net.Conn) *bufferedConn {
	bc := &bufferedConn{Conn: c, l: l}
	bc.src = countingReader{c: c, l: l}
	if r, ok := l.readers.Get().(*bufio.Reader); ok {
		r.Reset(&bc.src)
		bc.br = r
	} else {
		bc.br = bufio.NewReaderSize(&bc.src, connReadBuffer)
	}
	if w, ok := l.writers.Get().(*[]byte); ok {
		bc.wbuf = (*w)[:0]
	}
	return bc
}

// countingReader reads from the wrapped connection and counts the reads.
type countingReader struct {
	c net.Conn
	l *bufferedListener
}

func (r *countingReader) Read(p []byte) (int, error) {
	r.l.stats.reads.Add(1)
	return r.c.Read(p)
}

// bufferedConn is a connection of a bufferedListener (see there). It is safe for one reader and
// one writer (go-milter's session) plus Close from another goroutine (go-milter's Shutdown).
type bufferedConn struct {
	net.Conn
	l   *bufferedListener
	src countingReader

	rmu sync.Mutex
	br  *bufio.Reader // nil once closed
	// The read side follows the packet framing too: rleft is what go-milter has still to read
	// of the packet it is reading (0: it is at the start of the next one); unframed: the framing
	// was lost to a read error, and nothing is tapped any more.
	rleft    int
	unframed bool
	rerr     error // the read error a peek met: no peek reads again after it
	// The header tap (headertap.go): hdrQuiet is set once the negotiation's reply said the MTA
	// sends header fields without waiting for a reply; token and synth are the connection's
	// token and made-up header packet, synthLeft what go-milter has still to read of it; sink
	// is the filter attached for the current run of header packets.
	hdrQuiet  atomic.Bool
	token     string
	synth     []byte
	synthLeft int
	sink      headerSink
	// awaiting: the made-up packet went to go-milter, no filter attached yet; tapOff: the tap
	// is off for this connection.
	awaiting, tapOff bool
	// rto is the read timeout go-milter set for the packet it is reading (SetReadDeadline): the
	// tap gives every packet it takes the same time again.
	rto time.Duration

	wmu  sync.Mutex
	wbuf []byte // bytes not yet written: held modification packets, then an unfinished packet
	// The framing of what is being written: head collects the current packet's length (4
	// bytes) and code (1 byte); left is what is still to come of its data.
	head  [5]byte
	headN int
	left  int
	// opt collects the first 12 data bytes of a negotiation reply (SMFIC_OPTNEG: version,
	// actions, protocol).
	opt    [12]byte
	optN   int
	werr   error // the first write error: every later write fails with it
	closed bool
}

// modification reports whether a milter reply code is a modification action: sent only at the
// end of the message and always followed by a final reply, so it may wait for that reply.
func modification(code byte) bool {
	switch code {
	case '+', '-', 'b', 'h', 'm', 'i', 'q', 'e', '2': // SMFIR_ADDRCPT … SMFIR_ADDRCPT_PAR
		return true
	}
	return false
}

// Read reads from the buffer; when the buffer is empty and the read has to wait for the MTA, held
// bytes are written first. At the start of a packet it first hands header packets to the
// filter (tapHeaders).
func (c *bufferedConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.br == nil {
		return 0, net.ErrClosed
	}
	if c.synthLeft > 0 {
		n := copy(p, c.synth[len(c.synth)-c.synthLeft:])
		c.synthLeft -= n
		return n, nil
	}
	if c.rleft == 0 && !c.unframed {
		if c.tapHeaders() {
			n := copy(p, c.synth)
			c.synthLeft = len(c.synth) - n
			return n, nil
		}
		// A packet for go-milter: its length says where the next one starts.
		c.sink = nil
		b, err := c.peek(4)
		if err != nil {
			c.unframed = true
			if c.br.Buffered() == 0 {
				return 0, err
			}
		} else {
			c.rleft = 4 + int(binary.BigEndian.Uint32(b))
			if err := c.checkPacket(c.rleft - 4); err != nil {
				return 0, err
			}
		}
	}
	if c.br.Buffered() == 0 {
		c.wmu.Lock()
		err := c.flushHeld()
		c.wmu.Unlock()
		if err != nil {
			return 0, err
		}
	}
	if !c.unframed {
		p = p[:min(len(p), c.rleft)]
	}
	n, err := c.br.Read(p)
	if !c.unframed {
		c.rleft -= n
	}
	return n, err
}

// peek returns the next n bytes of the MTA's stream without consuming them, reading (after
// writing out what is held, and with the read timeout of a packet of its own, as go-milter
// gives every packet) when fewer are buffered. n is at most the buffer's size.
func (c *bufferedConn) peek(n int) ([]byte, error) {
	if n > c.br.Size() {
		return nil, bufio.ErrBufferFull
	}
	if c.br.Buffered() < n {
		if c.rerr != nil {
			return nil, c.rerr
		}
		c.wmu.Lock()
		err := c.flushHeld()
		c.wmu.Unlock()
		if err != nil {
			return nil, err
		}
		if c.rto > 0 {
			_ = c.Conn.SetReadDeadline(time.Now().Add(c.rto))
		}
	}
	b, err := c.br.Peek(n)
	if err != nil && err != bufio.ErrBufferFull {
		c.rerr = err // bufio.Reader reports a read error once: keep it for the next peek
	}
	return b, err
}

// tapHeaders is called at the start of a packet: while the next packets are header fields the
// tap can take (tapNext), it hands them to the attached filter. Before the first of a run, when
// no filter is attached, it returns true: the caller then passes go-milter the made-up header
// packet, whose Header callback attaches the filter.
func (c *bufferedConn) tapHeaders() bool {
	if c.l.noTap || !c.hdrQuiet.Load() {
		return false
	}
	if c.tapOff {
		return false
	}
	for {
		n, name, value, ok := c.tapNext()
		if !ok {
			return false
		}
		if c.sink == nil {
			if c.awaiting {
				// The made-up packet went to go-milter and no filter attached: not this
				// package's filter. Nothing more is tapped on this connection.
				c.tapOff = true
				return false
			}
			if c.token == "" && tapConns.register(c) != nil {
				c.tapOff = true
				return false
			}
			c.awaiting = true
			return true
		}
		c.sink.tapField(name, value)
		_, _ = c.br.Discard(n)
		c.l.stats.tapped.Add(1)
	}
}

// tapNext looks at the next packet: an SMFIC_HEADER go-milter would take (headerPacket), or the
// header stage's macros (SMFIC_MACRO for SMFIC_HEADER, which go-milter keeps until that header's
// callback is done and then drops) followed by one. It returns the bytes they take, the field,
// and ok. It waits for the MTA only for bytes of a packet the MTA has begun, or for the packet
// that follows macros (the MTA sends the command right after its macros).
func (c *bufferedConn) tapNext() (n int, name, value []byte, ok bool) {
	b, err := c.peek(4)
	if err != nil || binary.BigEndian.Uint32(b) == 0 {
		return 0, nil, nil, false
	}
	if b, err = c.peek(5); err != nil {
		return 0, nil, nil, false
	}
	switch b[4] {
	case 'L':
	case 'D':
		// The macros packet (its first data byte the command it is for), then the header
		// packet after it.
		m := 4 + int(binary.BigEndian.Uint32(b))
		if m < 6 {
			return 0, nil, nil, false
		}
		if b, err = c.peek(6); err != nil || b[5] != 'L' {
			return 0, nil, nil, false
		}
		if b, err = c.peek(m + 5); err != nil || binary.BigEndian.Uint32(b[m:]) == 0 || b[m+4] != 'L' {
			return 0, nil, nil, false
		}
		n = m
	default:
		return 0, nil, nil, false
	}
	end := n + 4 + int(binary.BigEndian.Uint32(b[n:]))
	if b, err = c.peek(end); err != nil {
		return 0, nil, nil, false
	}
	name, value, ok = headerPacket(b[n+5 : end])
	return end, name, value, ok
}

// attach attaches the filter that go-milter passed the made-up header packet (headertap.go).
func (c *bufferedConn) attach(s headerSink) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.br != nil {
		c.sink, c.awaiting = s, false
	}
}

// SetReadDeadline sets the wrapped connection's read deadline and keeps the timeout it means
// for the packets the header tap takes.
func (c *bufferedConn) SetReadDeadline(t time.Time) error {
	c.rto = 0
	if !t.IsZero() {
		c.rto = time.Until(t)
	}
	return c.Conn.SetReadDeadline(t)
}

// Write takes p into the write buffer and writes out every complete packet that is not a held
// modification, together with the modifications before it, in one write. It returns len(p) or
// the write's error.
func (c *bufferedConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return 0, c.werr
	}
	if c.closed {
		return 0, net.ErrClosed
	}
	start := len(c.wbuf)
	c.wbuf = append(c.wbuf, p...)
	out := -1 // end of the last complete packet that must go out now
	for i := start; i < len(c.wbuf); {
		if c.headN < len(c.head) {
			n := copy(c.head[c.headN:], c.wbuf[i:])
			c.headN += n
			i += n
			if c.headN < len(c.head) {
				break
			}
			// The length counts the code, which head already holds.
			c.left = int(binary.BigEndian.Uint32(c.head[:4])) - 1
			if c.left < 0 {
				c.left = 0
			}
		}
		n := min(c.left, len(c.wbuf)-i)
		if c.head[4] == 'O' && c.optN < len(c.opt) {
			c.optN += copy(c.opt[c.optN:], c.wbuf[i:i+n])
		}
		c.left -= n
		i += n
		if c.left > 0 {
			break
		}
		// A packet ends at i.
		c.headN = 0
		if c.head[4] == 'O' {
			// The negotiation's reply: the protocol options in force.
			proto := milter.OptProtocol(binary.BigEndian.Uint32(c.opt[8:]))
			c.hdrQuiet.Store(c.optN == len(c.opt) && proto&milter.OptNoHeaderReply != 0)
			c.optN = 0
		}
		if !modification(c.head[4]) {
			out = i
		}
	}
	if out < 0 && len(c.wbuf) > connHoldLimit {
		out = len(c.wbuf)
	}
	if out >= 0 {
		if err := c.writeOut(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// writeOut writes the first n bytes of wbuf in one write and keeps the rest; it is called with
// wmu held.
func (c *bufferedConn) writeOut(n int) error {
	c.l.stats.writes.Add(1)
	if _, err := c.Conn.Write(c.wbuf[:n]); err != nil {
		c.werr = err
		return err
	}
	rest := copy(c.wbuf, c.wbuf[n:])
	c.wbuf = c.wbuf[:rest]
	if rest == 0 && cap(c.wbuf) > connWriteKeep {
		c.wbuf = nil
	}
	return nil
}

// flushHeld writes out the whole write buffer (held packets, and the start of a packet still
// being written) under flushTimeout; it is called with wmu held.
func (c *bufferedConn) flushHeld() error {
	if c.werr != nil {
		return c.werr
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	if c.l.flushTimeout > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.l.flushTimeout))
		defer c.Conn.SetWriteDeadline(time.Time{})
	}
	return c.writeOut(len(c.wbuf))
}

// Close writes out what is held (unless a write is under way in another goroutine: Close must
// not wait for it), closes the connection, which ends any read or write that waits, and gives the
// buffers back for the next connection.
func (c *bufferedConn) Close() error {
	if c.wmu.TryLock() {
		if !c.closed {
			_ = c.flushHeld()
		}
		c.closed = true
		c.wmu.Unlock()
	}
	err := c.Conn.Close()
	c.wmu.Lock()
	c.closed = true
	if c.wbuf != nil && cap(c.wbuf) <= connWriteKeep {
		b := c.wbuf[:0]
		c.l.writers.Put(&b)
	}
	c.wbuf = nil
	c.wmu.Unlock()
	c.rmu.Lock()
	if c.br != nil {
		c.br.Reset(nil)
		c.l.readers.Put(c.br)
		c.br = nil
	}
	c.sink = nil
	tapConns.unregister(c)
	c.rmu.Unlock()
	return err
}

// errMalformedPacket ends a connection whose MTA sent a packet go-milter v0.10.1 cannot take
// without panicking (docs/go-milter-patches.md): a panic would end the whole milter process, so
// the connection is closed instead and the MTA applies its default action for a failed milter.
var errMalformedPacket = errors.New("milter: malformed packet from the MTA")

// checkPacket refuses, before go-milter reads it, a packet of length n (its code and data) that
// go-milter v0.10.1 panics on (session.go): one with no code (length 0); an SMFIC_MAIL or
// SMFIC_RCPT whose data holds no NUL (the address's terminator); an SMFIC_CONNECT whose data
// holds no NUL or nothing after the host name's (the protocol family). Those three commands are
// small (a host name, an SMTP command's arguments); one that does not fit the read buffer is
// refused as well.
func (c *bufferedConn) checkPacket(n int) error {
	if n == 0 {
		return errMalformedPacket
	}
	b, err := c.peek(5)
	if err != nil {
		return nil // the read that follows reports it
	}
	code := b[4]
	if code != 'C' && code != 'M' && code != 'R' {
		return nil
	}
	if 4+n > c.br.Size() {
		return errMalformedPacket
	}
	p, err := c.peek(4 + n)
	if err != nil {
		return nil
	}
	data := p[5:]
	i := bytes.IndexByte(data, 0)
	if i < 0 || code == 'C' && i+1 >= len(data) {
		return errMalformedPacket
	}
	return nil
}
