// Package tlsid turns TLS sessions into certificate evidence, matches Exchange Online connector
// certificate names, checks expected peers, and picks the client identity for each outbound hop.
//
// A gateway between Exchange Online (EXO) and the Internet meets certificates in three places:
//
//  1. EXO connects to the gateway and presents mail.protection.outlook.com. ServerConfig
//     requests (never requires) a client certificate and verifies it in VerifyConnection;
//     EvidenceFor, FromConnectionState and Verify turn the session into an Evidence, and
//     FromMacros does the same from the TLS macros an MTA gives a milter. VerifyPeer checks the
//     evidence against the expected names.
//  2. The gateway connects to a served tenant's EXO and presents that tenant's certificate, whose
//     name matches the tenant's inbound connector TlsSenderCertificateName. MatchConnectorName
//     and Connectors apply EXO's pattern semantics; CheckIdentity and NewIdentities make sure the
//     loaded certificates carry what the configuration claims.
//  3. The gateway connects to the Internet and presents no certificate, or a separate Internet
//     identity — never a tenant's. Identities.ClientConfig presents exactly the hop's identity and
//     verifies the server against the hop's expected names, or does opportunistic TLS.
//
// # Rules followed
//
//   - Chain verification is crypto/x509's, against the caller's roots at the caller's time.
//     Extended key usage serverAuth or clientAuth is accepted: public CAs stopped issuing
//     clientAuth in 2026 and crypto/tls's own client-certificate verification would refuse EXO's
//     serverAuth-only certificate ("incompatible key usage", crypto/x509 ExtKeyUsage).
//   - Names are DNS SANs in A-label lower case (RFC 6125 §6.4.2, IDNA2008 lookup profile); the
//     subject CN is not a name for verified peers (RFC 6125 §6.4.4; docs/threat-model.md#threat-6
//     case 6: a CN match without SAN fails). From milter macros only the CN is known, so there it
//     is the name.
//   - Expected-peer checks (MatchPeerName, VerifyPeer, ClientConfig) follow RFC 6125: exact,
//     case-insensitive, or one whole left-most wildcard label; no partial wildcards.
//   - Connector matching (MatchConnectorName) follows Microsoft: "*.contoso.com" is contoso.com
//     and every subdomain at any depth; exact values match exactly; CN and SANs both count for
//     the certificates the gateway presents (docs/exchange-online.md#certificate-names).
//   - A wildcard inside a presented certificate, which Microsoft does not document, follows the
//     rule docs/exchange-online.md#certificate-names describes (inferred): "*.X" matches a connector value one
//     label under X, or the value "*.X" itself. WildcardNever is the alternative: presented
//     wildcards match nothing.
//   - The identity rule of docs/routing.md#the-gateways-next-hop: a served tenant's hop presents that tenant's identity,
//     every other hop the Internet identity (default: no certificate); one certificate per tenant
//     (MC1226222, docs/exchange-online.md#attribution).
//
// # Deliberate divergences
//
//   - A wildcard over a single label ("*.com") matches nothing, in peer checks and in connector
//     matching; crypto/x509 accepts it (RFC 6125 §7.2 advises against it).
//   - Verify never uses the system roots and never reads the clock: nil roots or a zero time
//     verify nothing. Servers and clients take a Clock function for the handshake time.
//   - Revocation (OCSP, CRL) is not checked; Exchange Online checks it, a gateway rarely can
//     without network access in the decision path.
//   - IPv4 literals are never DNS names, even in a DNS SAN.
//
// Everything here fails closed: an absent, unverified, unparsable or conflicting certificate
// yields Evidence with Verified false, and unverified names never select a connector or pass a
// peer check. Nothing panics on input, and input sizes are bounded (MaxChain, name and macro
// lengths).
package tlsid
