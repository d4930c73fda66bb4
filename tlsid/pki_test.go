package tlsid

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// The test PKI is generated on every run; no key is committed. Validity windows are fixed around
// testNow so that expiry tests do not depend on the clock.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

type testCert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// tlsCert returns c with its issuing chain (without the root) as a tls.Certificate.
func (c testCert) tlsCert(chain ...testCert) *tls.Certificate {
	tc := &tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key, Leaf: c.cert}
	for _, i := range chain {
		tc.Certificate = append(tc.Certificate, i.cert.Raw)
	}
	return tc
}

type leafSpec struct {
	cn        string
	dns       []string
	eku       []x509.ExtKeyUsage
	notBefore time.Time // zero: testNow - 24h
	notAfter  time.Time // zero: testNow + 90 days
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var serial int64

func issue(t testing.TB, tmpl *x509.Certificate, parent *testCert) testCert {
	t.Helper()
	key := newKey(t)
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	signer, parentCert := crypto.Signer(key), tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{cert: c, key: key}
}

func newCA(t testing.TB, cn string, parent *testCert) testCert {
	return issue(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"tenantgate test"}},
		NotBefore:             testNow.Add(-365 * 24 * time.Hour),
		NotAfter:              testNow.Add(5 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, parent)
}

func newLeaf(t testing.TB, s leafSpec, parent *testCert) testCert {
	nb, na := s.notBefore, s.notAfter
	if nb.IsZero() {
		nb = testNow.Add(-24 * time.Hour)
	}
	if na.IsZero() {
		na = testNow.Add(90 * 24 * time.Hour)
	}
	return issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: s.cn},
		DNSNames:    s.dns,
		NotBefore:   nb,
		NotAfter:    na,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: s.eku,
	}, parent)
}

var (
	serverAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	clientAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	bothAuth   = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
)

// testPKI is a root, an intermediate, a second unrelated root, and leaves under the intermediate.
type testPKI struct {
	root, inter, otherRoot testCert
	roots, otherRoots      *x509.CertPool

	exoServerAuth, exoClientAuth, exoBoth testCert // mail.protection.outlook.com
	expired, notYetValid                  testCert
	selfSigned                            testCert
	wildcard                              testCert // *.gw.example.net
	cnOnly                                testCert // CN mail.protection.outlook.com, no SAN
	several                               testCert // several SANs
	wrongRoot                             testCert // issued by otherRoot
	emailOnly                             testCert // EKU emailProtection only
	contoso, fabrikam, internet           testCert // gateway identities (demo.json), serverAuth only
	contosoBoth, contosoNoEKU             testCert // contoso's with clientAuth too, and without an EKU extension
	nul                                   testCert // SAN with an embedded NUL
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	p := &testPKI{}
	p.root = newCA(t, "Test Root", nil)
	p.inter = newCA(t, "Test Intermediate", &p.root)
	p.otherRoot = newCA(t, "Other Root", nil)
	p.roots = x509.NewCertPool()
	p.roots.AddCert(p.root.cert)
	p.otherRoots = x509.NewCertPool()
	p.otherRoots.AddCert(p.otherRoot.cert)
	exo := []string{"mail.protection.outlook.com"}
	p.exoServerAuth = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: serverAuth}, &p.inter)
	p.exoClientAuth = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: clientAuth}, &p.inter)
	p.exoBoth = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: bothAuth}, &p.inter)
	p.expired = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: serverAuth,
		notBefore: testNow.Add(-100 * 24 * time.Hour), notAfter: testNow.Add(-time.Hour)}, &p.inter)
	p.notYetValid = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: serverAuth,
		notBefore: testNow.Add(time.Hour), notAfter: testNow.Add(100 * 24 * time.Hour)}, &p.inter)
	p.selfSigned = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: bothAuth}, nil)
	p.wildcard = newLeaf(t, leafSpec{cn: "*.gw.example.net", dns: []string{"*.gw.example.net"}, eku: serverAuth}, &p.inter)
	p.cnOnly = newLeaf(t, leafSpec{cn: exo[0], eku: serverAuth}, &p.inter)
	p.several = newLeaf(t, leafSpec{cn: "outlook.com",
		dns: []string{"outlook.com", "MAIL.Protection.Outlook.com", "*.mail.protection.outlook.com", "f*.example.com", "mail.protection.outlook.com"},
		eku: serverAuth}, &p.inter)
	p.wrongRoot = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: serverAuth}, &p.otherRoot)
	p.emailOnly = newLeaf(t, leafSpec{cn: exo[0], dns: exo, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}, &p.inter)
	p.contoso = newLeaf(t, leafSpec{cn: "contoso.gw.example.net", dns: []string{"contoso.gw.example.net"}, eku: serverAuth}, &p.inter)
	p.fabrikam = newLeaf(t, leafSpec{cn: "fabrikam.gw.example.net", dns: []string{"fabrikam.gw.example.net"}, eku: serverAuth}, &p.inter)
	p.contosoBoth = newLeaf(t, leafSpec{cn: "contoso.gw.example.net", dns: []string{"contoso.gw.example.net"}, eku: bothAuth}, &p.inter)
	p.contosoNoEKU = newLeaf(t, leafSpec{cn: "contoso.gw.example.net", dns: []string{"contoso.gw.example.net"}}, &p.inter)
	p.internet = newLeaf(t, leafSpec{cn: "gw.example.net", dns: []string{"gw.example.net"}, eku: serverAuth}, &p.inter)
	p.nul = newLeaf(t, leafSpec{cn: exo[0], dns: []string{"mail.protection.outlook.com\x00.evil.tld"}, eku: serverAuth}, &p.inter)
	return p
}

func (p *testPKI) opts() VerifyOptions { return VerifyOptions{Roots: p.roots, Now: testNow} }

// chain returns leaf and the intermediate, as a server sends them.
func (p *testPKI) chain(leaf testCert) []*x509.Certificate {
	return []*x509.Certificate{leaf.cert, p.inter.cert}
}
