package tenantgate

import (
	"fmt"
	"net/netip"
	"strings"
)

// IPRange is an inclusive range of addresses of one family, the form EFSkipIPs takes (a single
// IP, "first-last", or a CIDR).
type IPRange struct {
	From, To netip.Addr
}

// ParseIPRange parses "192.0.2.1", "192.0.2.1-192.0.2.9" or "192.0.2.0/24" (IPv6 likewise).
// IPv4-mapped IPv6 addresses are unmapped.
func ParseIPRange(s string) (IPRange, error) {
	if from, to, ok := strings.Cut(s, "-"); ok {
		a, err1 := netip.ParseAddr(strings.TrimSpace(from))
		b, err2 := netip.ParseAddr(strings.TrimSpace(to))
		if err1 != nil || err2 != nil {
			return IPRange{}, fmt.Errorf("range %q: want first-last IP addresses", clip(s))
		}
		a, b = a.Unmap(), b.Unmap()
		if a.Is4() != b.Is4() || b.Less(a) || a.Zone() != "" || b.Zone() != "" {
			return IPRange{}, fmt.Errorf("range %q: ends differ in family, carry a zone, or are reversed", clip(s))
		}
		return IPRange{a, b}, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return IPRange{}, fmt.Errorf("CIDR %q: %v", clip(s), err)
		}
		return prefixRange(p), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return IPRange{}, fmt.Errorf("%q is not an IP address, a first-last range or a CIDR", clip(s))
	}
	a = a.Unmap()
	return IPRange{a, a}, nil
}

func prefixRange(p netip.Prefix) IPRange {
	p = p.Masked()
	from := p.Addr()
	b := from.AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	to, _ := netip.AddrFromSlice(b)
	return IPRange{from, to}
}

// Contains reports whether a (unmapped first) lies in the range.
func (r IPRange) Contains(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	return r.From.IsValid() && a.Is4() == r.From.Is4() && !a.Less(r.From) && !r.To.Less(a)
}

// String returns "from-to", or the single address.
func (r IPRange) String() string {
	if r.From == r.To {
		return r.From.String()
	}
	return r.From.String() + "-" + r.To.String()
}

// ParseSenderIP parses one SenderIPAddresses value as Exchange Online accepts it: an IPv4 address
// or an IPv4 CIDR from /24 to /32. IPv6 is refused ("not supported").
func ParseSenderIP(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, fmt.Errorf("%q is not an IPv4 address or CIDR: %v", clip(s), err)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, fmt.Errorf("%q is not an IPv4 address or CIDR", clip(s))
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%q: Exchange Online connectors take IPv4 only", clip(s))
	}
	if p.Bits() < 24 {
		return netip.Prefix{}, fmt.Errorf("/%d is wider than Exchange Online allows (/24–/32)", p.Bits())
	}
	return p.Masked(), nil
}
