package route

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Defaults of NewDNSResolver.
const (
	// DefaultDNSTimeout bounds one query and its answer (UDP, or TCP after truncation) unless the
	// context's deadline comes first.
	DefaultDNSTimeout = 5 * time.Second
	// DefaultMaxCNAME is how many CNAME records a lookup follows before it gives up with
	// ErrCNAMEChain. Resolvers commonly follow 8 to 16.
	DefaultMaxCNAME = 8
	// DefaultUDPSize is the EDNS0 buffer size advertised over UDP: 1232 octets, the DNS Flag Day
	// 2020 value that avoids IP fragmentation.
	DefaultUDPSize = 1232
)

// DNSOptions are the options of NewDNSResolver. The zero value is the defaults.
type DNSOptions struct {
	// Timeout is the time one query may take (DefaultDNSTimeout when <= 0). The context passed to
	// a lookup bounds the whole lookup, CNAME chasing and TCP retries included.
	Timeout time.Duration
	// MaxCNAME is how many CNAME records a lookup follows: 0 means DefaultMaxCNAME, a negative
	// value that a CNAME is an error.
	MaxCNAME int
	// UDPSize is the EDNS0 UDP buffer size advertised in queries (RFC 6891); 0 means
	// DefaultUDPSize.
	UDPSize uint16
	// NoEDNS0 sends queries without EDNS0, so that answers over 512 octets come truncated and are
	// retried over TCP. UDPSize is then ignored.
	NoEDNS0 bool
	// TCP sends every query over TCP instead of trying UDP first.
	TCP bool
}

// dnsResolver is the miekg/dns implementation of Resolver.
type dnsResolver struct {
	server   string
	timeout  time.Duration
	maxCNAME int
	udpSize  uint16
	tcp      bool
}

// NewDNSResolver returns a Resolver that sends queries, recursion desired, to one server:
// "host:port", or a bare host or IP address meaning port 53 (an IPv6 address may come with or
// without brackets). It asks over UDP and repeats the query over TCP when the answer is
// truncated (RFC 7766 §5), follows CNAME chains within answers and across queries up to a bound,
// and honours the context's deadline and cancellation. It keeps no cache and no state between
// lookups, and is safe for concurrent use.
//
// An empty server is not an error here (the signature has no error): every lookup then fails
// with an error that says so.
func NewDNSResolver(server string, o DNSOptions) Resolver {
	r := &dnsResolver{server: serverAddr(server), timeout: DefaultDNSTimeout, maxCNAME: DefaultMaxCNAME, udpSize: DefaultUDPSize, tcp: o.TCP}
	if o.Timeout > 0 {
		r.timeout = o.Timeout
	}
	switch {
	case o.MaxCNAME < 0:
		r.maxCNAME = 0
	case o.MaxCNAME > 0:
		r.maxCNAME = o.MaxCNAME
	}
	switch {
	case o.NoEDNS0:
		r.udpSize = 0
	case o.UDPSize > 0:
		r.udpSize = o.UDPSize
	}
	return r
}

// serverAddr adds port 53 to a server given without one.
func serverAddr(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "53")
}

// errNoServer is returned by every lookup of a resolver made with an empty server address.
var errNoServer = errors.New("route: DNS resolver has no server address")

func (r *dnsResolver) LookupMX(ctx context.Context, domain string) ([]*net.MX, error) {
	name, err := queryName(domain, "MX")
	if err != nil {
		return nil, err
	}
	rrs, err := r.resolve(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]*net.MX, 0, len(rrs))
	for _, rr := range rrs {
		mx := rr.(*dns.MX) // resolve returns records of the asked type only
		h := hostName(mx.Mx)
		if h == "" {
			h = "." // the null MX (RFC 7505) stays recognisable
		}
		out = append(out, &net.MX{Host: h, Pref: mx.Preference})
	}
	sortMX(out)
	return out, nil
}

