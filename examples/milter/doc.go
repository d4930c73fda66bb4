// Command milter is a drop-in policy milter for Postfix or Sendmail built on tenantgate and
// d--j/go-milter (milter protocol 6). The MTA terminates TLS and verifies the client certificate;
// the milter gets the client address and the TLS macros ({tls_version}, {cert_subject},
// {cert_issuer}) and makes the tenant decision:
//
//   - at RCPT, classify.Policy.Recipient refuses a foreign recipient from a client that is not
//     verified Exchange Online with the policy's reply (550 5.7.1; threats 3–7 of
//     docs/threat-model.md);
//   - at end of message, classify.Policy.Decide decides on the header block (kept in order, as
//     the MTA received it, bounded); a rejected recipient rejects the message with the policy's
//     reply (another tenant's mail through the same Exchange Online, malformed or conflicting
//     tenant headers, loops); otherwise the forged fields the verdict lists are deleted
//     (smfi_chgheader with an empty value, highest instance first) and the verdict header is
//     inserted at the top (smfi_insheader index 0).
//
// The milter asks for the body too and inspects its first paragraph: Postfix ends the header at
// the first line that is not a header field and passes the rest as body, so a Microsoft trust
// field there was hidden from the header and the message is refused as malformed (554 5.6.0, as
// the relay refuses such a block); then it asks the MTA to skip the rest of the body unless DKIM
// needs it. README.md, "What Postfix passes", has what Postfix does, and "Replies" every refusal
// with its class (a DKIM key lookup that failed temporarily gives 451 4.7.5).
//
// Nothing is kept across transactions: a new MAIL FROM starts from nothing
// (docs/threat-model.md#threat-16); only the connection's address, HELO and the TLS macros of its
// last HELO stay, because go-milter drops HELO-stage macros when the MTA aborts a transaction or
// reuses the connection.
//
// With the policy options dkimRequired or dkimFallback, the milter verifies DKIM signatures
// itself (go-msgauth, at most five per message, bounded body) and passes the results to the
// policy; it never reads Authentication-Results written by others (docs/threat-model.md#threat-18).
//
// ConvertExOTA reads an ExOTA-Milter JSON policy file into the library's configuration;
// README.md has the mapping table and the Postfix settings.
//
// # Rules followed
//
//   - docs/threat-model.md#trust-rules for every decision (classify.Policy), tlsid.FromMacros for
//     the evidence: a non-empty {cert_subject} means the MTA verified the certificate; the subject
//     CN is the name.
//   - The MTA does the certificate policy: Postfix passes {cert_subject} only for a certificate
//     that verified against smtpd_tls_CAfile.
//
// # Deliberate divergences
//
//   - From the macros only the certificate's CN is known, not its SANs (tlsid.FromMacros).
//   - Postfix refuses serverAuth-only client certificates (tlsid's package doc), so behind
//     Postfix such a certificate is unverified and the mail never "ours"; terminate TLS in the
//     relay (examples/relay) where Exchange Online presents one.
//   - ExOTA-Milter binds the RFC 5322.From domain to one tenant and may accept any DKIM d=; the
//     library binds the tenant header to the served tenants and counts a DKIM pass only for the
//     tenant's own signing domains (README.md, "Migrating from ExOTA-Milter").
package main
