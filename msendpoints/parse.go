package msendpoints

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// Bounds of what Parse reads. The worldwide list of 2024 is 45 kB with 107 endpoint sets, none
// with more than 60 ranges.
const (
	MaxBytes        = 8 << 20
	MaxSets         = 10000
	MaxRangesPerSet = 10000
)

// EndpointSet is one record of the endpoints web method: an endpoint set. Fields the library
// does not use (expressRoute, notes, …) are ignored.
type EndpointSet struct {
	// ID is the immutable ID of the endpoint set.
	ID int
	// ServiceArea is Common, Exchange, SharePoint or Skype.
	ServiceArea string
	// Category is Optimize, Allow or Default.
	Category string
	// URLs are the set's host names and wildcards, as published.
	URLs []string
	// IPs are the set's ranges, masked, IPv4-mapped IPv6 unmapped.
	IPs []netip.Prefix
	// TCPPorts are the set's TCP ports, as published: single ports and "a-b" ranges.
	TCPPorts []PortRange
}

// PortRange is an inclusive range of ports; a single port has From == To.
type PortRange struct{ From, To uint16 }

// HasTCPPort reports whether the set lists TCP port p.
func (s EndpointSet) HasTCPPort(p uint16) bool {
	for _, r := range s.TCPPorts {
		if r.From <= p && p <= r.To {
			return true
		}
	}
	return false
}

// rawSet is an endpoint set as published.
type rawSet struct {
	ID          *int     `json:"id"`
	ServiceArea string   `json:"serviceArea"`
	Category    string   `json:"category"`
	URLs        []string `json:"urls"`
	IPs         []string `json:"ips"`
	TCPPorts    string   `json:"tcpPorts"`
}

// Parse reads the output of the endpoints web method: a JSON array of endpoint sets. Unknown
// fields are ignored (Microsoft may add some); a set without an id, a duplicate id, a range that
// is no CIDR or a malformed port list is an error naming the set (its index and id) and the
// value. The service's error object ({"error": …}, sent for example with HTTP 429) is reported
// as such.
func Parse(data []byte) ([]EndpointSet, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("msendpoints: larger than %d bytes", MaxBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var e struct {
			Error any `json:"error"`
		}
		if json.Unmarshal(t, &e) == nil && e.Error != nil {
			return nil, fmt.Errorf("msendpoints: the web service answered with an error, not an endpoint list: %.200v", e.Error)
		}
		return nil, errors.New("msendpoints: a JSON object, not the endpoint list (a JSON array): is this the endpoints web method's output?")
	}
	var raw []rawSet
	if err := jsonstrict.DecodeOpen(data, &raw); err != nil {
		return nil, fmt.Errorf("msendpoints: %w", err)
	}
	if len(raw) > MaxSets {
		return nil, fmt.Errorf("msendpoints: %d endpoint sets, more than %d", len(raw), MaxSets)
	}
	out := make([]EndpointSet, 0, len(raw))
	seen := make(map[int]int, len(raw))
	var errs []error
	for i, r := range raw {
		where := fmt.Sprintf("endpoint set [%d]", i)
		if r.ID == nil {
			errs = append(errs, fmt.Errorf("msendpoints: %s: id missing", where))
			continue
		}
		where = fmt.Sprintf("endpoint set [%d] (id %d)", i, *r.ID)
		if j, dup := seen[*r.ID]; dup {
			errs = append(errs, fmt.Errorf("msendpoints: %s: id also used by endpoint set [%d]", where, j))
			continue
		}
		seen[*r.ID] = i
		if len(r.IPs) > MaxRangesPerSet {
			errs = append(errs, fmt.Errorf("msendpoints: %s: %d ranges, more than %d", where, len(r.IPs), MaxRangesPerSet))
			continue
		}
		s := EndpointSet{ID: *r.ID, ServiceArea: r.ServiceArea, Category: r.Category, URLs: r.URLs}
		for k, ip := range r.IPs {
			p, err := netip.ParsePrefix(ip)
			if err != nil || p.Addr().Zone() != "" {
				errs = append(errs, fmt.Errorf("msendpoints: %s: ips[%d] %q is not a CIDR range", where, k, clip(ip)))
				continue
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			s.IPs = append(s.IPs, p.Masked())
		}
		ports, err := parsePorts(r.TCPPorts)
		if err != nil {
			errs = append(errs, fmt.Errorf("msendpoints: %s: tcpPorts: %w", where, err))
		}
		s.TCPPorts = ports
		out = append(out, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// parsePorts reads "25", "80,443" or "1-3,5": comma-separated ports or dash ranges, as the web
// service documents tcpPorts. Empty is no ports.
func parsePorts(s string) ([]PortRange, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > 1000 {
		return nil, fmt.Errorf("%d ports, more than 1000", len(parts))
	}
	out := make([]PortRange, 0, len(parts))
	for _, f := range parts {
		f = strings.TrimSpace(f)
		a, b, isRange := strings.Cut(f, "-")
		from, err1 := port(a)
		to := from
		var err2 error
		if isRange {
			to, err2 = port(b)
		}
		if err1 != nil || err2 != nil || to < from {
			return nil, fmt.Errorf("%q is not a port (1-65535) or a range of ports", clip(f))
		}
		out = append(out, PortRange{from, to})
	}
	return out, nil
}

func port(s string) (uint16, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	if err != nil || n == 0 {
		return 0, errors.New("bad port")
	}
	return uint16(n), nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
