package main

import (
	"bufio"
	"encoding/binary"
	"net"
	"sync"
	"sync/atomic"
	"time"
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
}

// connStats counts the system calls (reads and writes of the wrapped connection) of one
// connection or of all of a listener's.
type connStats struct {
	reads, writes atomic.Int64
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

	wmu  sync.Mutex
	wbuf []byte // bytes not yet written: held modification packets, then an unfinished packet
	// The framing of what is being written: head collects the current packet's length (4
	// bytes) and code (1 byte); left is what is still to come of its data.
	head   [5]byte
	headN  int
	left   int
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
// bytes are written first.
func (c *bufferedConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.br == nil {
		return 0, net.ErrClosed
	}
	if c.br.Buffered() == 0 {
		c.wmu.Lock()
		err := c.flushHeld()
		c.wmu.Unlock()
		if err != nil {
			return 0, err
		}
	}
	return c.br.Read(p)
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
		c.left -= n
		i += n
		if c.left > 0 {
			break
		}
		// A packet ends at i.
		c.headN = 0
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
	c.rmu.Unlock()
	return err
}
