package topology

import (
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// The Internet sender of the canonical flows: a host of the documentation ranges (RFC 5737,
// RFC 2606) that no tenant accepts.
const (
	internetSender = "bob@sender.example"
	internetHost   = "mx.sender.example"
)

var internetAddr = netip.MustParseAddr("192.0.2.44")

// mxAtGateway reports whether the simulated DNS points tenant t's MX at the gateway: yes unless
// the configuration carries a Get-MxRecordReport for the tenant's domains and every row says the
// MX points to Exchange Online.
func mxAtGateway(t *tenantgate.Tenant) bool {
	known := false
	for i := range t.AcceptedDomains {
		points, ok := mxPointsToService(&t.AcceptedDomains[i])
		if ok {
			known = true
			if !points {
				return true
			}
		}
	}
	return !known
}

// tenantAddress is a recipient address in tenant t: postmaster at its first Authoritative
// domain, else at its MOERA domain.
func tenantAddress(t *tenantgate.Tenant) string {
	for i := range t.AcceptedDomains {
		ad := &t.AcceptedDomains[i]
		if ad.Type() == tenantgate.Authoritative {
			return "postmaster@" + string(ad.Name)
		}
	}
	return "postmaster@" + strings.ToLower(t.Name) + ".onmicrosoft.com"
}

// identityEvidence is the TLS evidence Exchange Online sees when the gateway presents identity
// id: a verified certificate with its names, or TLS without a client certificate. A certificate
// without the clientAuth extended key usage (id.ClientAuth false) is, under NoClientAuthIgnored,
// a certificate Exchange Online does not use: unverified, with the reason in Error.
func identityEvidence(id *tenantgate.Identity, nca NoClientAuth) tlsid.Evidence {
	ev := tlsid.Evidence{TLS: true}
	if id == nil || len(id.CertNames) == 0 {
		return ev
	}
	if id.ClientAuth != nil && !*id.ClientAuth && nca != NoClientAuthAccepted {
		ev.Error = "the client certificate lacks the clientAuth extended key usage: Exchange Online does not take it as the client's identity"
		return ev
	}
	ev.Verified = true
	ev.Names = append([]string(nil), id.CertNames...)
	return ev
}

// identityCertName is the first certificate name of the identity the gateway presents to
// tenant id, "" when it has none.
func identityCertName(d *tenantgate.Directory, id tenantgate.TenantID) string {
	if i, ok := d.TenantIdentity(id); ok && len(i.CertNames) > 0 {
		return i.CertNames[0]
	}
	return ""
}

// gatewayAddr is the gateway's first IPv4 egress address (Exchange Online matches IPv4 only),
// else its first address, else the zero Addr.
func gatewayAddr(d *tenantgate.Directory) netip.Addr {
	as := d.Gateway().Addresses
	for _, a := range as {
		if a.Unmap().Is4() {
			return a.Unmap()
		}
	}
	if len(as) > 0 {
		return as[0]
	}
	return netip.Addr{}
}

// psName quotes a value for PowerShell: single quotes, embedded ones doubled.
func psName(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
