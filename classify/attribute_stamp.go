package classify

import (
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// maxReceivedWalk bounds how many Received fields Enhanced Filtering examines.
const maxReceivedWalk = 100

// enhancedFiltering runs skip listing for connector ref
// (docs/exchange-online.md#enhanced-filtering):
//   - EFSkipLastIP: only the last source — the connecting IP — is skipped;
//   - otherwise every address in EFSkipIPs is skipped (the connecting IP first, then each
//     Received hop's from-address while it is listed);
//   - private, loopback and link-local addresses are always skipped (RFC 1918 ranges "are
//     automatically detected and skipped"; we extend this to the IPv6 and loopback equivalents);
//   - the first address not skipped is the source; a hop without an address ends the walk with
//     no source (fail closed: filtering then uses the connecting IP).
//
// Walking the Received chain top-down is an inference (docs/exchange-online.md#enhanced-filtering);
// Microsoft does not document the parsing.
func (a *attributor) enhancedFiltering(ref *tenantgate.InboundRef) EnhancedFiltering {
	var ef EnhancedFiltering
	if ref == nil || !ref.Connector.EnhancedFiltering() {
		return ef
	}
	ef.Enabled = true
	conn := ref.Connector
	skip := func(ip netip.Addr) bool {
		if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
			return true
		}
		if conn.EFSkipLastIP {
			return false
		}
		for _, r := range ref.EFSkipIPs {
			if r.Contains(ip) {
				return true
			}
		}
		return false
	}
	// The connecting IP is the last source: always skipped with EFSkipLastIP, else when listed.
	if !conn.EFSkipLastIP && !skip(a.ip) {
		a.reason(ReasonAttrEFNotSkipped, "connector %s: the connecting IP %s is not in EFSkipIPs; nothing is skip listed", conn.Name, a.ip)
		return ef
	}
	for i, h := range a.c.Received {
		if i == maxReceivedWalk {
			break
		}
		ip := h.FromIP.Unmap().WithZone("")
		if !ip.IsValid() {
			a.reason(ReasonAttrEFNoSource, "connector %s: Received field %d records no sending address; skip listing failed", conn.Name, h.Index)
			return ef
		}
		if skip(ip) || ip == a.ip {
			continue
		}
		ef.SkipListed, ef.SourceIP = true, ip
		ef.SourceName = h.FromReverse
		if ef.SourceName == "" {
			ef.SourceName = h.From
		}
		break
	}
	if !ef.SkipListed {
		a.reason(ReasonAttrEFNoSource, "connector %s: no Received hop outside the skipped addresses; skip listing failed", conn.Name)
		return ef
	}
	a.reason(ReasonAttrEFSkipListed, "connector %s: original source %s", conn.Name, ef.SourceIP)
	// EFUsers: Enhanced Filtering applies only if every recipient of the message is listed.
	if len(conn.EFUsers) > 0 {
		for _, rcpt := range a.c.RcptTo {
			if !listed(conn.EFUsers, rcpt) {
				a.reason(ReasonAttrEFUsersMismatch, "connector %s: recipient %s is not in EFUsers; normal filtering for every recipient", conn.Name, clipAddr(rcpt))
				return ef
			}
		}
	}
	ef.Applied = true
	a.reason(ReasonAttrEFApplied, "connector %s: filtering uses %s", conn.Name, ef.SourceIP)
	return ef
}

// listed compares addresses case-insensitively, without angle brackets.
func listed(users []string, rcpt string) bool {
	r := strings.Trim(strings.TrimSpace(rcpt), "<>")
	for _, u := range users {
		if strings.EqualFold(strings.Trim(strings.TrimSpace(u), "<>"), r) {
			return true
		}
	}
	return false
}

// senderValue formats the EF header value as public headers show it ("ip=[a.b.c.d];domain=name";
// docs/exchange-online.md#enhanced-filtering, format unverified).
func senderValue(ef EnhancedFiltering) string {
	v := "ip=[" + ef.SourceIP.String() + "]"
	if ef.SourceName != "" {
		v += ";domain=" + ef.SourceName
	}
	return v
}

// stamps groups the accepted recipients into the copies Exchange Online delivers.
func (a *attributor) stamps() []Stamp {
	var out []Stamp
	efs := map[*tenantgate.InboundRef]EnhancedFiltering{}
	for i := range a.recipient {
		r := &a.recipient[i]
		if !r.Accepted {
			continue
		}
		conn := ""
		if r.ref != nil {
			conn = r.ref.Connector.Name
		}
		found := false
		for j := range out {
			s := &out[j]
			if s.Tenant == r.Tenant && s.Connector == conn && s.Direction == r.Direction && s.AuthAs == r.AuthAs && s.DIR == r.dir {
				s.Recipients = append(s.Recipients, r.Rcpt)
				found = true
				break
			}
		}
		if found {
			continue
		}
		ef, done := efs[r.ref]
		if !done {
			ef = a.enhancedFiltering(r.ref)
			efs[r.ref] = ef
		}
		s := Stamp{
			Tenant: r.Tenant, Recipients: []string{r.Rcpt}, Connector: conn,
			Direction: r.Direction, AuthAs: r.AuthAs, DIR: r.dir,
			CIP: a.ip, H: a.c.HELO, EnhancedFiltering: ef,
			FromEntityHeader: "Internet",
		}
		if r.Direction == Originating {
			s.FromEntityHeader = "HybridOnPrem"
			s.ConnectingIP, s.ConnectingHELO = a.ip, a.c.HELO
		}
		if ef.SkipListed {
			s.SkipListedInternetSender = senderValue(ef)
		}
		if ef.Applied {
			s.CIP = ef.SourceIP
			s.ExternalOriginalInternetSender = senderValue(ef)
		}
		out = append(out, s)
	}
	return out
}
