// Package testpki is a throw-away certificate authority for the examples' tests: the relay's and
// the milter's loopback and interop tests issue the gateway's, Exchange Online's and the next
// hops' certificates from it. Nothing it makes is meant to leave a test.
package testpki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a test certificate authority valid from an hour ago for a day.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// Pool holds Cert alone: the roots a test verifies against.
	Pool *x509.CertPool
	n    int64
}

// New makes a CA.
func New(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tenantgate test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &CA{Cert: ca, Key: key, Pool: pool, n: 1}
}

// Leaf issues a certificate whose CN is names[0] and whose DNS SANs are names. Without usages it
// is serverAuth only: the 2026 public-CA profile Exchange Online's certificate follows.
func (p *CA) Leaf(t testing.TB, names []string, usages ...x509.ExtKeyUsage) *tls.Certificate {
	t.Helper()
	if usages == nil {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.n++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.n), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: usages,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.Cert, &key.PublicKey, p.Key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// WriteCA writes the CA certificate to dir/ca.pem and returns the path.
func (p *CA) WriteCA(t testing.TB, dir string) string {
	t.Helper()
	f := filepath.Join(dir, "ca.pem")
	write(t, f, PEM("CERTIFICATE", p.Cert.Raw), 0o644) // an MTA under test may read it as another user
	return f
}

// WritePEM writes c's chain and key to dir/name.pem and dir/name.key.
func WritePEM(t testing.TB, dir, name string, c *tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	var cb bytes.Buffer
	for _, der := range c.Certificate {
		cb.Write(PEM("CERTIFICATE", der))
	}
	k, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	write(t, certFile, cb.Bytes(), 0o600)
	write(t, keyFile, PEM("PRIVATE KEY", k), 0o600)
	return certFile, keyFile
}

// PEM encodes one block.
func PEM(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func write(t testing.TB, name string, b []byte, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(name, b, perm); err != nil {
		t.Fatal(err)
	}
}
