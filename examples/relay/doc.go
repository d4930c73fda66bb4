// Command relay is a synchronous SMTP gateway relay built on tenantgate and go-smtp. It sits
// between Exchange Online and the Internet, in front of the tenants it serves ("Option 2" of
// docs/threat-model.md#deployment): the tenants' outbound connectors send their mail to it, and
// their MX (or the operator's MX) sends Internet mail to it.
//
// Per connection it reads the TLS evidence after STARTTLS (tlsid.ServerConfig requests a client
// certificate and accepts serverAuth-only ones; tlsid.EvidenceFor) and asks classify.Policy.Peer
// whether the client is verified Exchange Online. Per transaction:
//
//   - MAIL and RCPT: the address go-smtp decoded is re-encoded by RFC 5321 §4.1.2 (envelope.go) or
//     refused at that command (553 5.1.3; non-ASCII without SMTPUTF8 553 5.6.7); the policy,
//     the route, the logs and the next hop all get the encoded form (README.md, "Envelope
//     addresses and parameters").
//   - RCPT: classify.Policy.Recipient. A foreign recipient from a client that is not verified
//     Exchange Online is refused at once (550 5.7.1, threats 3–7 of docs/threat-model.md). A
//     recipient in a served tenant's accepted domain is asked of that tenant's Exchange Online
//     immediately (route.Plan: its smart host, its certificate, TLS verified), so the tenant's own
//     answer is the RCPT answer. A foreign recipient from verified Exchange Online is accepted
//     after its domain's DNS was checked (SERVFAIL 451 4.4.3, NXDOMAIN or null MX 550 5.1.2);
//     nothing is sent to the Internet before the header proves the mail is the own tenant's.
//   - DATA: the header block is read as bytes, checked as headers.Read checks it
//     (headers.CheckBytes, bounded by headers.Limits), and the transaction decided on those
//     bytes with classify.Policy.Decide (Transaction.HeaderBlock) before the body is read; the body is
//     spooled, in memory up to a threshold and a shared budget, the rest in a temporary file, so
//     no message is ever held whole (README.md, "Limits"). A bare CR or LF anywhere refuses it
//     (554 5.6.0; threats 14 and 15 of docs/threat-model.md, SMTP smuggling). A rejected recipient
//     rejects the message. The verdict header is added and forged copies and, from
//     peers that are not Exchange Online, Microsoft's trust headers removed, in the bytes exactly
//     as Verdict.Apply removes them from a textproto.Header (headerblock.go);
//     own-tenant mail is DKIM-signed when the verdict allows it and a key is configured.
//   - The message goes to the transaction's one next hop, and the next hop's answer to the
//     message is the answer to DATA.
//
// # Replies: nothing accepted and lost
//
// With plain SMTP one reply to DATA covers every recipient. The relay therefore gives each
// transaction exactly one next hop and answers DATA with that next hop's answer:
//
//   - recipients of one served tenant share the tenant's next hop and are asked of it at RCPT, so
//     a refusal there is that recipient's RCPT reply, and the one DATA answer is valid for all
//     recipients still accepted;
//   - a recipient for another next hop (another tenant, or any Internet recipient after the
//     first) gets 452 4.5.3: RFC 5321 §4.5.3.1.10 has the client deliver to the recipients
//     accepted and retry this one in another transaction;
//   - a relayed (Internet) recipient travels alone, because the relay contacts its MX only after
//     the header: the MX's RCPT and DATA answers are then that one recipient's.
//
// So 250 means the next hop said 250 to the message; a next hop that is down, times out, refuses
// TLS, or answers 4xx gives 4xx; a 5xx answer gives 5xx. The one window left is RFC 1047's: a
// connection lost after the final dot and before the next hop's answer gives 451 although the
// next hop may have the message — a duplicate, never a loss.
//
// Every resource a client can consume is bounded (README.md, "Limits"): connections, in all and
// per client address (421 4.7.0), commands per connection, the idle time before MAIL and RFC 5321
// §4.5.3.2's timeouts after it, message size (SIZE, 552 5.3.4), recipients (452 4.5.3), memory
// and spool space for messages, and next-hop sessions (451 4.4.5), which are closed when the
// client idles. Temporary causes — DNS, next hop, local resources — get temporary replies
// (replies.go; README.md, "Reject paths").
//
// # Rules followed
//
//   - docs/threat-model.md#trust-rules (classify.Policy) for every decision;
//     docs/routing.md#the-gateways-next-hop (route.Plan) for the next hop and the certificate
//     presented: a served tenant's identity only towards that tenant, the Internet identity
//     (default: none) everywhere else.
//   - RFC 5321 §5.1 MX order and fallback (route.MailHosts), RFC 7505 null MX, RFC 3207 STARTTLS
//     with a new EHLO, RFC 7435 opportunistic TLS towards the Internet (a failed handshake falls
//     back to plaintext there, never towards a tenant), RFC 3463 enhanced codes.
//   - go-smtp ends DATA only at CRLF.CRLF; the relay refuses bare CR and LF itself.
//
// # Deliberate divergences
//
//   - No queue: the relay is synchronous by design, so it never owns a message; the client
//     retries.
//   - go-smtp's DATA reader drops "." followed by CR at the start of a line, so the bare CR of
//     "\r\n.\r" is never seen; the remaining bytes stay one message with CRLF line ends only.
//   - Each recipient of a second Internet domain costs the client one more transaction.
//
// Configuration and logs are described in README.md.
package main
