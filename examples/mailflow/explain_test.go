package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// writePEM writes certificates as PEM to a file in dir and returns its path.
func writePEM(t *testing.T, dir, name string, ders ...[]byte) string {
	t.Helper()
	var b bytes.Buffer
	for _, der := range ders {
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// newCA and newLeaf make a test PKI valid through 2026.
func newCA(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key, der
}

func newLeaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, dns string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: dns}, DNSNames: []string{dns},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestExplainPeerCert checks --peer-cert: the chain is verified against --roots at --at, and only a
// verified Exchange Online certificate from an Exchange Online address makes the message own-tenant
// (docs/threat-model.md#rule-1; a serverAuth-only leaf is accepted, tlsid.VerifyOptions). Every
// other case fails closed to internet.
func TestExplainPeerCert(t *testing.T) {
	dir := t.TempDir()
	ca, caKey, caDER := newCA(t, "Test Root")
	_, _, otherDER := newCA(t, "Other Root")
	roots := writePEM(t, dir, "roots.pem", caDER)
	otherRoots := writePEM(t, dir, "other.pem", otherDER)
	exo := writePEM(t, dir, "exo.pem", newLeaf(t, ca, caKey, "mail.protection.outlook.com"))
	fake := writePEM(t, dir, "fake.pem", newLeaf(t, ca, caKey, "mail.protection.outlook.com.evil.example"))

	type got struct {
		Verified bool
		EXO      bool
		Origin   classify.Origin
	}
	tests := []struct {
		name string
		args []string
		want got
	}{
		{"verified", []string{"--peer-ip", "40.92.0.1", "--peer-cert", exo, "--roots", roots, "--at", "2026-11-26T10:00:00Z"}, got{true, true, classify.OwnTenant}},
		// Not in the Exchange Online networks: the certificate alone proves nothing.
		{"outside-networks", []string{"--peer-ip", "192.0.2.1", "--peer-cert", exo, "--roots", roots, "--at", "2026-11-26T10:00:00Z"}, got{true, false, classify.Internet}},
		{"expired", []string{"--peer-ip", "40.92.0.1", "--peer-cert", exo, "--roots", roots, "--at", "2027-06-01T00:00:00Z"}, got{false, false, classify.Internet}},
		{"wrong-roots", []string{"--peer-ip", "40.92.0.1", "--peer-cert", exo, "--roots", otherRoots, "--at", "2026-11-26T10:00:00Z"}, got{false, false, classify.Internet}},
		// A name that merely starts with Exchange Online's is not Exchange Online's.
		{"other-name", []string{"--peer-ip", "40.92.0.1", "--peer-cert", fake, "--roots", roots, "--at", "2026-11-26T10:00:00Z"}, got{true, false, classify.Internet}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"explain", "--format", "json", "--config", "testdata/demo.json"}, tc.args...)
			args = append(args, "testdata/explain-contoso.eml")
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			var e explainJSON
			if err := json.Unmarshal(stdout.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got{e.Session.TLS.Verified, e.Verdict.Peer.EXO, e.Verdict.Origin}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"explain", "--config", "testdata/demo.json", "--peer-cert", exo, "--roots", roots, "--at", "yesterday",
		"testdata/explain-contoso.eml"}, &stdout, &stderr); code != 1 || !bytes.Contains(stderr.Bytes(), []byte("not an RFC 3339 time")) {
		t.Errorf("bad --at: exit %d, stderr %q", code, stderr.String())
	}
}

// TestExplainPolicyAndDKIM: --policy sets classify options and --dkim supplies the DKIM results an
// MTA verified. Without a CrossTenant-Id the mail is never ours (docs/threat-model.md#rule-2),
// unless dkimFallback is on and the pass is for one of the tenant's own signing domains (threat
// cases 12 and 17: contoso.com is in contoso's dkimSigningDomains, attacker.onmicrosoft.com is
// not).
func TestExplainPolicyAndDKIM(t *testing.T) {
	msg := filepath.Join(t.TempDir(), "no-tenant-header.eml")
	if err := os.WriteFile(msg, []byte("X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n"+
		"X-MS-Exchange-CrossTenant-AuthAs: Internal\r\nFrom: carol@contoso.com\r\nTo: erin@woodgrove.example\r\n"+
		"Subject: hello\r\n\r\nbody\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	peer := []string{"--peer-ip", "40.92.0.1", "--peer-cert-name", "mail.protection.outlook.com", "--verified"}
	for _, tc := range []struct {
		name  string
		args  []string
		want  classify.Origin
		code  int
		error string
	}{
		{"no evidence", nil, classify.OtherTenant, 0, ""},
		{"pass without fallback", []string{"--dkim", "contoso.com=pass"}, classify.OtherTenant, 0, ""},
		{"fallback with own pass", []string{"--policy", `{"dkimFallback": true}`, "--dkim", "contoso.com=pass"}, classify.OwnTenant, 0, ""},
		{"fallback with foreign pass", []string{"--policy", `{"dkimFallback": true}`, "--dkim", "attacker.onmicrosoft.com=pass"}, classify.OtherTenant, 0, ""},
		{"fallback with own fail", []string{"--policy", `{"dkimFallback": true}`, "--dkim", "contoso.com=fail"}, classify.OtherTenant, 0, ""},
		{"bad dkim", []string{"--dkim", "contoso.com"}, "", 2, "want DOMAIN=RESULT"},
		{"bad policy field", []string{"--policy", `{"relayKind": []}`}, "", 2, "unknown field"},
		{"bad policy value", []string{"--policy", `{"relayKinds": ["everyone"]}`}, "", 2, "unknown relay kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"explain", "--format", "json", "--config", "testdata/demo.json"}, peer...)
			args = append(append(args, tc.args...), msg)
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr.String())
			}
			if tc.code != 0 {
				if !bytes.Contains(stderr.Bytes(), []byte(tc.error)) {
					t.Errorf("stderr %q; want it to say %q", stderr.String(), tc.error)
				}
				return
			}
			var e explainJSON
			if err := json.Unmarshal(stdout.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if e.Verdict.Origin != tc.want {
				t.Errorf("origin %s; want %s (reasons %v)", e.Verdict.Origin, tc.want, e.Verdict.Reasons)
			}
		})
	}
}

// explainJSON is the part of explain's JSON output the tests read: the library's types no
// longer decode it, since every "tenant" in it is a {id, name} object (writeOutput).
type explainJSON struct {
	Session struct {
		TLS struct {
			Verified bool `json:"verified"`
		} `json:"tls"`
	} `json:"session"`
	Verdict struct {
		Origin classify.Origin `json:"origin"`
		Peer   struct {
			EXO bool `json:"exo"`
		} `json:"peer"`
		Tenant  tenantRef           `json:"tenant"`
		Reasons []tenantgate.Reason `json:"reasons"`
	} `json:"verdict"`
}
