// Package route decides where mail goes next: which Exchange Online outbound connector a tenant's
// message takes, which host a gateway delivers a served tenant's mail to, and the DNS an MTA
// needs to reach the Internet.
//
// # DNS
//
// Resolver is a small interface (LookupMX, LookupHost) with two implementations:
// NewDNSResolver, built on github.com/miekg/dns, asks one configured server, and StaticResolver
// answers from maps for tests and simulations. MailHosts applies the mail routing rules on top of
// either:
//   - RFC 5321 §5.1: MX records in preference order; a domain without MX records but with A or
//     AAAA records is its own mail host (the implicit MX), with preference 0.
//   - RFC 7505: a null MX ("0 .") means the domain accepts no mail: ErrNullMX, permanent.
//   - Errors are *DNSError values: NXDOMAIN, missing records, null MX and invalid names are
//     permanent (IsPermanent); SERVFAIL, REFUSED and other server errors, timeouts and network
//     errors are temporary (IsTemporary), so that an MTA bounces the first and retries the second
//     (RFC 5321 §4.5.4.1).
//   - NewDNSResolver repeats a truncated UDP answer over TCP (RFC 7766 §5), advertises an EDNS0
//     buffer of 1232 octets (RFC 6891), follows CNAME chains within an answer and across queries
//     up to a bound (RFC 1034 §3.6.2; a loop or overlong chain is ErrCNAMEChain, temporary, as a
//     recursive resolver's SERVFAIL for it would be), and honours the context's deadline and
//     cancellation.
//
// Deliberate divergences: MX records of equal preference are not shuffled (RFC 5321 §5.1 asks
// senders to randomise them) but ordered by host name, so that results are deterministic; an MTA
// that wants load spreading shuffles equal-preference runs itself. A null MX next to other MX
// records (which RFC 7505 §3 forbids) is treated as a null MX. No caching, no search domains,
// no DNSSEC validation: the configured server is trusted.

package route
