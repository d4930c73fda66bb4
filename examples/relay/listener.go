package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Listener wraps ln so that the relay's connection limits and timeouts apply to every connection
// it accepts (README.md, "Limits"): a connection over MaxConnections or MaxConnectionsPerIP is
// answered 421 4.7.0 and closed before go-smtp sees it. Serve the relay's Server on it.
func (r *Relay) Listener(ln net.Listener) net.Listener { return &listener{Listener: ln, r: r} }

type listener struct {
	net.Listener
	r *Relay
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := clientIP(c.RemoteAddr())
		if !l.r.connBudget.take(ip, 1) {
			l.r.log.Warn("connection refused", "client", ip, "reply", errTooManyConnections.Message)
			go refuse(c, l.r.limits.WriteTimeout.Or(DefaultTimeout))
			continue
		}
		return &clientConn{Conn: c, r: l.r, ip: ip}, nil
	}
}

// refuse answers a connection over the limits with 421 4.7.0 (RFC 5321 §3.8: 421 and close) and
// closes it. A short write deadline bounds the goroutine: a fresh connection takes a line at once.
func refuse(c net.Conn, timeout time.Duration) {
	c.SetWriteDeadline(time.Now().Add(min(timeout, 2*time.Second)))
	c.Write([]byte(replyLine(errTooManyConnections)))
	c.Close()
}

// replyLine is e as one reply line, for the places the relay writes to the client itself.
func replyLine(e *smtp.SMTPError) string {
	ec := e.EnhancedCode
	return fmt.Sprintf("%d %d.%d.%d %s\r\n", e.Code, ec[0], ec[1], ec[2], e.Message)
}

// clientIP is the key of a client's per-address budgets: its IPv4 address, or the /64 of its IPv6
// address — one IPv6 subscriber holds a whole /64 (RFC 6177), so counting single addresses would
// bound nothing.
func clientIP(a net.Addr) string {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return a.String()
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// clientConn is one client connection under the relay's limits. go-smtp sets a read deadline
// before it reads each command line (Server.ReadTimeout is never zero here); clientConn counts
// those calls as commands and replaces the deadline by the one the session's state calls for:
// IdleTimeout outside a transaction, ReadTimeout inside one. crypto/tls passes the call through,
// so this holds after STARTTLS too.
type clientConn struct {
	net.Conn
	r        *Relay
	ip       string
	inTx     atomic.Bool
	commands int64                     // only the connection's goroutine touches it
	smtp     atomic.Pointer[smtp.Conn] // set at the first session, to answer on the TLS layer
	once     sync.Once
}

// connOf returns the clientConn beneath c's connection, or nil when the server was not served on
// the relay's Listener.
func connOf(c *smtp.Conn) *clientConn {
	nc := c.Conn()
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	cc, _ := nc.(*clientConn)
	return cc
}

func (c *clientConn) SetReadDeadline(time.Time) error {
	c.commands++
	if c.commands > int64(c.r.limits.MaxCommands) {
		c.r.log.Warn("connection closed", "client", c.ip, "reply", errTooManyCommands.Message)
		if sc := c.smtp.Load(); sc != nil {
			c.Conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			sc.Conn().Write([]byte(replyLine(errTooManyCommands)))
		}
		c.Close()
		return net.ErrClosed // go-smtp ends the connection without a further reply
	}
	d := c.r.limits.IdleTimeout.Or(DefaultIdleTimeout)
	if c.inTx.Load() {
		d = c.r.limits.ReadTimeout.Or(DefaultTimeout)
	}
	return c.Conn.SetReadDeadline(time.Now().Add(d))
}

// dataDeadline sets the read deadline for the next read of a message: DataBlockTimeout from now,
// but never after end.
func (c *clientConn) dataDeadline(end time.Time) {
	dl := time.Now().Add(c.r.limits.DataBlockTimeout.Or(DefaultDataBlockTimeout))
	if end.Before(dl) {
		dl = end
	}
	c.Conn.SetReadDeadline(dl)
}

func (c *clientConn) Close() error {
	c.once.Do(func() { c.r.connBudget.give(c.ip, 1) })
	return c.Conn.Close()
}
