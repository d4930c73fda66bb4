package tlsid

import (
	"crypto/tls"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// demoConfig loads the project's demo configuration: contoso (1111…, identity "contoso" with
// contoso.gw.example.net, inbound connector by that certificate name), fabrikam (2222…, identity
// "fabrikam" with fabrikam.gw.example.net, inbound connector by IP) and an Internet identity
// without certificate.
func demoConfig(t testing.TB) tenantgate.Config {
	t.Helper()
	f, err := os.Open("../testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := tenantgate.LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func compile(t testing.TB, c tenantgate.Config) *tenantgate.Directory {
	t.Helper()
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNewIdentities(t *testing.T) {
	p := newTestPKI(t)
	demo := compile(t, demoConfig(t))

	// The Internet identity presents gw.example.net (no tenant's connector value).
	internetNamed := demoConfig(t)
	setIdentity(internetNamed.Gateway.Identities, "internet", "gw.example.net")
	// The Internet identity claims contoso's connector name: refused.
	internetTenant := demoConfig(t)
	setIdentity(internetTenant.Gateway.Identities, "internet", "contoso.gw.example.net")
	// contoso presents *.gw.example.net, which (one-label rule,
	// docs/exchange-online.md#certificate-names) matches fabrikam's connector value
	// fabrikam.gw.example.net as well as its own.
	shared := demoConfig(t)
	setIdentity(shared.Gateway.Identities, "contoso", "*.gw.example.net")
	shared.Tenants[1].Inbound[0].TLSSenderCertificateName = "fabrikam.gw.example.net"

	mismatched := p.contoso.tlsCert(p.inter)
	mismatched.PrivateKey = p.fabrikam.key
	expired := newLeaf(t, leafSpec{cn: "contoso.gw.example.net", dns: []string{"contoso.gw.example.net"}, eku: serverAuth,
		notBefore: testNow.Add(-48 * time.Hour), notAfter: testNow.Add(-time.Hour)}, &p.inter)

	ok := map[string]*tls.Certificate{"contoso": p.contoso.tlsCert(p.inter), "fabrikam": p.fabrikam.tlsCert(p.inter)}
	with := func(name string, c *tls.Certificate) map[string]*tls.Certificate {
		m := map[string]*tls.Certificate{"contoso": ok["contoso"], "fabrikam": ok["fabrikam"]}
		if c == nil {
			delete(m, name)
		} else {
			m[name] = c
		}
		return m
	}
	tests := []struct {
		name    string
		d       *tenantgate.Directory
		certs   map[string]*tls.Certificate
		wantErr []string // substrings, all present; nil: success
	}{
		{"demo", demo, ok, nil},
		{"internet identity given a certificate", demo, with("internet", p.internet.tlsCert(p.inter)),
			[]string{`identity "internet": a certificate was loaded but the configuration lists no certNames`}},
		{"unknown identity", demo, with("nobody", p.internet.tlsCert(p.inter)), []string{`unknown identity "nobody"`}},
		{"missing certificate", demo, with("contoso", nil), []string{`identity "contoso": no certificate loaded`}},
		{"wrong tenant's certificate", demo, with("contoso", p.fabrikam.tlsCert(p.inter)),
			[]string{`identity "contoso": certificate names (fabrikam.gw.example.net) lack contoso.gw.example.net`}},
		{"expired", demo, with("contoso", expired.tlsCert(p.inter)), []string{`identity "contoso": certificate "contoso.gw.example.net" is valid from`}},
		{"key mismatch", demo, with("contoso", mismatched), []string{`identity "contoso": private key does not match`}},
		{"two problems at once", demo, map[string]*tls.Certificate{"contoso": p.fabrikam.tlsCert(p.inter)},
			[]string{`identity "contoso"`, `identity "fabrikam": no certificate loaded`}},
		{"named internet identity", compile(t, internetNamed), with("internet", p.internet.tlsCert(p.inter)), nil},
		{"internet identity with a tenant's name", compile(t, internetTenant), with("internet", p.contoso.tlsCert(p.inter)),
			[]string{`identity "internet" (for the Internet): its certificate matches tenant 11111111-1111-1111-1111-111111111111 (contoso) inbound connector "from-gateway"`}},
		{"tenant certificate matching another tenant", compile(t, shared), with("contoso", p.wildcard.tlsCert(p.inter)),
			[]string{`identity "contoso" (for tenant 11111111-1111-1111-1111-111111111111): its certificate also matches tenant 22222222-2222-2222-2222-222222222222 (fabrikam)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, err := NewIdentities(tc.d, tc.certs, testNow)
			if tc.wantErr == nil {
				if err != nil || ids == nil {
					t.Fatalf("NewIdentities: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewIdentities succeeded, want errors %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func setIdentity(ids []tenantgate.Identity, name string, certNames ...string) {
	for i := range ids {
		if ids[i].Name == name {
			ids[i].CertNames = certNames
		}
	}
}

// noClientAuth is the part of CheckIdentity's ErrNoClientAuth error that names the operator's fixes.
const noClientAuth = "restrict the tenant's connector by IP (senderIPAddresses) or use a certificate from a CA that still issues clientAuth"

func TestCheckIdentity(t *testing.T) {
	p := newTestPKI(t)
	noLeaf := p.contoso.tlsCert(p.inter)
	noLeaf.Leaf = nil
	noKey := p.contoso.tlsCert(p.inter)
	noKey.PrivateKey = nil
	contoso := tenantgate.Identity{Name: "contoso", CertNames: []string{"contoso.gw.example.net"}, For: "11111111-1111-1111-1111-111111111111"}
	tests := []struct {
		name    string
		id      tenantgate.Identity
		cert    *tls.Certificate
		now     time.Time
		wantErr string
	}{
		{"matching, with clientAuth", contoso, p.contosoBoth.tlsCert(p.inter), testNow, ""},
		// RFC 5280 §4.2.1.12: without the extension the key may be used for any purpose.
		{"matching, no extended key usage", contoso, p.contosoNoEKU.tlsCert(p.inter), testNow, ""},
		// Issue 15 item 9: the 2026 public-CA profile (serverAuth only) passes every other check
		// and is reported with ErrNoClientAuth (NoSpamProxy's notice: such a certificate no
		// longer authenticates to Exchange Online).
		{"matching, serverAuth only", contoso, p.contoso.tlsCert(p.inter), testNow, noClientAuth},
		{"leaf parsed from DER", contoso, noLeaf, testNow, noClientAuth},
		{"claimed name in other case", tenantgate.Identity{Name: "c", CertNames: []string{"Contoso.GW.example.net"}}, p.contoso.tlsCert(), testNow, noClientAuth},
		// docs/exchange-online.md#certificate-names: EXO matches the CN as well as the SANs.
		{"name in CN only", tenantgate.Identity{Name: "cn", CertNames: []string{"mail.protection.outlook.com"}}, p.cnOnly.tlsCert(), testNow, noClientAuth},
		{"wildcard claimed literally", tenantgate.Identity{Name: "w", CertNames: []string{"*.gw.example.net"}}, p.wildcard.tlsCert(), testNow, noClientAuth},
		// A wildcard certificate does not carry a specific name the config claims.
		{"wildcard does not carry a host", contoso, p.wildcard.tlsCert(), testNow, "lack contoso.gw.example.net"},
		{"several names, one missing", tenantgate.Identity{Name: "s", CertNames: []string{"outlook.com", "x.outlook.com"}}, p.several.tlsCert(), testNow, "lack x.outlook.com"},
		{"no private key", contoso, noKey, testNow, "no usable private key"},
		{"zero time", contoso, p.contoso.tlsCert(), time.Time{}, "no time given"},
		{"not yet valid", contoso, p.contoso.tlsCert(), testNow.Add(-72 * time.Hour), "is valid from"},
		{"nil certificate", contoso, nil, testNow, "no certificate loaded"},
		{"empty certificate", contoso, &tls.Certificate{}, testNow, "no certificate loaded"},
		{"no names, no certificate", tenantgate.Identity{Name: "internet", For: "internet"}, nil, testNow, ""},
		{"no names, empty certificate", tenantgate.Identity{Name: "internet", For: "internet"}, &tls.Certificate{}, testNow, ""},
		{"no names, a certificate", tenantgate.Identity{Name: "internet", For: "internet"}, p.internet.tlsCert(), testNow, "lists no certNames"},
		{"garbage DER", contoso, &tls.Certificate{Certificate: [][]byte{{0x30, 0x00}}}, testNow, "x509"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckIdentity(tc.id, tc.cert, tc.now)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("CheckIdentity = %v, want %q", err, tc.wantErr)
			}
			if got, want := errors.Is(err, ErrNoClientAuth), tc.wantErr == noClientAuth; got != want {
				t.Errorf("errors.Is(%v, ErrNoClientAuth) = %v, want %v", err, got, want)
			}
		})
	}
}

func TestIdentitiesCertificate(t *testing.T) {
	p := newTestPKI(t)
	contoso, fabrikam := p.contoso.tlsCert(p.inter), p.fabrikam.tlsCert(p.inter)
	ids, err := NewIdentities(compile(t, demoConfig(t)), map[string]*tls.Certificate{"contoso": contoso, "fabrikam": fabrikam}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var zero *Identities
	tests := []struct {
		name     string
		ids      *Identities
		identity string
		want     *tls.Certificate
		wantErr  error
	}{
		{"tenant", ids, "contoso", contoso, nil},
		{"other tenant", ids, "fabrikam", fabrikam, nil},
		{"internet identity sends none", ids, "internet", &tls.Certificate{}, nil},
		{"empty name sends none", ids, "", &tls.Certificate{}, nil},
		{"unknown", ids, "woodgrove", nil, ErrUnknownIdentity},
		{"zero value, empty name", zero, "", &tls.Certificate{}, nil},
		{"zero value, a name", zero, "contoso", nil, ErrUnknownIdentity},
		{"empty struct, a name", &Identities{}, "contoso", nil, ErrUnknownIdentity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ids.Certificate(tc.identity)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.want == nil {
				return
			}
			if len(tc.want.Certificate) == 0 {
				if got == nil || len(got.Certificate) != 0 {
					t.Errorf("got %v, want an empty certificate", got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got certificate %q, want %q", got.Leaf.Subject, tc.want.Leaf.Subject)
			}
			get, err := tc.ids.GetClientCertificate(tc.identity)
			if err != nil {
				t.Fatal(err)
			}
			// Whatever the server's request says, the hook returns the same certificate.
			for _, cri := range []*tls.CertificateRequestInfo{{}, {AcceptableCAs: [][]byte{p.otherRoot.cert.RawSubject}}} {
				if c, err := get(cri); err != nil || c != tc.want {
					t.Errorf("hook returned %v, %v", c, err)
				}
			}
		})
	}
}

// TestClientConfigHandshake connects over loopback to a server built with ServerConfig that
// stands for Exchange Online (or an Internet MX) and records which client certificate arrived.
func TestClientConfigHandshake(t *testing.T) {
	p := newTestPKI(t)
	now := func() time.Time { return testNow }
	contoso, fabrikam := p.contoso.tlsCert(p.inter), p.fabrikam.tlsCert(p.inter)
	ids, err := NewIdentities(compile(t, demoConfig(t)), map[string]*tls.Certificate{"contoso": contoso, "fabrikam": fabrikam}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	exoMX := newLeaf(t, leafSpec{cn: "mail.protection.outlook.com", dns: []string{"*.mail.protection.outlook.com", "mail.protection.outlook.com"}, eku: serverAuth}, &p.inter)
	serverOpts := ServerOptions{Verify: VerifyOptions{Roots: p.roots}, Clock: now}
	exo := ServerConfig(&tls.Config{Certificates: []tls.Certificate{*exoMX.tlsCert(p.inter)}, Time: now}, serverOpts)
	selfSigned := ServerConfig(&tls.Config{Certificates: []tls.Certificate{*p.selfSigned.tlsCert()}, Time: now}, serverOpts)
	clientOpts := ClientOptions{Verify: VerifyOptions{Roots: p.roots}, Clock: now}
	contosoMX := "contoso-com.mail.protection.outlook.com"
	issuer := "CN=Test Intermediate,O=tenantgate test"

	tests := []struct {
		name    string
		server  *tls.Config
		base    *tls.Config
		hop     ClientHop
		want    Evidence // what the server learns about the client
		wantErr error    // client handshake error (errors.Is / errors.As for *NameMismatchError)
	}{
		// docs/routing.md#the-gateways-next-hop: a hop to a served tenant presents that tenant's
		// identity …
		{name: "tenant hop sends the tenant certificate", server: exo,
			hop:  ClientHop{ServerName: contosoMX, Identity: "contoso", VerifyNames: []string{contosoMX}},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Names: []string{"contoso.gw.example.net"}, Subject: "CN=contoso.gw.example.net", Issuer: issuer}},
		{name: "other tenant hop sends its own", server: exo,
			hop:  ClientHop{ServerName: "fabrikam-com.mail.protection.outlook.com", Identity: "fabrikam", VerifyNames: []string{"fabrikam-com.mail.protection.outlook.com"}},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Names: []string{"fabrikam.gw.example.net"}, Subject: "CN=fabrikam.gw.example.net", Issuer: issuer}},
		// … every other hop the Internet identity, none by default — even to another tenant's EXO.
		{name: "internet hop sends none", server: exo,
			hop:  ClientHop{ServerName: "woodgrove-example.mail.protection.outlook.com", Identity: "internet"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13}},
		{name: "empty identity sends none", server: exo, hop: ClientHop{ServerName: contosoMX},
			want: Evidence{TLS: true, Version: tls.VersionTLS13}},
		// base's own certificates never leak onto a hop.
		{name: "base certificates ignored", server: exo,
			base: &tls.Config{Certificates: []tls.Certificate{*contoso}, GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return contoso, nil }},
			hop:  ClientHop{ServerName: contosoMX, Identity: "internet"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13}},
		// Opportunistic TLS: any server certificate.
		{name: "opportunistic to self-signed", server: selfSigned, hop: ClientHop{ServerName: "mx.example.org"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13}},
		{name: "expected names, self-signed server", server: selfSigned,
			hop: ClientHop{ServerName: contosoMX, Identity: "contoso", VerifyNames: []string{contosoMX}}, wantErr: ErrUnverified},
		{name: "expected names, wrong server", server: exo,
			hop:     ClientHop{ServerName: "mx.example.org", VerifyNames: []string{"mx.example.org"}},
			wantErr: &NameMismatchError{Want: []string{"mx.example.org"}, Got: []string{"*.mail.protection.outlook.com", "mail.protection.outlook.com"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			if base == nil {
				base = &tls.Config{}
			}
			base.Time = now
			cfg, err := ids.ClientConfig(base, tc.hop, clientOpts)
			if err != nil {
				t.Fatal(err)
			}
			cs, _, cerr := handshake(t, tc.server, cfg)
			if tc.wantErr != nil {
				var want *NameMismatchError
				if errors.As(tc.wantErr, &want) {
					var got *NameMismatchError
					if !errors.As(cerr, &got) {
						t.Fatalf("client error = %v, want %v", cerr, tc.wantErr)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
					return
				}
				if !errors.Is(cerr, tc.wantErr) {
					t.Fatalf("client error = %v, want %v", cerr, tc.wantErr)
				}
				return
			}
			if cerr != nil {
				t.Fatalf("client: %v", cerr)
			}
			got := EvidenceFor(cs, serverOpts)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("server's evidence of the client (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ids.ClientConfig(nil, ClientHop{Identity: "woodgrove"}, clientOpts); !errors.Is(err, ErrUnknownIdentity) {
		t.Errorf("unknown identity: %v", err)
	}
}

// TestNewIdentitiesNoClientAuthWarns: NewIdentities accepts serverAuth-only identity certificates
// (an IP-restricted connector still recognises the gateway) and reports each in Warnings, while a
// certificate with clientAuth gives no warning.
func TestNewIdentitiesNoClientAuthWarns(t *testing.T) {
	p := newTestPKI(t)
	d := compile(t, demoConfig(t))
	ids, err := NewIdentities(d, map[string]*tls.Certificate{"contoso": p.contosoBoth.tlsCert(p.inter), "fabrikam": p.fabrikam.tlsCert(p.inter)}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	w := ids.Warnings()
	if len(w) != 1 || !errors.Is(w[0], ErrNoClientAuth) || !strings.Contains(w[0].Error(), `identity "fabrikam"`) {
		t.Fatalf("Warnings = %v, want one ErrNoClientAuth for fabrikam", w)
	}
	if c, err := ids.Certificate("fabrikam"); err != nil || c == nil || len(c.Certificate) == 0 {
		t.Errorf("Certificate(fabrikam) = %v, %v; want the loaded certificate", c, err)
	}
	var none *Identities
	if none.Warnings() != nil {
		t.Error("nil Identities has warnings")
	}
}
