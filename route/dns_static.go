package route

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// StaticResolver is an in-memory Resolver for tests, simulations and examples (the MockResolver
// pattern of mjl-/mox). It follows the Resolver contract: results come sorted and as copies, and
// errors are *DNSError values like those of NewDNSResolver.
//
// Map keys are names in A-label form, lower case, without the trailing dot. A name exists when it
// is a key of MX or Hosts; any other name is NXDOMAIN. The zero value knows no names.
type StaticResolver struct {
	// MX maps a domain to its MX records. A null MX is {Host: ".", Pref: 0}.
	MX map[string][]*net.MX
	// Hosts maps a host name to its A and AAAA addresses.
	Hosts map[string][]netip.Addr
	// Fail lists names whose every lookup fails with SERVFAIL (temporary).
	Fail map[string]bool
}

// LookupMX implements Resolver.
func (s StaticResolver) LookupMX(ctx context.Context, domain string) ([]*net.MX, error) {
	name, err := s.check(ctx, domain, "MX")
	if err != nil {
		return nil, err
	}
	mxs, ok := s.MX[name]
	if !ok {
		if _, exists := s.Hosts[name]; exists {
			return []*net.MX{}, nil // NODATA
		}
		return nil, &DNSError{Name: name, Type: "MX", Rcode: 3, NotFound: true}
	}
	out := make([]*net.MX, 0, len(mxs))
	for _, mx := range mxs {
		if mx == nil {
			continue
		}
		h := strings.ToLower(strings.TrimSuffix(mx.Host, "."))
		if h == "" {
			h = "."
		}
		out = append(out, &net.MX{Host: h, Pref: mx.Pref})
	}
	sortMX(out)
	return out, nil
}

// LookupHost implements Resolver.
func (s StaticResolver) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	name, err := s.check(ctx, host, "A")
	if err != nil {
		return nil, err
	}
	addrs, ok := s.Hosts[name]
	if len(addrs) > 0 {
		return sortAddrs(slices.Clone(addrs)), nil
	}
	if _, exists := s.MX[name]; ok || exists {
		return nil, &DNSError{Name: name, Type: "A", Rcode: 0, NotFound: true}
	}
	return nil, &DNSError{Name: name, Type: "A", Rcode: 3, NotFound: true}
}

// check normalises name and applies the context and Fail.
func (s StaticResolver) check(ctx context.Context, name, typ string) (string, error) {
	n, err := queryName(name, typ)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", &DNSError{Name: n, Type: typ, Rcode: -1, Temporary: true, Err: err}
	}
	if s.Fail[n] {
		return "", &DNSError{Name: n, Type: typ, Rcode: 2, Temporary: true}
	}
	return n, nil
}
