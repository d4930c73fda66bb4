package main

import (
	"crypto/x509"
	"slices"
	"testing"
)

// TestEXOServerAuthOnlyClientCertificate keeps the receiving half of issue 15 item 9: public CAs
// stopped issuing the clientAuth extended key usage in 2026 (DigiCert,
// https://knowledge.digicert.com/alerts/sunsetting-client-authentication-eku-from-digicert-public-tls-certificates;
// LevelBlue MailMarshal, https://support.levelblue.com/kb/KnowledgebaseArticle21258.aspx: "you must
// allow SMTP Client Certificates that do not contain the Client Authentication EKU"), so the
// certificate Exchange Online presents as a client carries serverAuth only. The relay must accept
// it: a certificate shaped like Exchange Online's (CN and SAN mail.protection.outlook.com, EKU
// serverAuth only) relays own-tenant mail. Postfix refuses the same certificate (tlsid's package
// documentation, examples/milter/README.md).
func TestEXOServerAuthOnlyClientCertificate(t *testing.T) {
	w := newWorld(t, nil)
	leaf, err := x509.ParseCertificate(w.exo.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) || leaf.Subject.CommonName != "mail.protection.outlook.com" {
		t.Fatalf("test certificate: EKU %v, CN %q; want serverAuth only, mail.protection.outlook.com", leaf.ExtKeyUsage, leaf.Subject.CommonName)
	}
	c := w.dial(t, w.clientTLS(w.exo))
	msg := exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-serverauth-only")
	got, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, msg)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rcpt[0] != nil || got.Data != nil {
		t.Fatalf("serverAuth-only Exchange Online certificate: RCPT %v, DATA %v; want both accepted", got.Rcpt[0], got.Data)
	}
	if n := w.good.count("tok-serverauth-only"); n != 1 {
		t.Fatalf("sink holds %d copies, want 1", n)
	}
}
