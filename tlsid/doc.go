// Package tlsid turns TLS sessions into certificate evidence, matches Exchange Online connector
// certificate names, and picks the client identity for each outbound hop.
package tlsid
