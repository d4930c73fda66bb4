package tlsid

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestVerify(t *testing.T) {
	p := newTestPKI(t)
	exo := []string{"mail.protection.outlook.com"}
	const (
		exoSubject = "CN=mail.protection.outlook.com"
		issuer     = "CN=Test Intermediate,O=tenantgate test"
	)
	tests := []struct {
		name    string
		chain   []*x509.Certificate
		opts    VerifyOptions
		want    Evidence
		wantErr string // substring of Evidence.Error
	}{
		{name: "no certificate", chain: nil, opts: p.opts(), want: Evidence{TLS: true}},
		// docs/certificates.md#rules-followed: a serverAuth-only client certificate must verify.
		{name: "server-auth only", chain: p.chain(p.exoServerAuth), opts: p.opts(),
			want: Evidence{TLS: true, Verified: true, Names: exo, Subject: exoSubject, Issuer: issuer}},
		{name: "client-auth only", chain: p.chain(p.exoClientAuth), opts: p.opts(),
			want: Evidence{TLS: true, Verified: true, Names: exo, Subject: exoSubject, Issuer: issuer}},
		{name: "both usages", chain: p.chain(p.exoBoth), opts: p.opts(),
			want: Evidence{TLS: true, Verified: true, Names: exo, Subject: exoSubject, Issuer: issuer}},
		{name: "intermediate from options", chain: []*x509.Certificate{p.exoBoth.cert},
			opts: VerifyOptions{Roots: p.roots, Now: testNow, Intermediates: pool(p.inter.cert)},
			want: Evidence{TLS: true, Verified: true, Names: exo, Subject: exoSubject, Issuer: issuer}},
		// Threats case 5: a certificate that fails chain validation is not verified.
		{name: "missing intermediate", chain: []*x509.Certificate{p.exoBoth.cert}, opts: p.opts(),
			want:    Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer},
			wantErr: "unknown authority"},
		{name: "email-protection only", chain: p.chain(p.emailOnly), opts: p.opts(),
			want:    Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer},
			wantErr: "incompatible key usage"},
		{name: "server-auth refused when clientAuth required", chain: p.chain(p.exoServerAuth),
			opts: VerifyOptions{Roots: p.roots, Now: testNow, KeyUsages: clientAuth},
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "incompatible key usage"},
		{name: "expired", chain: p.chain(p.expired), opts: p.opts(),
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "expired"},
		{name: "not yet valid", chain: p.chain(p.notYetValid), opts: p.opts(),
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "not yet valid"},
		{name: "self-signed", chain: []*x509.Certificate{p.selfSigned.cert}, opts: p.opts(),
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: exoSubject}, wantErr: "unknown authority"},
		{name: "wrong root", chain: []*x509.Certificate{p.wrongRoot.cert}, opts: p.opts(),
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: "CN=Other Root,O=tenantgate test"}, wantErr: "unknown authority"},
		{name: "right chain, other roots", chain: p.chain(p.exoBoth), opts: VerifyOptions{Roots: p.otherRoots, Now: testNow},
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "unknown authority"},
		// Fail closed without roots or time: no system pool, no clock.
		{name: "nil roots", chain: p.chain(p.exoBoth), opts: VerifyOptions{Now: testNow},
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "no trust roots"},
		{name: "zero time", chain: p.chain(p.exoBoth), opts: VerifyOptions{Roots: p.roots},
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "no verification time"},
		// The CN is never a name (threats case 6: a CN match but no SAN).
		{name: "CN only", chain: p.chain(p.cnOnly), opts: p.opts(),
			want: Evidence{TLS: true, Verified: true, Subject: exoSubject, Issuer: issuer}},
		{name: "wildcard SAN kept", chain: p.chain(p.wildcard), opts: p.opts(),
			want: Evidence{TLS: true, Verified: true, Names: []string{"*.gw.example.net"}, Subject: "CN=*.gw.example.net", Issuer: issuer}},
		// Several SANs: normalised, deduplicated, partial wildcard dropped, order kept.
		{name: "several SANs", chain: p.chain(p.several), opts: p.opts(),
			want: Evidence{TLS: true, Verified: true, Subject: "CN=outlook.com", Issuer: issuer,
				Names: []string{"outlook.com", "mail.protection.outlook.com", "*.mail.protection.outlook.com"}}},
		// A SAN with an embedded NUL is dropped; the chain still verifies but carries no name.
		{name: "NUL in SAN", chain: p.chain(p.nul), opts: p.opts(),
			want: Evidence{TLS: true, Verified: true, Subject: exoSubject, Issuer: issuer}},
		{name: "nil leaf", chain: []*x509.Certificate{nil}, opts: p.opts(),
			want: Evidence{TLS: true}, wantErr: "nil leaf"},
		{name: "nil intermediate", chain: []*x509.Certificate{p.exoBoth.cert, nil}, opts: p.opts(),
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "chain[1]"},
		{name: "over-long chain", chain: append(p.chain(p.exoBoth), make([]*x509.Certificate, MaxChain)...), opts: p.opts(),
			want: Evidence{TLS: true, Names: exo, Subject: exoSubject, Issuer: issuer}, wantErr: "exceeds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Verify(tc.chain, tc.opts)
			if tc.wantErr != "" && !strings.Contains(got.Error, tc.wantErr) {
				t.Errorf("Error = %q, want it to contain %q", got.Error, tc.wantErr)
			}
			if tc.wantErr == "" && got.Error != "" {
				t.Errorf("Error = %q, want none", got.Error)
			}
			got.Error = ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Verify (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVerifyThenVerifyPeer runs the EXO peer check end to end over generated certificates:
// threats cases 5 and 6 fail, the genuine certificate passes.
func TestVerifyThenVerifyPeer(t *testing.T) {
	p := newTestPKI(t)
	exo := []string{"mail.protection.outlook.com"}
	near := func(name string) testCert {
		return newLeaf(t, leafSpec{cn: name, dns: []string{name}, eku: serverAuth}, &p.inter)
	}
	tests := []struct {
		name string
		leaf testCert
		ok   bool
	}{
		{"genuine server-auth only", p.exoServerAuth, true},
		{"several SANs", p.several, true},
		{"expired", p.expired, false},
		{"not yet valid", p.notYetValid, false},
		{"self-signed", p.selfSigned, false},
		{"wrong root", p.wrongRoot, false},
		{"CN only", p.cnOnly, false},
		{"NUL", p.nul, false},
		{"comx", near("mail.protection.outlook.comx"), false},
		{"evil suffix", near("mail.protection.outlook.com.evil.tld"), false},
		{"evil prefix", near("evil-mail.protection.outlook.com"), false},
		{"*.outlook.com", near("*.outlook.com"), false},
	}
	for _, tc := range tests {
		chain := p.chain(tc.leaf)
		if tc.leaf.cert.Issuer.CommonName != "Test Intermediate" {
			chain = chain[:1]
		}
		err := VerifyPeer(Verify(chain, p.opts()), exo)
		if (err == nil) != tc.ok {
			t.Errorf("%s: VerifyPeer = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestFromConnectionState(t *testing.T) {
	p := newTestPKI(t)
	if diff := cmp.Diff(Evidence{}, FromConnectionState(tls.ConnectionState{}, p.opts())); diff != "" {
		t.Errorf("zero state (-want +got):\n%s", diff)
	}
	cs := tls.ConnectionState{Version: tls.VersionTLS13, PeerCertificates: p.chain(p.exoServerAuth)}
	want := Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Names: []string{"mail.protection.outlook.com"},
		Subject: "CN=mail.protection.outlook.com", Issuer: "CN=Test Intermediate,O=tenantgate test"}
	if diff := cmp.Diff(want, FromConnectionState(cs, p.opts())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The same state a year later: the leaf (90 days) has expired.
	late := p.opts()
	late.Now = testNow.Add(365 * 24 * time.Hour)
	if ev := FromConnectionState(cs, late); ev.Verified {
		t.Errorf("verified after expiry: %+v", ev)
	}
}

func TestFromMacros(t *testing.T) {
	exo := []string{"mail.protection.outlook.com"}
	tests := []struct {
		name    string
		m       Macros
		want    Evidence
		wantErr string
	}{
		{name: "plaintext", m: Macros{}, want: Evidence{}},
		{name: "subject without TLS", m: Macros{CertSubject: "mail.protection.outlook.com"}, want: Evidence{}, wantErr: "without {tls_version}"},
		{name: "TLS without certificate", m: Macros{TLSVersion: "TLSv1.3"}, want: Evidence{TLS: true, Version: tls.VersionTLS13}},
		// Postfix passes the CN, and only for a verified certificate
		// (examples/milter/README.md#what-postfix-passes).
		{name: "postfix CN", m: Macros{TLSVersion: "TLSv1.2", CertSubject: "mail.protection.outlook.com", CertIssuer: "DigiCert Cloud Services CA-1"},
			want: Evidence{TLS: true, Version: tls.VersionTLS12, Verified: true, Names: exo,
				Subject: "mail.protection.outlook.com", Issuer: "DigiCert Cloud Services CA-1"}},
		{name: "postfix CN upper case", m: Macros{TLSVersion: "TLSv1.3", CertSubject: "MAIL.protection.outlook.COM"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Names: exo, Subject: "MAIL.protection.outlook.COM"}},
		{name: "sendmail DN", m: Macros{Dialect: Sendmail, TLSVersion: "TLSv1.3", CertSubject: "/C=US/ST=Washington/O=Microsoft Corporation/CN=mail.protection.outlook.com"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Names: exo,
				Subject: "/C=US/ST=Washington/O=Microsoft Corporation/CN=mail.protection.outlook.com"}},
		{name: "RFC 4514 DN", m: Macros{Dialect: Sendmail, TLSVersion: "TLSv1.3", CertSubject: "CN=mail.protection.outlook.com,O=Microsoft Corporation,C=US"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Names: exo,
				Subject: "CN=mail.protection.outlook.com,O=Microsoft Corporation,C=US"}},
		{name: "DN with two CNs", m: Macros{Dialect: Sendmail, TLSVersion: "TLSv1.3", CertSubject: "/CN=mail.protection.outlook.com/CN=evil.tld"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Subject: "/CN=mail.protection.outlook.com/CN=evil.tld"}, wantErr: "2 common names"},
		{name: "DN without CN", m: Macros{Dialect: Sendmail, TLSVersion: "TLSv1.3", CertSubject: "/O=Microsoft Corporation"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Subject: "/O=Microsoft Corporation"}, wantErr: "0 common names"},
		// A verified certificate whose CN is no DNS name carries no name.
		{name: "CN not a host name", m: Macros{TLSVersion: "TLSv1.3", CertSubject: "Microsoft Mail Service"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Subject: "Microsoft Mail Service"}},
		{name: "near miss", m: Macros{TLSVersion: "TLSv1.3", CertSubject: "mail.protection.outlook.comx"},
			want: Evidence{TLS: true, Version: tls.VersionTLS13, Verified: true, Names: []string{"mail.protection.outlook.comx"}, Subject: "mail.protection.outlook.comx"}},
		{name: "unknown version", m: Macros{TLSVersion: "QUIC", CertSubject: "mail.protection.outlook.com"},
			want: Evidence{TLS: true, Verified: true, Names: exo, Subject: "mail.protection.outlook.com"}},
		{name: "over-long", m: Macros{TLSVersion: "TLSv1.3", CertSubject: strings.Repeat("a", maxMacro+1)},
			want: Evidence{TLS: true, Version: tls.VersionTLS13}, wantErr: "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FromMacros(tc.m)
			if tc.wantErr != "" && !strings.Contains(got.Error, tc.wantErr) {
				t.Errorf("Error = %q, want it to contain %q", got.Error, tc.wantErr)
			}
			if tc.wantErr == "" && got.Error != "" {
				t.Errorf("Error = %q, want none", got.Error)
			}
			got.Error = ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FromMacros (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzFromMacros: FromMacros never panics, and its invariants hold in both dialects. Postfix's
// {cert_subject} is the CN verbatim, so a value holding ',', '=' or '/' (no DNS name holds them)
// never gives a name; Sendmail's gives a name only when it parses as a DN with exactly one CN
// (and that CN agrees with {cn_subject} when passed).
func FuzzFromMacros(f *testing.F) {
	f.Add("TLSv1.3", "mail.protection.outlook.com", "issuer", false, "")
	f.Add("TLSv1.2", "/C=US/CN=mail.protection.outlook.com", "", true, "")
	f.Add("TLSv1.3", "CN=a,CN=b", "", true, "")
	f.Add("TLSv1.3", "x,CN=mail.protection.outlook.com", "", false, "")
	f.Add("TLSv1.3", "x,CN=mail.protection.outlook.com", "", true, "")
	f.Add("TLSv1.3", `CN=x\,CN\=mail.protection.outlook.com,O=a+2Bb`, "", true, "")
	f.Add("TLSv1.3", "/O=Microsoft+20Corporation/CN=mail.protection.outlook.com/", "", true, "mail.protection.outlook.com")
	f.Add("TLSv1.3", "O=#0403616263,CN=mail.protection.outlook.co\\6D", "", true, "x")
	f.Add("", "x", "", false, "")
	f.Fuzz(func(t *testing.T, version, subject, issuer string, sendmail bool, cnSubject string) {
		m := Macros{TLSVersion: version, CertSubject: subject, CertIssuer: issuer, CNSubject: cnSubject}
		if sendmail {
			m.Dialect = Sendmail
		}
		ev := FromMacros(m)
		// No verification without TLS and a subject; names only from a verified subject, at
		// most one, always normalised.
		if ev.Verified && (version == "" || subject == "") {
			t.Errorf("verified without TLS or subject: %+v", ev)
		}
		if len(ev.Names) > 1 || (len(ev.Names) == 1 && !ev.Verified) {
			t.Errorf("names %q (verified %v)", ev.Names, ev.Verified)
		}
		for _, n := range ev.Names {
			if m, ok := NormalizeName(n); !ok || m != n {
				t.Errorf("name %q not normalised", n)
			}
		}
		if strings.ContainsAny(ev.Error, "\r\n") {
			t.Errorf("error %q holds a line break", ev.Error)
		}
		if !ev.Verified || len(subject) > maxMacro || len(cnSubject) > maxMacro || len(issuer) > maxMacro || len(version) > maxMacro {
			return
		}
		if !sendmail {
			if ev.Error != "" {
				t.Errorf("postfix: error %q for a verified subject", ev.Error)
			}
			if len(ev.Names) > 0 && strings.ContainsAny(subject, ",=/") {
				t.Errorf("postfix CN %q gave name %q", subject, ev.Names)
			}
			return
		}
		cn, err := dnCN(subject)
		if err != nil {
			t.Fatalf("sendmail: verified, but dnCN(%q): %v", subject, err)
		}
		if cnSubject != "" {
			if want, err := xtextDecode(cnSubject); err != nil || want != cn {
				t.Errorf("sendmail: verified with CN %q, {cn_subject} %q", cn, cnSubject)
			}
		}
		if n, ok := NormalizeName(cn); ok != (len(ev.Names) == 1) || (ok && ev.Names[0] != n) {
			t.Errorf("sendmail: CN %q, names %q", cn, ev.Names)
		}
	})
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// TestVerifyNameLimit: only the first MaxNames DNS SANs count, so a name after them is not
// carried (fail closed), and duplicates collapse.
func TestVerifyNameLimit(t *testing.T) {
	p := newTestPKI(t)
	dns := make([]string, 0, MaxNames+1)
	for i := range MaxNames {
		dns = append(dns, fmt.Sprintf("n%d.example.net", i%10))
	}
	dns = append(dns, "mail.protection.outlook.com")
	leaf := newLeaf(t, leafSpec{cn: "many", dns: dns, eku: serverAuth}, &p.inter)
	ev := Verify(p.chain(leaf), p.opts())
	want := []string{"n0.example.net", "n1.example.net", "n2.example.net", "n3.example.net", "n4.example.net",
		"n5.example.net", "n6.example.net", "n7.example.net", "n8.example.net", "n9.example.net"}
	if diff := cmp.Diff(want, ev.Names); diff != "" || !ev.Verified {
		t.Errorf("verified %v, names (-want +got):\n%s", ev.Verified, diff)
	}
}