func (r *dnsResolver) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	name, err := queryName(host, "A")
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	var firstErr error
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		rrs, err := r.resolve(ctx, name, qt)
		if err != nil {
			if de, ok := errors.AsType[*DNSError](err); ok && de.Rcode == dns.RcodeNameError {
				return nil, err // the name does not exist: no point asking for AAAA
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, rr := range rrs {
			switch v := rr.(type) {
			case *dns.A:
				if a, ok := netip.AddrFromSlice(v.A); ok {
					addrs = append(addrs, a.Unmap())
				}
			case *dns.AAAA:
				if a, ok := netip.AddrFromSlice(v.AAAA); ok {
					addrs = append(addrs, a)
				}
			}
		}
	}
	if len(addrs) > 0 {
		return sortAddrs(addrs), nil // one family answered: usable, as net.Resolver does
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, &DNSError{Name: name, Type: "A", Server: r.server, Rcode: dns.RcodeSuccess, NotFound: true}
}

// resolve returns the records of type qt for name, following CNAMEs. A name without such
// records (NODATA) yields nil and no error.
func (r *dnsResolver) resolve(ctx context.Context, name string, qt uint16) ([]dns.RR, error) {
	typ := dns.TypeToString[qt]
	if r.server == "" {
		return nil, &DNSError{Name: name, Type: typ, Rcode: -1, Temporary: true, Err: errNoServer}
	}
	cur := dns.Fqdn(name)
	budget := r.maxCNAME
	for {
		resp, err := r.exchange(ctx, cur, qt)
		if err != nil {
			return nil, &DNSError{Name: hostName(cur), Type: typ, Server: r.server, Rcode: -1, Temporary: true, Err: err}
		}
		switch resp.Rcode {
		case dns.RcodeSuccess:
		case dns.RcodeNameError:
			return nil, &DNSError{Name: hostName(cur), Type: typ, Server: r.server, Rcode: resp.Rcode, NotFound: true}
		default: // SERVFAIL, REFUSED, FORMERR, NOTIMP, …: the server could not answer, retry later
			return nil, &DNSError{Name: hostName(cur), Type: typ, Server: r.server, Rcode: resp.Rcode, Temporary: true}
		}
		rrs, final, used, err := answerRecords(resp, cur, qt, budget)
		if err != nil {
			return nil, &DNSError{Name: hostName(final), Type: typ, Server: r.server, Rcode: resp.Rcode, Temporary: true, Err: err}
		}
		if len(rrs) > 0 || final == cur {
			return rrs, nil
		}
		// The answer ends in a CNAME whose target it does not resolve (an authoritative
		// server's answer, or a chain into another zone): ask for the target.
		budget -= used
		cur = final
	}
}

// answerRecords follows the CNAME chain from name through msg's answer section and returns the
// records of type qt owned by the end of the chain, the name the chain ends at, and how many
// CNAME records it followed. More than budget CNAMEs (a loop always is) is ErrCNAMEChain.
func answerRecords(msg *dns.Msg, name string, qt uint16, budget int) (rrs []dns.RR, final string, used int, err error) {
	cur := name
	for {
		var target string
		for _, rr := range msg.Answer {
			h := rr.Header()
			if h.Class != dns.ClassINET || !strings.EqualFold(h.Name, cur) {
				continue
			}
			switch {
			case h.Rrtype == qt:
				rrs = append(rrs, rr)
			case h.Rrtype == dns.TypeCNAME && target == "":
				target = rr.(*dns.CNAME).Target
			}
		}
		if len(rrs) > 0 || target == "" {
			return rrs, cur, used, nil
		}
		used++
		if used > budget {
			return nil, cur, used, fmt.Errorf("%w: more than %d CNAME records from %s", ErrCNAMEChain, budget, hostName(name))
		}
		cur = dns.Fqdn(target)
	}
}

// exchange sends one query for name and type qt, over UDP first (unless DNSOptions.TCP) and over
// TCP when the UDP answer is truncated, and checks that the answer is for that question.
func (r *dnsResolver) exchange(ctx context.Context, name string, qt uint16) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(name, qt)
	nw := "udp"
	if r.tcp {
		nw = "tcp"
	} else if r.udpSize > 0 {
		q.SetEdns0(r.udpSize, false)
	}
	resp, err := r.exchangeOver(ctx, nw, q)
	if err == nil && resp.Truncated && nw == "udp" {
		resp, err = r.exchangeOver(ctx, "tcp", q)
	}
	if err != nil {
		return nil, err
	}
	if len(resp.Question) != 1 || resp.Question[0].Qtype != qt || !strings.EqualFold(resp.Question[0].Name, name) {
		return nil, fmt.Errorf("route: answer from %s is not for the question %s %s", r.server, name, dns.TypeToString[qt])
	}
	return resp, nil
}

// exchangeOver performs one exchange over network nw. miekg/dns honours only the context's
// deadline, so a cancellation closes the connection to end a blocked read.
func (r *dnsResolver) exchangeOver(ctx context.Context, nw string, q *dns.Msg) (*dns.Msg, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &dns.Client{Net: nw, Timeout: r.timeout}
	conn, err := c.DialContext(ctx, r.server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, q, conn)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return nil, err
	}
	return resp, nil
}

// hostName returns a DNS name lower case without the trailing dot.
func hostName(fqdn string) string { return strings.ToLower(strings.TrimSuffix(fqdn, ".")) }
