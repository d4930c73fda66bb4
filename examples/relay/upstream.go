package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/route"
)

// upstream is the relay's SMTP session with one next hop, open for one transaction.
type upstream struct {
	c    *smtp.Client
	host string
	addr netip.Addr
	tls  bool
	// budget and key are what the session took from the next-hop budget (nexthop.go), given
	// back once by close; budget is nil for none.
	budget   *budget
	key      string
	released atomic.Bool
}

// dial opens a session with h's next hop and sends MAIL FROM: DNS (route.MailHosts for MX hops,
// unless the transaction looked them up already: mxs), then each host and address in order
// (RFC 5321 §5.1) until one greets, STARTTLS as h demands, and MAIL. Failures come back as the
// reply for the client: 4xx when a retry may succeed, 5xx when the destination refuses for good.
func (r *Relay) dial(ctx context.Context, h hop, from mailFrom, mxs []*net.MX) (*upstream, *smtp.SMTPError, error) {
	hosts := []string{h.Host}
	if h.Host == "" {
		if mxs == nil {
			var err error
			if mxs, err = route.MailHosts(ctx, r.resolver, string(h.Domain)); err != nil {
				return nil, dnsReply(string(h.Domain), err), err
			}
		}
		hosts = hosts[:0]
		for _, mx := range mxs {
			hosts = append(hosts, mx.Host)
		}
	}
	tcfg, err := r.clientConfigs.get(h, func() (*tls.Config, error) {
		return r.ids.ClientConfig(nil, h.ClientHop(), r.clientOpts)
	})
	if err != nil {
		// A configuration fault (unknown identity): retrying cannot help the message, but the
		// operator can; keep the mail at the client.
		return nil, errMisconfigured, err
	}
	last, lastErr := errNoAnswer, errNoAddress
	for _, host := range hosts {
		addrs, err := r.lookupHost(ctx, host)
		if err != nil {
			last, lastErr = errDNSTemporary(host), err
			continue
		}
		for _, a := range addrs {
			up, reply, err := r.open(ctx, h, host, a, tcfg, from)
			if err == nil {
				return up, nil, nil
			}
			if reply != nil && reply.Code/100 == 5 {
				return nil, reply, err
			}
			if reply != nil {
				last, lastErr = reply, err
			}
		}
	}
	return nil, last, lastErr
}

// maxClientConfigs bounds clientConfigs: one configuration per next hop and identity, so a
// gateway has few; past the bound they are built for each session.
const maxClientConfigs = 1024

// clientConfigs remembers the TLS client configuration tlsid.Identities.ClientConfig builds for a
// hop: the same for every session to it, shared and never changed (open clones it before use).
// The zero value is ready.
type clientConfigs struct {
	memo[clientConfigKey, *tls.Config]
}

// clientConfigKey is what ClientConfig reads of a hop (route.Hop.ClientHop); the names are
// joined with NUL, which no DNS name holds.
type clientConfigKey struct{ server, identity, verify string }

// get returns the configuration for h, calling build the first time; build's errors are not
// remembered.
func (c *clientConfigs) get(h hop, build func() (*tls.Config, error)) (*tls.Config, error) {
	return c.memo.get(clientConfigKey{h.Host, h.Identity, strings.Join(h.VerifyNames, "\x00")}, maxClientConfigs, build)
}

// errNoAddress is dial's error when no host of the hop had an address to try.
var errNoAddress = errors.New("no address")

// lookupHost returns host's addresses: host itself when it is an IP address, else the
// resolver's. Only a host that may be an address (a digit first, or a colon) is parsed as one,
// since a failed parse allocates its error.
func (r *Relay) lookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if host != "" && ('0' <= host[0] && host[0] <= '9' || strings.IndexByte(host, ':') >= 0) {
		if a, err := netip.ParseAddr(host); err == nil {
			return []netip.Addr{a}, nil
		}
	}
	return r.resolver.LookupHost(ctx, host)
}

