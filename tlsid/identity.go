package tlsid

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate"
)

// ErrUnknownIdentity is wrapped by the errors for an identity name the Identities do not hold.
var ErrUnknownIdentity = errors.New("tlsid: unknown identity")

// ErrNoClientAuth is wrapped by CheckIdentity's error when an identity's certificate is otherwise
// sound but lacks the clientAuth extended key usage, which public CAs stopped issuing in 2026.
// Exchange Online then does not take the certificate as the gateway's identity: no inbound
// connector matches it by name, and attribution falls to the connecting IP or the recipient
// (docs/exchange-online.md#client-certificates-without-clientauth). The fixes: an IP-restricted
// connector, or a certificate from a CA that still issues clientAuth. It is a warning, not a
// refusal: NewIdentities accepts such a certificate and reports it in Identities.Warnings.
var ErrNoClientAuth = errors.New("tlsid: certificate lacks the clientAuth extended key usage")

// noCertificate is what GetClientCertificate returns to send no certificate.
func noCertificate() *tls.Certificate { return &tls.Certificate{} }

// Identities maps the gateway's identity names (tenantgate.Identity.Name) to the client
// certificates presented under them. Build it with NewIdentities; it is immutable and safe for
// concurrent use. The zero value (or nil) holds no identity: the empty name sends no certificate
// and every other name is an error.
type Identities struct {
	certs    map[string]*tls.Certificate // nil value: the identity presents no certificate
	warnings []error
}

// Warnings returns what NewIdentities accepted but a relay should log: identity certificates
// without the clientAuth extended key usage (errors wrapping ErrNoClientAuth), in identity order.
func (ids *Identities) Warnings() []error {
	if ids == nil {
		return nil
	}
	return slices.Clone(ids.warnings)
}

// NewIdentities pairs the Directory's identities with the certificates the caller loaded, keyed
// by identity name, and checks them so that a relay can refuse to start on a bad pairing:
//   - every key of certs names an identity of the Directory;
//   - an identity with CertNames has a certificate that passes CheckIdentity at now;
//   - an identity without CertNames (the default Internet identity) has none;
//   - the certificate of the Internet identity carries no name (CN or DNS SAN) that Exchange
//     Online would match to any tenant's enabled inbound connector (MatchConnectorName, default
//     rule): presenting it to another Microsoft 365 customer would attribute the mail to that
//     tenant (docs/exchange-online.md#pitfalls, docs/exchange-online.md#enhanced-filtering identity
//     rule);
//   - the certificate of a tenant's identity matches no other tenant's enabled inbound connector
//     (one certificate per tenant, docs/exchange-online.md#attribution item 4, MC1226222).
//
// It returns every problem at once, joined (errors.Join), each naming the identity. A certificate
// without the clientAuth extended key usage (ErrNoClientAuth) is not a problem here but a warning
// (Identities.Warnings): an IP-restricted connector still recognises the gateway.
func NewIdentities(d *tenantgate.Directory, certs map[string]*tls.Certificate, now time.Time) (*Identities, error) {
	if d == nil {
		return nil, errors.New("tlsid: nil Directory")
	}
	ids := &Identities{certs: make(map[string]*tls.Certificate)}
	var errs []error
	names := make([]string, 0, len(certs))
	for name := range certs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, ok := d.Identity(name); !ok {
			errs = append(errs, fmt.Errorf("%w %q: a certificate was loaded for it but the configuration has no such identity", ErrUnknownIdentity, name))
		}
	}
	for _, id := range d.Gateway().Identities {
		cert := certs[id.Name]
		if err := CheckIdentity(id, cert, now); errors.Is(err, ErrNoClientAuth) {
			ids.warnings = append(ids.warnings, err)
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(id.CertNames) == 0 {
			ids.certs[id.Name] = nil
			continue
		}
		ev := Evidence{TLS: true, Verified: true, Names: presentedNames(cert.Leaf)}
		for _, r := range Connectors(d, ev, WildcardOneLabel) {
			switch {
			case id.For == tenantgate.ForInternet:
				errs = append(errs, fmt.Errorf("tlsid: identity %q (for the Internet): its certificate matches tenant %s (%s) inbound connector %q (tlsSenderCertificateName %s); a tenant's certificate name must never be presented to the Internet",
					id.Name, r.Tenant.ID, r.Tenant.Name, r.Connector.Name, r.Connector.TLSSenderCertificateName))
			case !strings.EqualFold(id.For, r.Tenant.ID.String()):
				errs = append(errs, fmt.Errorf("tlsid: identity %q (for tenant %s): its certificate also matches tenant %s (%s) inbound connector %q (tlsSenderCertificateName %s); use one certificate per tenant (MC1226222)",
					id.Name, id.For, r.Tenant.ID, r.Tenant.Name, r.Connector.Name, r.Connector.TLSSenderCertificateName))
			}
		}
		ids.certs[id.Name] = cert
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ids, nil
}

// Certificate returns the certificate to present for the identity name: that identity's, or an
// empty certificate (send none) for the empty name and for an identity without CertNames. An
// unknown name is an error wrapping ErrUnknownIdentity — never a fallback to another identity.
func (ids *Identities) Certificate(name string) (*tls.Certificate, error) {
	if name == "" {
		return noCertificate(), nil
	}
	if ids == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownIdentity, name)
	}
	c, ok := ids.certs[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w %q", ErrUnknownIdentity, name)
	case c == nil:
		return noCertificate(), nil
	}
	return c, nil
}

