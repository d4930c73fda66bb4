package classify

import (
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
)

// PeerVerdict says whether the SMTP client is verified Exchange Online
// (docs/threat-model.md#rule-1).
type PeerVerdict struct {
	// EXO is true only when both factors hold: Addr lies in the configured Exchange Online
	// networks and the TLS evidence is verified for one of the Exchange Online certificate names
	// (threats 4–7, 27, 28 of docs/threat-model.md).
	EXO bool `json:"exo"`
	// Addr is the client address as compared: IPv4-mapped IPv6 unmapped, zone removed.
	Addr netip.Addr `json:"addr,omitzero"`
	// InNetworks reports the address factor alone.
	InNetworks bool `json:"inNetworks,omitempty"`
	// CertName is the Exchange Online certificate name the verified certificate carries, "" if none.
	CertName string `json:"certName,omitempty"`
	// Reasons explain the verdict: peer.exo.verified, or every factor that failed.
	Reasons []tenantgate.Reason `json:"reasons"`
}

// Peer decides whether the client of session s is verified Exchange Online. It looks at the
// address and the TLS evidence only: HELO and reverse DNS are never trust inputs
// (docs/threat-model.md#threat-27). The certificate name must equal one of the configured names
// exactly, ignoring case — no wildcard, prefix or suffix match (docs/threat-model.md#threat-6).
// This is stricter than tlsid.MatchPeerName on purpose: a certificate for
// "*.protection.outlook.com" is not Exchange Online's.
func (p *Policy) Peer(s Session) PeerVerdict {
	var v PeerVerdict
	a := s.RemoteAddr.Unmap().WithZone("")
	v.Addr = a
	switch {
	case !a.IsValid():
		v.Reasons = append(v.Reasons, reason(ReasonPeerAddrInvalid, "no client address"))
	case len(p.networks) == 0:
		v.Reasons = append(v.Reasons, reason(ReasonPeerEXONoNetworks, "the configured Exchange Online network list is empty: nobody is Exchange Online"))
	default:
		for _, n := range p.networks {
			if n.Contains(a) {
				v.InNetworks = true
				break
			}
		}
		if !v.InNetworks {
			v.Reasons = append(v.Reasons, reason(ReasonPeerEXONotInNetworks, a.String()+" is not in the Exchange Online networks"))
		}
	}
	t := s.TLS
	switch {
	case !t.TLS:
		v.Reasons = append(v.Reasons, reason(ReasonPeerTLSNone, "plaintext session"))
	case !t.Verified && !t.Presented():
		v.Reasons = append(v.Reasons, reason(ReasonPeerTLSNoCertificate, "the client presented no certificate"))
	case !t.Verified:
		v.Reasons = append(v.Reasons, reason(ReasonPeerTLSUnverified, clip(t.Error)))
	default:
		v.CertName = p.exoCertName(t.Names)
		if v.CertName == "" {
			v.Reasons = append(v.Reasons, reason(ReasonPeerEXOCertMismatch, "certificate names "+clip(strings.Join(t.Names, ", "))+" are not an Exchange Online name"))
		}
	}
	if v.InNetworks && v.CertName != "" {
		v.EXO = true
		// One allocation: Peer runs at RCPT and again for every message.
		var buf [64]byte
		b := append(append(a.AppendTo(buf[:0]), " presented "...), v.CertName...)
		v.Reasons = append(v.Reasons, reason(ReasonPeerEXOVerified, string(b)))
	}
	return v
}

// exoCertName returns the first of names that equals a configured Exchange Online certificate
// name (case-insensitively, one trailing dot ignored), or "".
func (p *Policy) exoCertName(names []string) string {
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		for _, want := range p.certNames {
			if want != "" && headers.EqualFold(n, want) {
				return want
			}
		}
	}
	return ""
}