// open connects to one address of host and goes as far as MAIL FROM. The greeting, EHLO and
// STARTTLS are spoken here (go-smtp's client has no way to send its own EHLO name before
// STARTTLS); go-smtp's client takes over on the (encrypted) connection. tcfg is the hop's TLS
// client configuration, cloned when STARTTLS is offered.
func (r *Relay) open(ctx context.Context, h hop, host string, a netip.Addr, tcfg *tls.Config, from mailFrom) (*upstream, *smtp.SMTPError, error) {
	timeout := r.limits.NextHopTimeout.Or(DefaultNextHopTimeout)
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a.String(), strconv.Itoa(r.port)))
	if err != nil {
		return nil, errNoAnswer, err
	}
	fail := func(reply *smtp.SMTPError, err error) (*upstream, *smtp.SMTPError, error) {
		conn.Close()
		return nil, reply, err
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fail(replyFor(host, err), err)
	}
	if err := tp.PrintfLine("EHLO %s", r.hostname); err != nil {
		return fail(replyFor(host, err), err)
	}
	_, ext, err := tp.ReadResponse(250)
	if err != nil {
		return fail(replyFor(host, err), err)
	}
	up := &upstream{host: host, addr: a}
	var c net.Conn = conn
	if hasExtension(ext, "STARTTLS") {
		if err := tp.PrintfLine("STARTTLS"); err != nil {
			return fail(replyFor(host, err), err)
		}
		if _, _, err := tp.ReadResponse(220); err != nil {
			return fail(replyFor(host, err), err)
		}
		tcfg = tcfg.Clone() // shared by every session to the hop (clientConfigs)
		tcfg.ServerName = host
		tc := tls.Client(conn, tcfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			if h.RequireTLS || len(h.VerifyNames) > 0 {
				return nil, errTLS, err
			}
			// Opportunistic TLS (RFC 7435 §3): a failed handshake falls back to plaintext on a new
			// connection. A hop that must be verified never gets here.
			return r.openPlain(ctx, host, a, from)
		}
		c, up.tls = tc, true
	} else if h.RequireTLS || len(h.VerifyNames) > 0 {
		return fail(errTLS, fmt.Errorf("%s offers no STARTTLS", host))
	}
	conn.SetDeadline(time.Time{})
	// The session goes on with go-smtp's client, which expects a greeting and says EHLO. After
	// STARTTLS the greeting is replayed and the client's EHLO is the one RFC 3207 §4.2 requires;
	// on a plaintext session the EHLO exchange that already took place is replayed too, so that
	// no round trip is spent on it twice.
	replay := "220 " + host + "\r\n"
	if !up.tls {
		replay += ehloReply(ext)
	}
	up.c = r.client(&greeted{Conn: c, r: io.MultiReader(strings.NewReader(replay), c), swallow: !up.tls})
	if err := up.c.Hello(r.hostname); err != nil {
		up.c.Close()
		return nil, replyFor(host, err), err
	}
	if reply, err := sendMail(up.c, host, from); err != nil {
		up.c.Close()
		return nil, reply, err
	}
	return up, nil, nil
}

func (r *Relay) client(conn net.Conn) *smtp.Client {
	c := smtp.NewClient(conn)
	c.CommandTimeout = r.limits.NextHopTimeout.Or(DefaultNextHopTimeout)
	c.SubmissionTimeout = r.limits.NextHopDataTimeout.Or(DefaultNextHopDataTimeout)
	return c
}

// greeted is a connection whose first bytes read are r's (a replayed greeting, and EHLO reply
// when swallow is set); with swallow, the client's first command line, its EHLO, is not sent.
type greeted struct {
	net.Conn
	r       io.Reader
	swallow bool
}

func (g *greeted) Read(b []byte) (int, error) { return g.r.Read(b) }

func (g *greeted) Write(b []byte) (int, error) {
	if !g.swallow {
		return g.Conn.Write(b)
	}
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 || !(bytes.HasPrefix(b, []byte("EHLO ")) || bytes.HasPrefix(b, []byte("HELO "))) {
		g.swallow = false
		return g.Conn.Write(b)
	}
	g.swallow = false
	n, err := g.Conn.Write(b[i+2:])
	return n + i + 2, err
}

