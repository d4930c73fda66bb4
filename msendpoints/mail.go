package msendpoints

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// SMTPPort is the port Exchange Online sends mail to other servers on.
const SMTPPort = 25

// Mail is what MailNetworks picks from a list: the ranges of the endpoint sets Exchange Online
// sends mail from.
type Mail struct {
	// SetIDs are the IDs of the sets taken, in list order (worldwide: 10).
	SetIDs []int
	// Networks are their ranges, sorted, duplicates and ranges inside another removed.
	Networks []netip.Prefix
	// URLs are the sets' names (worldwide: *.mail.protection.outlook.com), for a check that the
	// list is of the expected cloud.
	URLs []string
}

// MailNetworks picks the mail endpoint sets: service area Exchange, TCP port 25 and at least one
// range. ids, when given, must name exactly the sets taken (pin them when a change of the list
// should be noticed rather than followed). A list without such a set is an error, never an empty
// result: an empty exchangeOnline.networks would refuse all mail.
func MailNetworks(sets []EndpointSet, ids ...int) (Mail, error) {
	var m Mail
	for _, s := range sets {
		if s.ServiceArea != "Exchange" || !s.HasTCPPort(SMTPPort) || len(s.IPs) == 0 {
			continue
		}
		m.SetIDs = append(m.SetIDs, s.ID)
		m.Networks = append(m.Networks, s.IPs...)
		m.URLs = append(m.URLs, s.URLs...)
	}
	if len(m.SetIDs) == 0 {
		return Mail{}, errors.New("msendpoints: no Exchange endpoint set with TCP port 25 and IP ranges: is this the endpoints web method's output (not a changes list, not NoIPv6 … ServiceAreas without Exchange)?")
	}
	if len(ids) > 0 {
		want := slices.Clone(ids)
		got := slices.Clone(m.SetIDs)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			return Mail{}, fmt.Errorf("msendpoints: the mail endpoint sets are %v, not the %v asked for", m.SetIDs, ids)
		}
	}
	m.Networks = minimal(m.Networks)
	slices.Sort(m.URLs)
	m.URLs = slices.Compact(m.URLs)
	return m, nil
}

// minimal sorts prefixes (IPv4 first, by address, wider first) and drops those inside another.
func minimal(in []netip.Prefix) []netip.Prefix {
	ps := slices.Clone(in)
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Overlaps(p) && out[n-1].Bits() <= p.Bits() {
			continue
		}
		out = append(out, p)
	}
	return out
}

// MatchesCloud reports whether the sets' names belong to cloud c: one of them is the cloud's
// default certificate name or a parent of it (worldwide *.mail.protection.outlook.com, GCC High
// and DoD *.protection.office365.us, 21Vianet *.protection.partner.outlook.cn). A list downloaded
// for another instance does not match.
func (m Mail) MatchesCloud(c tenantgate.Cloud) bool {
	for _, name := range tenantgate.DefaultEXOCertNamesFor(c) {
		for _, u := range m.URLs {
			base := strings.ToLower(strings.TrimPrefix(u, "*."))
			if name == base || strings.HasSuffix(name, "."+base) {
				return true
			}
		}
	}
	return false
}