// GetClientCertificate returns a tls.Config.GetClientCertificate hook that presents exactly the
// certificate of identity name (none for "" or an identity without CertNames), whatever the
// server asks for: the server's list of acceptable CAs never selects another identity. An
// unknown name is an error here, before any connection.
func (ids *Identities) GetClientCertificate(name string) (func(*tls.CertificateRequestInfo) (*tls.Certificate, error), error) {
	c, err := ids.Certificate(name)
	if err != nil {
		return nil, err
	}
	return func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return c, nil }, nil
}

// ClientHop is what ClientConfig needs to know about one outbound SMTP hop (route.Hop carries
// these values).
type ClientHop struct {
	// ServerName is the host connected to, sent as SNI. Empty: base's ServerName.
	ServerName string
	// Identity names the client identity to present; "" presents no certificate.
	Identity string
	// VerifyNames are the names the server's certificate must carry (MatchPeerName, any one
	// suffices). Empty: opportunistic TLS (RFC 7435) — the server's certificate is not checked.
	VerifyNames []string
}

// ClientOptions configure how ClientConfig verifies the server's certificate.
type ClientOptions struct {
	// Verify holds the roots and the time, as for Verify. nil KeyUsages means serverAuth here.
	// When Verify.Now is zero the time comes from Clock at each handshake.
	Verify VerifyOptions
	// Clock supplies the time when Verify.Now is zero; nil with a zero Now verifies nothing.
	Clock func() time.Time
}

// ClientConfig returns a copy of base (nil: an empty Config) for one outbound hop:
//   - it presents exactly hop.Identity's certificate (Identities.GetClientCertificate); base's
//     Certificates and GetClientCertificate are replaced, so no other certificate can leak;
//   - with hop.VerifyNames it verifies the server in VerifyConnection with Verify and VerifyPeer
//     (opts.Verify.Roots, never the system pool unless passed in) and fails the handshake
//     otherwise; without, TLS is opportunistic. crypto/tls's own verification is switched off
//     (InsecureSkipVerify) because it checks a single host name against RootCAs at the wall
//     clock; base's VerifyConnection still runs first.
//
// An unknown hop.Identity is an error before any connection.
func (ids *Identities) ClientConfig(base *tls.Config, hop ClientHop, opts ClientOptions) (*tls.Config, error) {
	get, err := ids.GetClientCertificate(hop.Identity)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	if hop.ServerName != "" {
		cfg.ServerName = hop.ServerName
	}
	cfg.Certificates = nil
	cfg.GetClientCertificate = get
	cfg.InsecureSkipVerify = true
	expected := slices.Clone(hop.VerifyNames)
	prev := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if prev != nil {
			if err := prev(cs); err != nil {
				return err
			}
		}
		if len(expected) == 0 {
			return nil
		}
		v := opts.Verify
		if v.Now.IsZero() && opts.Clock != nil {
			v.Now = opts.Clock()
		}
		if v.KeyUsages == nil {
			v.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}
		if err := VerifyPeer(FromConnectionState(cs, v), expected); err != nil {
			return fmt.Errorf("tlsid: server %s: %w", cfg.ServerName, err)
		}
		return nil
	}
	return cfg, nil
}

