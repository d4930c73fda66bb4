package tlsid

// Evidence is what a TLS session proves about the SMTP client, whether it was read from a full
// handshake (FromConnectionState) or from the macros an MTA passes to a milter. The zero value is
// a plaintext session: no TLS, nothing verified, no names.
//
// Names are trusted only when Verified is true; classify never looks at them otherwise.
type Evidence struct {
	// TLS reports whether the session was encrypted (STARTTLS or implicit TLS).
	TLS bool `json:"tls,omitempty"`
	// Version is the TLS version (tls.VersionTLS12, …), 0 when unknown.
	Version uint16 `json:"version,omitempty"`
	// Verified reports whether the client presented a certificate whose chain verified against the
	// configured roots at the configured time (by this package, or by the MTA for milter macros).
	Verified bool `json:"verified,omitempty"`
	// Names are the certificate's DNS names in A-label lower case, deduplicated, in certificate
	// order: the DNS SANs (Verify), or the subject CN where only a verified subject is known
	// (FromMacros). Wildcards are kept as presented ("*.example.com"); names that are no DNS name
	// (partial wildcards, NUL, IP literals) are dropped. See NormalizeName.
	Names []string `json:"names,omitempty"`
	// Subject and Issuer are the certificate's distinguished names, for logs.
	Subject string `json:"subject,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	// Error says why a presented certificate did not verify; empty when Verified or when none was
	// presented.
	Error string `json:"error,omitempty"`
}

// Presented reports whether the peer presented a certificate at all: verified, or with a
// subject, names or a verification error recorded.
func (ev Evidence) Presented() bool {
	return ev.Verified || ev.Subject != "" || ev.Error != "" || len(ev.Names) > 0
}
