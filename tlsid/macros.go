package tlsid

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// Macros are the TLS macros an MTA passes to a milter. Empty means the MTA did not pass it.
//
// What the MTA must be configured to do (Postfix): request a client certificate and verify it —
// smtpd_tls_ask_ccert = yes, smtpd_tls_CAfile (or smtpd_tls_CApath) holding the roots that
// issue Exchange Online's certificate — and list the macros, e.g. milter_helo_macros and
// milter_mail_macros containing {tls_version} {cert_subject} {cert_issuer}. Postfix passes
// {cert_subject} and {cert_issuer} only when the client certificate verified; that is the whole
// basis of FromMacros' Verified.
//
// Postfix refuses serverAuth-only client certificates, the 2026 public-CA profile that Exchange
// Online's certificate follows (crypto/x509 ExtKeyUsage). Checked on 2026-11-26 with Postfix
// 3.7.11 and OpenSSL 3.0.19: a chain-valid client certificate with extended key usage serverAuth
// only gives "Untrusted TLS connection established", the same certificate with serverAuth and
// clientAuth gives "Trusted …"; `openssl verify -purpose sslclient` names the cause, "unsuitable
// certificate purpose". Postfix documents no setting that changes the purpose, so behind Postfix the milter sees
// no {cert_subject} for such a certificate and the evidence is unverified (fail closed: mail is
// never "ours"). Where Exchange Online presents a serverAuth-only certificate, terminate TLS in a
// Go server built with ServerConfig instead of relying on the macros.
type Macros struct {
	// Dialect is the MTA that passed the macros; it decides how CertSubject is read. The zero
	// value is Postfix.
	Dialect Dialect
	// TLSVersion is {tls_version}: "TLSv1.3", "TLSv1.2", … Empty: no TLS.
	TLSVersion string
	// CertSubject is {cert_subject}: Postfix passes the subject CN ("mail.protection.outlook.com"),
	// Sendmail the whole subject DN ("/C=US/O=Microsoft+20Corporation/CN=mail.protection.outlook.com").
	CertSubject string
	// CertIssuer is {cert_issuer}, in the same forms.
	CertIssuer string
	// CNSubject is Sendmail's {cn_subject}, the subject CN (xtext-encoded). Optional; when set it
	// must equal the CN read from CertSubject, which closes the one ambiguity of Sendmail's
	// "/type=value" DN form (see Sendmail). Postfix has no such macro; it is ignored there.
	CNSubject string
}

// Dialect names the MTA that passed the macros: Postfix and Sendmail fill {cert_subject}
// differently, and a value must be read the way its MTA wrote it. A CN is never guessed from the
// shape of the value: "x,CN=mail.protection.outlook.com" is a CN that Postfix passes verbatim,
// not a DN.
type Dialect uint8

const (
	// Postfix passes the subject CN in {cert_subject}, verbatim ("Client certificate subject (CN)",
	// https://www.postfix.org/MILTER_README.html); FromMacros takes it as the CN whatever it holds.
	Postfix Dialect = iota
	// Sendmail passes the whole subject DN in {cert_subject}, xtext-encoded (RFC 3461 §4), in
	// OpenSSL's "/C=US/O=…/CN=…" form; an RFC 4514 "CN=…,O=…" string is read too (RFC 4514 §3
	// escaping, https://www.rfc-editor.org/rfc/rfc4514). FromMacros reads it strictly and refuses
	// a DN without exactly one CN, or with a value the form cannot hold unambiguously. The
	// "/type=value" form escapes nothing, so an attribute whose value holds "/CN=name" in a
	// certificate without a CN of its own reads as that CN; pass {cn_subject} as CNSubject to
	// have it checked against the CN the certificate really has.
	Sendmail
)

// String returns "postfix" or "sendmail".
func (d Dialect) String() string {
	switch d {
	case Postfix:
		return "postfix"
	case Sendmail:
		return "sendmail"
	}
	return fmt.Sprintf("Dialect(%d)", uint8(d))
}

