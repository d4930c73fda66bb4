package tlsid_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// The gateway's SMTP listener: request a client certificate, verify it (serverAuth-only
// certificates included), and read the evidence after STARTTLS from the connection state —
// all a go-smtp backend has (Conn.TLSConnectionState).
func ExampleServerConfig() {
	roots := x509.NewCertPool() // the public roots that issue Exchange Online's certificate
	opts := tlsid.ServerOptions{Verify: tlsid.VerifyOptions{Roots: roots}, Clock: time.Now}
	base := &tls.Config{ /* Certificates: the gateway's server certificate */ }
	cfg := tlsid.ServerConfig(base, opts)
	fmt.Println(cfg.ClientAuth == tls.RequestClientCert)

	// After the handshake, with cs from the connection:
	var cs tls.ConnectionState // the zero state: a plaintext session
	ev := tlsid.EvidenceFor(cs, opts)
	fmt.Println(tlsid.VerifyPeer(ev, []string{"mail.protection.outlook.com"}))
	// Output:
	// true
	// tlsid: no TLS
}

// A milter under Postfix sees only macros; Postfix passes {cert_subject} (the CN) only for a
// verified client certificate.
func ExampleFromMacros() {
	ev := tlsid.FromMacros(tlsid.Macros{TLSVersion: "TLSv1.3", CertSubject: "mail.protection.outlook.com"})
	fmt.Println(ev.Verified, ev.Names, tlsid.VerifyPeer(ev, []string{"mail.protection.outlook.com"}))
	// Output: true [mail.protection.outlook.com] <nil>
}

// Identity selection per hop: the tenant's hop presents the tenant certificate, every other hop
// the Internet identity, which in the default configuration is no certificate at all.
func ExampleIdentities_Certificate() {
	cfg := tenantgate.Config{
		Tenants: []tenantgate.Tenant{{ID: tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111"), Name: "contoso"}},
		Gateway: tenantgate.Gateway{Name: "gw.example.net"}, // Compile adds the Internet identity
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, err := tlsid.NewIdentities(d, nil, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"internet", "", "contoso"} {
		c, err := ids.Certificate(name)
		if err != nil {
			fmt.Printf("%q: %v\n", name, err)
			continue
		}
		fmt.Printf("%q: %d certificates\n", name, len(c.Certificate))
	}
	// Output:
	// "internet": 0 certificates
	// "": 0 certificates
	// "contoso": tlsid: unknown identity "contoso"
}

// ClientConfig for one hop: an Internet hop presents no identity and, without expected names,
// uses opportunistic TLS; a hop naming an identity the Identities do not hold is refused before
// any connection.
func ExampleIdentities_ClientConfig() {
	var ids *tlsid.Identities                            // from NewIdentities; nil holds no identity
	hop := tlsid.ClientHop{ServerName: "mx.example.org"} // an Internet hop: no identity, opportunistic
	cfg, err := ids.ClientConfig(nil, hop, tlsid.ClientOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := cfg.GetClientCertificate(&tls.CertificateRequestInfo{})
	fmt.Println(cfg.ServerName, len(c.Certificate))
	_, err = ids.ClientConfig(nil, tlsid.ClientHop{Identity: "contoso"}, tlsid.ClientOptions{})
	fmt.Println(err)
	// Output:
	// mx.example.org 0
	// tlsid: unknown identity "contoso"
}

func ExampleMatchConnectorName() {
	p := tenantgate.MustParseDomainPattern("*.contoso.com")
	for _, name := range []string{"contoso.com", "a.b.contoso.com", "contoso.com.evil.tld"} {
		fmt.Println(name, tlsid.MatchConnectorName(p, name, tlsid.WildcardOneLabel))
	}
	// A wildcard in the presented certificate (docs/exchange-online.md#certificate-names,
	// inferred).
	exact := tenantgate.MustParseDomainPattern("contoso.gw.example.net")
	fmt.Println(tlsid.MatchConnectorName(exact, "*.gw.example.net", tlsid.WildcardOneLabel),
		tlsid.MatchConnectorName(exact, "*.gw.example.net", tlsid.WildcardNever))
	// Output:
	// contoso.com true
	// a.b.contoso.com true
	// contoso.com.evil.tld false
	// true false
}

func ExampleMatchPeerName() {
	for _, presented := range []string{"MAIL.protection.outlook.com", "*.protection.outlook.com", "mail.protection.outlook.comx", "*.outlook.com"} {
		fmt.Println(presented, tlsid.MatchPeerName(presented, "mail.protection.outlook.com"))
	}
	// Output:
	// MAIL.protection.outlook.com true
	// *.protection.outlook.com true
	// mail.protection.outlook.comx false
	// *.outlook.com false
}
