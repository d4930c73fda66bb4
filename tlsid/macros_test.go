package tlsid

import (
	"crypto/tls"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFromMacrosDNLookingCN (issue 12 item 3): the CN is read the way the MTA wrote it, never
// guessed from the value's shape. Postfix's {cert_subject} is the CN itself (MILTER_README:
// "Client certificate subject (CN)"), so a certificate whose CN is
// "x,CN=mail.protection.outlook.com" has that CN, which is no host name: verified, no name.
// Sendmail's is xtext(X509_NAME_oneline(subject)) (RFC 3461 §4) or an RFC 4514 string, read
// strictly; a value that reads two ways is unverified with a reason.
func TestFromMacrosDNLookingCN(t *testing.T) {
	exo := []string{"mail.protection.outlook.com"}
	const v13 = tls.VersionTLS13
	tests := []struct {
		name    string
		m       Macros
		names   []string // nil: verified without a name, or unverified
		unverif bool
		wantErr string
	}{
		// Postfix: verbatim CN.
		{name: "postfix attack CN", m: Macros{CertSubject: "x,CN=mail.protection.outlook.com"}},
		{name: "postfix attack CN slash", m: Macros{CertSubject: "/CN=mail.protection.outlook.com"}},
		{name: "postfix attack CN RFC 4514", m: Macros{CertSubject: "CN=mail.protection.outlook.com"}},
		{name: "postfix plain CN", m: Macros{CertSubject: "mail.protection.outlook.com"}, names: exo},
		// Sendmail, slash form as OpenSSL's X509_NAME_oneline writes it, xtext-encoded.
		{name: "sendmail slash", m: Macros{Dialect: Sendmail, CertSubject: "/C=US/ST=Washington/L=Redmond/O=Microsoft+20Corporation/CN=mail.protection.outlook.com"}, names: exo},
		{name: "sendmail slash trailing slash", m: Macros{Dialect: Sendmail, CertSubject: "/C=US/CN=mail.protection.outlook.com/"}, names: exo},
		{name: "sendmail slash attack CN", m: Macros{Dialect: Sendmail, CertSubject: "/C=US/CN=x,CN=mail.protection.outlook.com"}, unverif: true, wantErr: "ambiguous"},
		{name: "sendmail slash two CNs", m: Macros{Dialect: Sendmail, CertSubject: "/CN=x/CN=mail.protection.outlook.com"}, unverif: true, wantErr: "2 common names"},
		{name: "sendmail slash commonName and CN", m: Macros{Dialect: Sendmail, CertSubject: "/commonName=x/CN=mail.protection.outlook.com"}, unverif: true, wantErr: "2 common names"},
		{name: "sendmail slash OID CN", m: Macros{Dialect: Sendmail, CertSubject: "/O=x/2.5.4.3=mail.protection.outlook.com/CN=y"}, unverif: true, wantErr: "2 common names"},
		{name: "sendmail slash in a value", m: Macros{Dialect: Sendmail, CertSubject: "/O=a/b/CN=mail.protection.outlook.com"}, unverif: true, wantErr: "no type=value"},
		{name: "sendmail oneline escape", m: Macros{Dialect: Sendmail, CertSubject: "/CN=mail.protection.outlook.com+5Cx00"}, unverif: true, wantErr: "ambiguous"},
		{name: "sendmail slash empty", m: Macros{Dialect: Sendmail, CertSubject: "/"}, unverif: true, wantErr: "empty DN"},
		{name: "sendmail bad xtext", m: Macros{Dialect: Sendmail, CertSubject: "/CN=mail.protection.outlook.com+2"}, unverif: true, wantErr: "two hex digits"},
		{name: "sendmail xtext NUL", m: Macros{Dialect: Sendmail, CertSubject: "/CN=mail.protection.outlook.com+00.evil"}, unverif: true, wantErr: "NUL"},
		// {cn_subject} closes the gap of the slash form: an O holding "/CN=…" in a certificate
		// without a CN of its own reads as a CN, but Sendmail's {cn_subject} is empty or differs.
		{name: "sendmail cn_subject agrees", m: Macros{Dialect: Sendmail, CertSubject: "/O=Microsoft+20Corporation/CN=mail.protection.outlook.com", CNSubject: "mail.protection.outlook.com"}, names: exo},
		{name: "sendmail cn_subject disagrees", m: Macros{Dialect: Sendmail, CertSubject: "/O=x/CN=mail.protection.outlook.com", CNSubject: "BadCertificateUnknown"}, unverif: true, wantErr: "{cn_subject}"},
		// Sendmail, RFC 4514 form.
		{name: "sendmail RFC 4514", m: Macros{Dialect: Sendmail, CertSubject: "CN=mail.protection.outlook.com,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US"}, names: exo},
		{name: "sendmail RFC 4514 attack CN unescaped", m: Macros{Dialect: Sendmail, CertSubject: "CN=x,CN=mail.protection.outlook.com"}, unverif: true, wantErr: "2 common names"},
		{name: "sendmail RFC 4514 CN a CN b", m: Macros{Dialect: Sendmail, CertSubject: "CN=a,CN=b"}, unverif: true, wantErr: "2 common names"},
		{name: "sendmail RFC 4514 multi-valued RDN", m: Macros{Dialect: Sendmail, CertSubject: "CN=a+2B CN=b"}, unverif: true, wantErr: "attribute type"},
		{name: "sendmail RFC 4514 multi-valued CNs", m: Macros{Dialect: Sendmail, CertSubject: "O=a+2BCN=mail.protection.outlook.com+2BCN=b"}, unverif: true, wantErr: "2 common names"},
		// Escaped commas are one CN "x,CN=mail.protection.outlook.com": no host name.
		{name: "sendmail RFC 4514 escaped commas", m: Macros{Dialect: Sendmail, CertSubject: `CN=x\,CN\=mail.protection.outlook.com,O=evil`}},
		{name: "sendmail RFC 4514 hex-escaped comma", m: Macros{Dialect: Sendmail, CertSubject: `CN=x\2CCN=mail.protection.outlook.com`}},
		{name: "sendmail RFC 4514 escaped dot", m: Macros{Dialect: Sendmail, CertSubject: `CN=mail\.protection.outlook.com`}, unverif: true, wantErr: "pair"},
		{name: "sendmail RFC 4514 hex-escaped letters", m: Macros{Dialect: Sendmail, CertSubject: `CN=mail.protection.outlook.co\6D`}, names: exo},
		{name: "sendmail RFC 4514 unescaped quote", m: Macros{Dialect: Sendmail, CertSubject: `CN=mail.protection.outlook.com,O="x"`}, unverif: true, wantErr: "unescaped"},
		{name: "sendmail RFC 4514 semicolon", m: Macros{Dialect: Sendmail, CertSubject: "CN=mail.protection.outlook.com;O=x"}, unverif: true, wantErr: "unescaped"},
		{name: "sendmail RFC 4514 space after comma", m: Macros{Dialect: Sendmail, CertSubject: "O=x, CN=mail.protection.outlook.com"}, unverif: true, wantErr: "attribute type"},
		{name: "sendmail RFC 4514 trailing space", m: Macros{Dialect: Sendmail, CertSubject: "CN=mail.protection.outlook.com ,O=x"}, unverif: true, wantErr: "trailing space"},
		{name: "sendmail RFC 4514 hex CN", m: Macros{Dialect: Sendmail, CertSubject: "CN=#0403616263"}, unverif: true, wantErr: "#hex"},
		{name: "sendmail RFC 4514 hex O", m: Macros{Dialect: Sendmail, CertSubject: "O=#0403616263,CN=mail.protection.outlook.com"}, names: exo},
		{name: "sendmail RFC 4514 trailing comma", m: Macros{Dialect: Sendmail, CertSubject: "CN=mail.protection.outlook.com,"}, unverif: true, wantErr: "separator"},
		{name: "sendmail plain CN is no DN", m: Macros{Dialect: Sendmail, CertSubject: "mail.protection.outlook.com"}, unverif: true, wantErr: "no '='"},
		{name: "unknown dialect", m: Macros{Dialect: Dialect(7), CertSubject: "mail.protection.outlook.com"}, unverif: true, wantErr: "dialect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.m.TLSVersion = "TLSv1.3"
			got := FromMacros(tc.m)
			want := Evidence{TLS: true, Version: v13, Verified: !tc.unverif, Names: tc.names, Subject: tc.m.CertSubject}
			if tc.wantErr == "" && got.Error != "" {
				t.Errorf("Error = %q, want none", got.Error)
			}
			if tc.wantErr != "" && !strings.Contains(got.Error, tc.wantErr) {
				t.Errorf("Error = %q, want it to contain %q", got.Error, tc.wantErr)
			}
			if strings.ContainsAny(got.Error, "\r\n\x00") {
				t.Errorf("Error %q holds a line break or NUL", got.Error)
			}
			got.Error = ""
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FromMacros (-want +got):\n%s", diff)
			}
		})
	}
}

// A configuration names the dialect as text; the zero value is Postfix.
func TestDialectText(t *testing.T) {
	var c struct {
		MTA Dialect `json:"mta"`
	}
	if err := json.Unmarshal([]byte(`{}`), &c); err != nil || c.MTA != Postfix {
		t.Fatalf("default: %v, %v", c.MTA, err)
	}
	if err := json.Unmarshal([]byte(`{"mta":"Sendmail"}`), &c); err != nil || c.MTA != Sendmail {
		t.Fatalf("sendmail: %v, %v", c.MTA, err)
	}
	if err := json.Unmarshal([]byte(`{"mta":"exim"}`), &c); err == nil {
		t.Fatal("exim accepted")
	}
	b, err := json.Marshal(struct{ D Dialect }{Sendmail})
	if err != nil || string(b) != `{"D":"sendmail"}` {
		t.Fatalf("marshal: %s, %v", b, err)
	}
}