// MarshalText writes String, so a configuration file holds "postfix" or "sendmail".
func (d Dialect) MarshalText() ([]byte, error) {
	if d > Sendmail {
		return nil, fmt.Errorf("tlsid: unknown dialect %d", uint8(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "postfix" or "sendmail" (any case).
func (d *Dialect) UnmarshalText(b []byte) error {
	switch s := string(b); {
	case strings.EqualFold(s, "postfix"):
		*d = Postfix
	case strings.EqualFold(s, "sendmail"):
		*d = Sendmail
	default:
		return fmt.Errorf("tlsid: dialect %q: want postfix or sendmail", clip(s))
	}
	return nil
}

// maxMacro bounds each macro value; a DN longer than this is refused rather than parsed.
const maxMacro = 2048

// FromMacros returns the evidence the MTA's macros carry. A non-empty {cert_subject} means the
// MTA verified the client certificate (see Macros), so the evidence is Verified and its one name
// is the subject CN (normalised by NormalizeName; a CN that is no DNS name gives no name). The CN
// is read as m.Dialect says: Postfix's value is the CN itself, verbatim; Sendmail's is a DN,
// parsed strictly (see Sendmail). This is weaker than Verify: the MTA's roots and checks decide,
// and the SANs are unknown, so a certificate whose CN matches but whose SANs do not cannot be
// told apart (divergence from docs/threat-model.md#threat-6, inherent in the macros).
//
// It fails closed: a subject without {tls_version}, an over-long value, an unknown Dialect, or a
// Sendmail DN that is unparsable, ambiguous, without exactly one CN or at odds with {cn_subject}
// gives unverified evidence with Error set.
func FromMacros(m Macros) Evidence {
	if m.TLSVersion == "" {
		if m.CertSubject != "" || m.CertIssuer != "" {
			return Evidence{Error: "tlsid: {cert_subject} or {cert_issuer} without {tls_version}"}
		}
		return Evidence{}
	}
	ev := Evidence{TLS: true, Version: macroVersion(m.TLSVersion)}
	if m.CertSubject == "" {
		return ev
	}
	if len(m.CertSubject) > maxMacro || len(m.CertIssuer) > maxMacro || len(m.TLSVersion) > maxMacro || len(m.CNSubject) > maxMacro {
		ev.Error = fmt.Sprintf("tlsid: macro value longer than %d bytes", maxMacro)
		return ev
	}
	ev.Subject, ev.Issuer = m.CertSubject, m.CertIssuer
	cn, err := macroCN(m)
	if err != nil {
		ev.Error = err.Error()
		return ev
	}
	ev.Verified = true
	if n, ok := NormalizeName(cn); ok {
		ev.Names = []string{n}
	}
	return ev
}

func macroVersion(s string) uint16 {
	switch s {
	case "TLSv1.3":
		return tls.VersionTLS13
	case "TLSv1.2":
		return tls.VersionTLS12
	case "TLSv1.1":
		return tls.VersionTLS11
	case "TLSv1":
		return tls.VersionTLS10
	}
	return 0
}

// macroCN returns the CN {cert_subject} names, read as m.Dialect says.
func macroCN(m Macros) (string, error) {
	switch m.Dialect {
	case Postfix:
		return m.CertSubject, nil
	case Sendmail:
		cn, err := dnCN(m.CertSubject)
		if err != nil || m.CNSubject == "" {
			return cn, err
		}
		want, err := xtextDecode(m.CNSubject)
		if err != nil {
			return "", err
		}
		if want != cn {
			return "", fmt.Errorf("tlsid: {cert_subject} %q names CN %q, {cn_subject} %q", clip(m.CertSubject), clip(cn), clip(want))
		}
		return cn, nil
	}
	return "", fmt.Errorf("tlsid: unknown macro dialect %d", uint8(m.Dialect))
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
