package route

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// Resolver is the DNS a mail transfer agent needs: mail exchangers and host addresses. The
// library never resolves names itself; an MTA passes a Resolver to MailHosts, and tests pass a
// StaticResolver.
//
// Contract, which NewDNSResolver and StaticResolver both follow:
//   - LookupMX returns the MX records of domain sorted by preference, then host name; host names
//     are lower case without the trailing dot. A name that exists without MX records yields an
//     empty slice and a nil error (the RFC 5321 §5.1 implicit-MX case). A null MX (RFC 7505) is
//     returned as it is, a record with Host ".": MailHosts turns it into ErrNullMX.
//   - LookupHost returns the IPv4 and IPv6 addresses of host, IPv4 first, each in ascending
//     order. A host with no address records yields a permanent *DNSError with NotFound set; an
//     IP literal is returned as it is.
//   - Errors are *DNSError values (or wrap one) so that IsTemporary and IsPermanent can tell a
//     failure worth retrying from a final one.
type Resolver interface {
	LookupMX(ctx context.Context, domain string) ([]*net.MX, error)
	LookupHost(ctx context.Context, host string) ([]netip.Addr, error)
}

// ErrNullMX is wrapped by the error MailHosts returns for a domain that publishes a null MX
// (RFC 7505 §3: "0 ."), which says that the domain accepts no mail. It is permanent.
var ErrNullMX = errors.New("route: domain accepts no mail (null MX, RFC 7505)")

// ErrNoMailHost is wrapped by the error MailHosts returns for a domain that exists but has
// neither MX nor address records (RFC 5321 §5.1: no implicit MX either). It is permanent.
var ErrNoMailHost = errors.New("route: domain has no MX and no address records")

// ErrCNAMEChain is wrapped by the error a lookup returns when a CNAME chain is longer than the
// resolver's bound or loops. It is temporary, as the SERVFAIL a recursive resolver answers for a
// CNAME loop is (RFC 1034 §3.6.2 asks resolvers to detect loops and signal an error).
var ErrCNAMEChain = errors.New("route: CNAME chain too long or looping")

// DNSError is a failed lookup: which name and type, what the server answered, and whether the
// failure is worth retrying.
type DNSError struct {
	// Name is the name that failed, without the trailing dot (at the end of a CNAME chain, the
	// last name queried).
	Name string
	// Type is the query type: "MX", "A" or "AAAA".
	Type string
	// Server is the server asked, host:port; empty for a StaticResolver.
	Server string
	// Rcode is the DNS response code (RFC 1035 §4.1.1: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN,
	// 5 REFUSED, …), or -1 when no response arrived (timeout, network error).
	Rcode int
	// NotFound is set when the name does not exist (NXDOMAIN) or has no record of the type.
	NotFound bool
	// Temporary is set when the failure may go away: SERVFAIL, REFUSED and other server errors,
	// timeouts, network errors, an overlong CNAME chain. NXDOMAIN, a missing record, a null MX
	// and an invalid name are permanent.
	Temporary bool
	// Err is the underlying cause, if any: a network or context error, ErrNullMX,
	// ErrNoMailHost, ErrCNAMEChain, or a name syntax error.
	Err error
}

func (e *DNSError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "route: lookup %s %s", e.Type, e.Name)
	if e.Server != "" {
		fmt.Fprintf(&b, " on %s", e.Server)
	}
	b.WriteString(": ")
	switch {
	case e.Err != nil && e.Rcode > 0:
		fmt.Fprintf(&b, "%s: %v", rcodeName(e.Rcode), e.Err)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	case e.Rcode > 0:
		b.WriteString(rcodeName(e.Rcode))
	case e.NotFound:
		b.WriteString("no such record")
	default:
		b.WriteString("failed")
	}
	if e.Temporary {
		b.WriteString(" (temporary)")
	} else {
		b.WriteString(" (permanent)")
	}
	return b.String()
}

// Unwrap returns Err.
func (e *DNSError) Unwrap() error { return e.Err }

// Timeout reports whether the lookup failed because no answer came in time.
func (e *DNSError) Timeout() bool {
	var ne net.Error
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &ne) && ne.Timeout())
}

