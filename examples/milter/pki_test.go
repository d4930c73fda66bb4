package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"testing"
	"time"
)

// pki is a test certificate authority.
type pki struct {
	ca   *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
	n    int64
}

func newPKI(t testing.TB) *pki {
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
	ca, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &pki{ca: ca, key: key, pool: pool, n: 1}
}

// leaf issues a certificate whose CN is names[0] and whose DNS SANs are names. Without usages
// it is serverAuth only: the 2026 public-CA profile Exchange Online's certificate follows.
func (p *pki) leaf(t testing.TB, names []string, usages ...x509.ExtKeyUsage) *tls.Certificate {
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
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// writePEM writes c's chain and key to dir/name.pem and dir/name.key.
func writePEM(t testing.TB, dir, name string, c *tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	var cb, kb bytes.Buffer
	for _, der := range c.Certificate {
		pemEncode(&cb, "CERTIFICATE", der)
	}
	k, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pemEncode(&kb, "PRIVATE KEY", k)
	certFile, keyFile = dir+"/"+name+".pem", dir+"/"+name+".key"
	if err := os.WriteFile(certFile, cb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, kb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func pemEncode(w io.Writer, typ string, der []byte) {
	pem.Encode(w, &pem.Block{Type: typ, Bytes: der})
}

// writeCA writes the CA certificate to dir/ca.pem.
func (p *pki) writeCA(t testing.TB, dir string) string {
	t.Helper()
	var b bytes.Buffer
	pemEncode(&b, "CERTIFICATE", p.ca.Raw)
	f := dir + "/ca.pem"
	if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}