// CheckIdentity checks that cert is what identity id claims: for an identity without CertNames,
// no certificate (nil or empty); otherwise a certificate with a private key matching its leaf,
// valid at now, whose subject CN or DNS SANs carry every name in id.CertNames (compared after
// NormalizeName; a claimed "*.x" must be presented as "*.x"). The CN counts because Exchange
// Online matches connector names against the CN and the SANs
// (docs/exchange-online.md#certificate-names). It fills cert.Leaf when it was nil. A zero now is an
// error: no clock is read.
//
// A certificate that passes every check but carries extended key usages without clientAuth (the
// 2026 public-CA profile) gives an error wrapping ErrNoClientAuth, which names what Exchange Online
// then does and the operator's options; callers that can live with it (an IP-restricted connector)
// test for it with errors.Is. A certificate without the extended key usage extension may be used
// for any purpose (RFC 5280 §4.2.1.12) and passes.
func CheckIdentity(id tenantgate.Identity, cert *tls.Certificate, now time.Time) error {
	empty := cert == nil || len(cert.Certificate) == 0
	if len(id.CertNames) == 0 {
		if !empty {
			return fmt.Errorf("tlsid: identity %q: a certificate was loaded but the configuration lists no certNames for it (an identity without certNames presents no certificate)", id.Name)
		}
		return nil
	}
	if empty {
		return fmt.Errorf("tlsid: identity %q: no certificate loaded for certNames %s", id.Name, strings.Join(id.CertNames, ", "))
	}
	if now.IsZero() {
		return fmt.Errorf("tlsid: identity %q: no time given to check the certificate's validity", id.Name)
	}
	leaf := cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("tlsid: identity %q: %w", id.Name, err)
		}
		cert.Leaf = leaf
	}
	signer, ok := cert.PrivateKey.(crypto.Signer)
	if !ok {
		return fmt.Errorf("tlsid: identity %q: certificate has no usable private key", id.Name)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return fmt.Errorf("tlsid: identity %q: private key does not match the certificate", id.Name)
	}
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return fmt.Errorf("tlsid: identity %q: certificate %q is valid from %s to %s, not at %s", id.Name,
			leaf.Subject.CommonName, leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	have := presentedNames(leaf)
	var missing []string
	for _, n := range id.CertNames {
		if c, ok := NormalizeName(n); !ok || !slices.Contains(have, c) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("tlsid: identity %q: certificate names (%s) lack %s", id.Name, strings.Join(have, ", "), strings.Join(missing, ", "))
	}
	if !clientAuthUsable(leaf) {
		return fmt.Errorf("%w: identity %q: Exchange Online does not take it as the gateway's identity, so no inbound connector matches %s by certificate and attribution falls to the connecting IP or the recipient; restrict the tenant's connector by IP (senderIPAddresses) or use a certificate from a CA that still issues clientAuth (docs/exchange-online.md#client-certificates-without-clientauth)",
			ErrNoClientAuth, id.Name, strings.Join(id.CertNames, ", "))
	}
	return nil
}

// clientAuthUsable reports whether c may authenticate a TLS client: no extended key usage
// extension at all (any purpose, RFC 5280 §4.2.1.12), or one that lists clientAuth or any.
func clientAuthUsable(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	return slices.ContainsFunc(c.ExtKeyUsage, func(u x509.ExtKeyUsage) bool {
		return u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny
	})
}

// presentedNames are the names Exchange Online may match in a certificate the gateway presents:
// the DNS SANs and the subject CN, normalised.
func presentedNames(c *x509.Certificate) []string {
	out := certNames(c)
	if n, ok := NormalizeName(c.Subject.CommonName); ok && !slices.Contains(out, n) {
		out = append(out, n)
	}
	return out
}
