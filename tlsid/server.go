package tlsid

import (
	"crypto/tls"
	"fmt"
	"time"
)

// ServerOptions configure ServerConfig and EvidenceFor: how a TLS server (the gateway's SMTP
// listener, where Exchange Online connects) verifies client certificates. Use the same value
// for both.
type ServerOptions struct {
	// Verify holds the roots, extra intermediates and key usages. When Verify.Now is zero the
	// time comes from Clock at each handshake and each EvidenceFor call.
	Verify VerifyOptions
	// Clock supplies the verification time when Verify.Now is zero, typically time.Now. nil with
	// a zero Verify.Now verifies nothing (fail closed): this package reads no clock of its own.
	Clock func() time.Time
	// RejectUnverified fails the handshake when the client presents a certificate that does not
	// verify. By default the handshake goes on and the policy decides on the Evidence: a sender
	// that is not Exchange Online may legitimately present any certificate, and RFC 3207 servers
	// must not refuse mail for it. A client without a certificate is never refused here.
	RejectUnverified bool
}

func (o ServerOptions) verifyOptions() VerifyOptions {
	v := o.Verify
	if v.Now.IsZero() && o.Clock != nil {
		v.Now = o.Clock()
	}
	return v
}

// ServerConfig returns a copy of base (nil: an empty Config) that requests, but does not
// require, a client certificate and verifies it in VerifyConnection:
//   - ClientAuth becomes tls.RequestClientCert (base's tls.RequireAnyClientCert is kept). The
//     Verify… modes are replaced because crypto/tls then requires the clientAuth extended key
//     usage and refuses the serverAuth-only certificates public CAs issue since 2026
//     ("x509: certificate specifies an incompatible key usage", crypto/x509 ExtKeyUsage);
//     Verify accepts either usage.
//   - VerifyConnection runs base's VerifyConnection first, if any, then, with
//     opts.RejectUnverified, fails a presented certificate that does not verify. crypto/tls
//     calls it on every handshake, resumed sessions included, unlike VerifyPeerCertificate.
//   - ClientCAs is left as base has it: it only fills the CertificateRequest's list of
//     acceptable CAs, and an empty list lets the client pick its certificate freely.
//
// crypto/tls keeps no per-connection value for the caller and leaves VerifiedChains nil here, so
// the evidence is not stored: after the handshake (for a go-smtp relay: after STARTTLS, from
// Conn.TLSConnectionState) call EvidenceFor with the connection's state. It verifies the chain
// again — tens of microseconds for a two-certificate chain — which also re-checks validity at
// the current time on long-lived connections.
func ServerConfig(base *tls.Config, opts ServerOptions) *tls.Config {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	if cfg.ClientAuth != tls.RequireAnyClientCert {
		cfg.ClientAuth = tls.RequestClientCert
	}
	prev := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if prev != nil {
			if err := prev(cs); err != nil {
				return err
			}
		}
		if !opts.RejectUnverified || len(cs.PeerCertificates) == 0 {
			return nil
		}
		if ev := FromConnectionState(cs, opts.verifyOptions()); !ev.Verified {
			return fmt.Errorf("tlsid: client certificate %q not verified: %s", ev.Subject, ev.Error)
		}
		return nil
	}
	return cfg
}

// EvidenceFor returns the evidence of a server-side TLS session, from the state of a connection
// made with ServerConfig(…, opts) (or any server that requested a client certificate). The zero
// ConnectionState (no TLS) gives the zero Evidence.
func EvidenceFor(cs tls.ConnectionState, opts ServerOptions) Evidence {
	return FromConnectionState(cs, opts.verifyOptions())
}
