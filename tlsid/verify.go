package tlsid

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// MaxChain is the longest certificate chain Verify looks at. A peer that sends more fails
// verification without any signature being checked.
const MaxChain = 10

// VerifyOptions configure Verify and FromConnectionState. The zero value verifies nothing: with
// no Roots and no Now every presented certificate is unverified (fail closed).
type VerifyOptions struct {
	// Roots are the trust anchors. nil verifies nothing — Verify never falls back to the system
	// pool; pass x509.SystemCertPool() explicitly to use it.
	Roots *x509.CertPool
	// Intermediates are extra intermediate certificates, added to the ones the peer sent.
	Intermediates *x509.CertPool
	// Now is the time at which the chain must be valid. Zero verifies nothing: Verify reads no
	// clock.
	Now time.Time
	// KeyUsages are the extended key usages the leaf may carry; nil means serverAuth or
	// clientAuth. Public CAs issue serverAuth-only certificates since 2026 and Exchange Online's
	// client certificate follows them, so requiring clientAuth would refuse it
	// (crypto/x509 ExtKeyUsage). x509.ExtKeyUsageAny accepts every usage.
	KeyUsages []x509.ExtKeyUsage
}

var defaultKeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}

// Verify verifies a presented certificate chain (leaf first, as sent in the TLS Certificate
// message) against opts.Roots at opts.Now and returns the evidence. It is pure: no clock, no
// system roots, no network; revocation is not checked.
//
// The result has TLS set (a chain only exists in a TLS session) and Version 0. An empty chain is
// a session without a client certificate. Names are the leaf's DNS SANs, normalised by
// NormalizeName, deduplicated, in certificate order (the first MaxNames); unusable ones (partial wildcards, NUL,
// IP literals, U-labels that fail IDNA) are dropped. The subject CN is never a name: RFC 6125
// §6.4.4 ignores it when SANs exist, crypto/x509 ignores it always, and a certificate with a
// matching CN but no SAN must not pass for Exchange Online (docs/threat-model.md#threat-6).
// Names, Subject and Issuer are filled even when the chain does not verify, for logs; Verified
// says whether they may be trusted and Error says why not.
func Verify(chain []*x509.Certificate, opts VerifyOptions) Evidence {
	ev := Evidence{TLS: true}
	if len(chain) == 0 {
		return ev
	}
	leaf := chain[0]
	if leaf == nil {
		ev.Error = "tlsid: nil leaf certificate"
		return ev
	}
	ev.Subject = leaf.Subject.String()
	ev.Issuer = leaf.Issuer.String()
	ev.Names = certNames(leaf)
	if err := verifyChain(chain, opts); err != nil {
		ev.Error = err.Error()
		return ev
	}
	ev.Verified = true
	return ev
}

func verifyChain(chain []*x509.Certificate, opts VerifyOptions) error {
	switch {
	case len(chain) > MaxChain:
		return fmt.Errorf("tlsid: chain of %d certificates exceeds %d", len(chain), MaxChain)
	case opts.Roots == nil:
		return errors.New("tlsid: no trust roots configured")
	case opts.Now.IsZero():
		return errors.New("tlsid: no verification time configured")
	}
	var inter *x509.CertPool
	if opts.Intermediates != nil {
		inter = opts.Intermediates.Clone()
	} else {
		inter = x509.NewCertPool()
	}
	for i, c := range chain[1:] {
		if c == nil {
			return fmt.Errorf("tlsid: nil certificate at chain[%d]", i+1)
		}
		inter.AddCert(c)
	}
	ku := opts.KeyUsages
	if ku == nil {
		ku = defaultKeyUsages
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: inter,
		CurrentTime:   opts.Now,
		KeyUsages:     ku,
	})
	if err != nil {
		return fmt.Errorf("tlsid: %w", err)
	}
	return nil
}

// MaxNames is how many DNS SANs of a certificate Verify looks at; further ones are ignored, so a
// peer cannot make name handling cost more than this before its chain is even verified.
const MaxNames = 1000

// certNames returns the normalised, deduplicated DNS SANs of c (at most MaxNames looked at).
func certNames(c *x509.Certificate) []string {
	var out []string
	seen := make(map[string]bool)
	for _, n := range c.DNSNames[:min(len(c.DNSNames), MaxNames)] {
		if s, ok := NormalizeName(n); ok && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// FromConnectionState returns the evidence of a TLS session from its state, verifying the peer's
// chain with Verify. A state with Version 0 (the zero value, or a connection that never
// completed a handshake) is a plaintext session: the zero Evidence. It works on both ends and
// inside VerifyConnection, where HandshakeComplete is still false. It does not use
// cs.VerifiedChains, which crypto/tls leaves nil when it did not verify the peer itself.
func FromConnectionState(cs tls.ConnectionState, opts VerifyOptions) Evidence {
	if cs.Version == 0 {
		return Evidence{}
	}
	ev := Verify(cs.PeerCertificates, opts)
	ev.Version = cs.Version
	return ev
}