// rcodeName names the response codes of RFC 1035 §4.1.1 and RFC 6895 §2.3 that matter here.
func rcodeName(rc int) string {
	switch rc {
	case 0:
		return "NOERROR"
	case 1:
		return "FORMERR"
	case 2:
		return "SERVFAIL"
	case 3:
		return "NXDOMAIN"
	case 4:
		return "NOTIMP"
	case 5:
		return "REFUSED"
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// IsTemporary reports whether err is a DNS failure worth retrying later (RFC 5321 §4.5.4.1): a
// *DNSError with Temporary set, or a deadline that passed. An MTA should treat an error that is
// neither temporary nor permanent (a cancelled context, a misconfigured resolver) as temporary.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	if de, ok := errors.AsType[*DNSError](err); ok {
		return de.Temporary
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// IsPermanent reports whether err is a final DNS answer: NXDOMAIN, no records where some are
// needed, a null MX (ErrNullMX), ErrNoMailHost, or an invalid name. Mail for such a domain
// should bounce (RFC 5321 §5.1, RFC 7505 §4.1).
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if de, ok := errors.AsType[*DNSError](err); ok {
		return !de.Temporary
	}
	return errors.Is(err, ErrNullMX) || errors.Is(err, ErrNoMailHost)
}

// MailHosts returns the hosts to deliver mail for domain to, in the order to try them, applying
// RFC 5321 §5.1 and RFC 7505:
//   - the MX records sorted by preference (ties by host name: deterministic, not randomised);
//   - a null MX ("0 .", alone or among others) is a permanent *DNSError wrapping ErrNullMX;
//   - no MX records at all: the domain itself as an implicit MX of preference 0, if it has A or
//     AAAA records; if it has none, a permanent *DNSError wrapping ErrNoMailHost;
//   - NXDOMAIN and every other lookup error are returned as they are (see IsTemporary).
//
// domain may be given in U-label or A-label form, with or without the trailing dot.
func MailHosts(ctx context.Context, r Resolver, domain string) ([]*net.MX, error) {
	name, err := queryName(domain, "MX")
	if err != nil {
		return nil, err
	}
	mxs, err := r.LookupMX(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(mxs) == 0 {
		addrs, err := r.LookupHost(ctx, name)
		if err != nil {
			if de, ok := errors.AsType[*DNSError](err); ok && de.NotFound && !de.Temporary {
				return nil, &DNSError{Name: name, Type: "MX", Server: de.Server, Rcode: de.Rcode, NotFound: true, Err: ErrNoMailHost}
			}
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, &DNSError{Name: name, Type: "MX", Rcode: 0, NotFound: true, Err: ErrNoMailHost}
		}
		return []*net.MX{{Host: name, Pref: 0}}, nil
	}
	out := make([]*net.MX, 0, len(mxs))
	for _, mx := range mxs {
		h := strings.ToLower(strings.TrimSuffix(mx.Host, "."))
		if h == "" { // RFC 7505 §3: the exchange "." is the root, the null MX
			return nil, &DNSError{Name: name, Type: "MX", Rcode: 0, Err: ErrNullMX}
		}
		out = append(out, &net.MX{Host: h, Pref: mx.Pref})
	}
	sortMX(out)
	return slices.CompactFunc(out, func(a, b *net.MX) bool { return *a == *b }), nil
}

// sortMX orders MX records by preference, then host name.
func sortMX(mxs []*net.MX) {
	slices.SortStableFunc(mxs, func(a, b *net.MX) int {
		return cmp.Or(cmp.Compare(a.Pref, b.Pref), strings.Compare(a.Host, b.Host))
	})
}

// sortAddrs orders addresses IPv4 first, each family ascending, and drops duplicates.
func sortAddrs(as []netip.Addr) []netip.Addr {
	slices.SortFunc(as, netip.Addr.Compare)
	return slices.Compact(as)
}

// queryName validates and normalises a name to look up (A-labels, lower case, no trailing dot).
// A bad name is a permanent *DNSError: no server could answer for it.
func queryName(s, typ string) (string, error) {
	d, err := tenantgate.ParseDomain(s)
	if err != nil {
		return "", &DNSError{Name: s, Type: typ, Rcode: -1, Err: err}
	}
	return string(d), nil
}
