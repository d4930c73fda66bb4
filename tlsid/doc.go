// Package tlsid turns TLS sessions into certificate evidence, matches Exchange Online connector
// certificate names, checks expected peers, and picks the client identity for each outbound hop.
//
// For connections from Exchange Online, serve with ServerConfig (it requests a client
// certificate and verifies it) and turn the session into an Evidence with EvidenceFor (same
// ServerOptions),
// or with FromMacros inside a milter; classify.Policy judges that Evidence. For connections to a
// served tenant or the Internet, load the certificates once with NewIdentities and dial with
// Identities.ClientConfig with each route.Hop's ClientHop: a tenant's hop presents that tenant's
// certificate, every other hop the Internet identity. MatchConnectorName applies Exchange Online's
// TLSSenderCertificateName semantics; MatchPeerName and VerifyPeer apply RFC 6125.
//
// Everything fails closed: an absent, unverified or conflicting certificate yields Evidence with
// Verified false. The rules, their sources and the deliberate divergences are in
// docs/certificates.md.
package tlsid