// ehloReply rebuilds the multi-line 250 reply whose text net/textproto returned.
func ehloReply(text string) string {
	lines := strings.Split(text, "\n")
	var sb strings.Builder
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		sb.WriteString("250" + sep + l + "\r\n")
	}
	return sb.String()
}

func hasExtension(ehlo, name string) bool {
	for _, l := range strings.Split(ehlo, "\n") {
		kw, _, _ := strings.Cut(strings.TrimSpace(l), " ")
		if strings.EqualFold(kw, name) {
			return true
		}
	}
	return false
}

func (r *Relay) openPlain(ctx context.Context, host string, a netip.Addr, from mailFrom) (*upstream, *smtp.SMTPError, error) {
	d := net.Dialer{Timeout: r.limits.NextHopTimeout.Or(DefaultNextHopTimeout)}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a.String(), strconv.Itoa(r.port)))
	if err != nil {
		return nil, errNoAnswer, err
	}
	c := r.client(conn)
	if err := c.Hello(r.hostname); err != nil {
		c.Close()
		return nil, replyFor(host, err), err
	}
	if reply, err := sendMail(c, host, from); err != nil {
		c.Close()
		return nil, reply, err
	}
	return &upstream{c: c, host: host, addr: a}, nil, nil
}

// rcpt sends RCPT TO for to, a forward-path encodeMailbox produced, without parameters (the
// relay offers none of RCPT's extensions), and returns the client's reply on failure.
func (u *upstream) rcpt(to string) (*smtp.SMTPError, error) {
	if err := u.c.Rcpt(to, nil); err != nil {
		return replyFor(u.host, err), err
	}
	return nil, nil
}

// send transmits the message and returns the next hop's final answer.
func (u *upstream) send(write func(io.Writer) error) (string, *smtp.SMTPError, error) {
	w, err := u.c.Data()
	if err != nil {
		return "", replyFor(u.host, err), err
	}
	if err := write(w); err != nil {
		w.Close()
		return "", replyFor(u.host, err), err
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", replyFor(u.host, err), err
	}
	return resp.StatusText, nil, nil
}

// close ends the session politely; a failure is of no consequence to the message.
func (u *upstream) close() {
	if u == nil {
		return
	}
	_ = u.c.Quit()
	_ = u.c.Close()
	if u.budget != nil && !u.released.Swap(true) {
		u.budget.give(u.key, 1)
	}
}

// replyFor turns a next hop's answer or a transport error into the reply for the client: the
// next hop's class (4xx stays temporary, 5xx permanent) and enhanced code, its text quoted;
// timeouts and lost connections are temporary.
func replyFor(host string, err error) *smtp.SMTPError {
	var te *textproto.Error
	if errors.As(err, &te) {
		msg, ec := te.Msg, enhancedOf(te.Msg)
		if ec != smtp.EnhancedCodeNotSet {
			_, msg, _ = strings.Cut(msg, " ")
		}
		err = &smtp.SMTPError{Code: te.Code, EnhancedCode: ec, Message: msg}
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		out := &smtp.SMTPError{Code: se.Code, EnhancedCode: se.EnhancedCode, Message: fmt.Sprintf("%s said: %s", host, se.Message)}
		switch se.Code / 100 {
		case 4, 5:
		default:
			out.Code = 451
		}
		if out.EnhancedCode == smtp.EnhancedCodeNotSet || out.EnhancedCode == smtp.NoEnhancedCode || out.EnhancedCode[0] != out.Code/100 {
			out.EnhancedCode = smtp.EnhancedCode{out.Code / 100, 0, 0}
		}
		return out
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return errTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errTimeout
	}
	return errLost
}

// enhancedOf reads an RFC 3463 code at the start of a reply text, or returns EnhancedCodeNotSet.
func enhancedOf(msg string) smtp.EnhancedCode {
	first, _, _ := strings.Cut(msg, " ")
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return smtp.EnhancedCodeNotSet
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 999 {
			return smtp.EnhancedCodeNotSet
		}
		ec[i] = v
	}
	return ec
}
