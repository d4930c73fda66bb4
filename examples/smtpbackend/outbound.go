package smtpbackend

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/route"
	"github.com/tenantgate/tenantgate/tlsid"
)

// Forwarder sends accepted mail on. It is the outbound half of the path, a sketch: one connection
// per recipient, the first MX host only, no queue and no retry.
type Forwarder struct {
	Plan       *route.Plan         // route.NewPlan: the next hop and identity of each recipient
	Identities *tlsid.Identities   // tlsid.NewIdentities: one client certificate per identity
	TLS        tlsid.ClientOptions // the roots that verify a served tenant's Exchange Online
	Resolver   route.Resolver      // route.NewDNSResolver
	Port       string              // "25"
}

// Forward sends msg (header and body, CRLF) from MAIL FROM `from` to each recipient of v: into a
// served tenant's Exchange Online with that tenant's certificate, anywhere else with the Internet
// identity (none by default), never the other way round.
func (f *Forwarder) Forward(ctx context.Context, v classify.Verdict, from string, msg []byte) error {
	for _, a := range v.Recipients {
		hop := f.Plan.Next(v, a.Rcpt)
		if hop.Kind == route.HopNone {
			return smtpError(hop.Reply) // the verdict's refusal, or no route: fail closed
		}
		host := hop.Host // a served tenant's smart host; "" for the Internet: the domain's MX
		if host == "" {
			mxs, err := route.MailHosts(ctx, f.Resolver, string(hop.Domain))
			if err != nil {
				return err
			}
			host = mxs[0].Host
		}
		cfg, err := f.Identities.ClientConfig(&tls.Config{ServerName: host}, hop.ClientHop(), f.TLS)
		if err != nil {
			return err
		}
		addrs, err := f.Resolver.LookupHost(ctx, host)
		if err != nil {
			return err
		}
		addr := net.JoinHostPort(addrs[0].String(), f.Port)
		c, err := smtp.DialStartTLS(addr, cfg) // the identity's certificate; verified if the hop says so
		if err != nil && !hop.RequireTLS {
			c, err = smtp.Dial(addr) // the Internet: opportunistic TLS (RFC 7435) may fall back
		}
		if err != nil {
			return err // a served tenant's hop is never sent in plaintext
		}
		err = c.SendMail(from, []string{a.Rcpt}, bytes.NewReader(msg))
		if c.Close(); err != nil {
			return err
		}
	}
	return nil
}
