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
// Online's certificate follows (spec/go-ecosystem.md A.5). Checked on 2026-11-26 with Postfix
// 3.7.11 and OpenSSL 3.0.19: a chain-valid client certificate with extended key usage serverAuth
// only gives "Untrusted TLS connection established", the same certificate with serverAuth and
// clientAuth gives "Trusted …"; `openssl verify -purpose sslclient` names the cause, "unsuitable
// certificate purpose". Postfix documents no setting that changes the purpose, so behind Postfix the milter sees
// no {cert_subject} for such a certificate and the evidence is unverified (fail closed: mail is
// never "ours"). Where Exchange Online presents a serverAuth-only certificate, terminate TLS in a
// Go server built with ServerConfig instead of relying on the macros.
type Macros struct {
	// TLSVersion is {tls_version}: "TLSv1.3", "TLSv1.2", … Empty: no TLS.
	TLSVersion string
	// CertSubject is {cert_subject}: Postfix passes the subject CN ("mail.protection.outlook.com"),
	// Sendmail the whole subject DN ("/C=US/O=…/CN=mail.protection.outlook.com").
	CertSubject string
	// CertIssuer is {cert_issuer}, in the same forms.
	CertIssuer string
}

// maxMacro bounds each macro value; a DN longer than this is refused rather than parsed.
const maxMacro = 2048

// FromMacros returns the evidence the MTA's macros carry. A non-empty {cert_subject} means the
// MTA verified the client certificate (see Macros), so the evidence is Verified and its one name
// is the subject CN (normalised by NormalizeName; a CN that is no DNS name gives no name). This
// is weaker than Verify: the MTA's roots and checks decide, and the SANs are unknown, so a
// certificate whose CN matches but whose SANs do not cannot be told apart (divergence from
// spec/threats-and-peers.md case 6, inherent in the macros).
//
// It fails closed: a subject without {tls_version}, an over-long value, or a Sendmail DN without
// exactly one CN gives unverified evidence with Error set.
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
	if len(m.CertSubject) > maxMacro || len(m.CertIssuer) > maxMacro || len(m.TLSVersion) > maxMacro {
		ev.Error = fmt.Sprintf("tlsid: macro value longer than %d bytes", maxMacro)
		return ev
	}
	ev.Subject, ev.Issuer = m.CertSubject, m.CertIssuer
	cn, err := macroCN(m.CertSubject)
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

// macroCN extracts the common name from {cert_subject}: the value itself when it holds no '=' (Postfix
// passes the CN), else the single CN of a Sendmail "/K=V/K=V" or an RFC 4514 "K=V,K=V" DN.
func macroCN(s string) (string, error) {
	if !strings.Contains(s, "=") {
		return s, nil
	}
	var parts []string
	if strings.HasPrefix(s, "/") {
		parts = strings.Split(s[1:], "/")
	} else {
		parts = strings.Split(s, ",")
	}
	cn, found := "", 0
	for _, p := range parts {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(k, "CN") {
			cn, found = v, found+1
		}
	}
	if found != 1 {
		return "", fmt.Errorf("tlsid: {cert_subject} %q has %d common names, want 1", clip(s), found)
	}
	return cn, nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
