package main

import (
	"errors"
	"syscall"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/route"
)

// The replies the relay gives of its own (README.md, "Replies", lists every reject path with its
// class and why). The rule: permanent (5xx) only when the same message from the same client
// cannot succeed later — the policy refuses it, it is malformed or too large, the destination
// domain does not exist, or the next hop said 5xx. Everything that depends on the state of the
// relay or of the network — DNS failures, a next hop down, slow or failing TLS, a local resource
// spent, a local error — is temporary (4xx), so the sender (Exchange Online, an Internet MTA)
// keeps the message and retries. RFC 3463 enhanced codes: 4.3.0 other mail system status, 4.3.1
// mail system full, 4.3.5 system incorrectly configured, 4.4.1 no answer from host, 4.4.2 bad
// connection, 4.4.3 directory server failure, 4.4.5 mail system congestion, 4.5.3 too many
// recipients, 4.7.0 security/policy status, 4.7.5 cryptographic failure, 5.1.2 bad destination
// system address, 5.3.4 message too big for system, 5.6.0 other media error.
var (
	// Limits (README.md, "Limits").
	errTooManyConnections = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0},
		Message: "Too many connections, try again later"}
	errTooManyCommands = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0},
		Message: "Too many commands in one connection, reconnect"}
	errNextHopBusy = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 5},
		Message: "Too many next-hop sessions open, try again later"}
	errSpoolFull = &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1},
		Message: "Insufficient system storage, try again later"}
	errDataTimeout = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2},
		Message: "Timeout reading the message, closing connection"}
	errLocal = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Local error in processing, try again later"}

	// Transaction shape and message content.
	errTooManyHops = &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 5, 3},
		Message: "Too many recipients for one transaction: send this one in another"}
	errBareLine = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "Message contains a bare CR or LF (RFC 5321 §2.3.8)"}
	errLineTooLong = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "Message has a line over the length limit (RFC 5321 §4.5.3.1.6)"}
	errHopChanged = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Recipients changed route after the header was read, try again"}
	errNoRoute = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 5},
		Message: "No route for this recipient"}
	errMisconfigured = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 5},
		Message: "Relay misconfigured"}
	errSigning = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Signing failed, try again later"}

	// Next hop.
	errNoAnswer = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 1}, Message: "No next hop answered, try again later"}
	errTLS      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 5}, Message: "TLS with the next hop failed, try again later"}
	errTimeout  = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Next hop timed out, try again later"}
	errLost     = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Connection to next hop lost, try again later"}
)

func errDNSTemporary(dom string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 3}, Message: "Temporary DNS failure for " + dom}
}

func errDNSPermanent(dom string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 2}, Message: "No mail host for " + dom}
}

// dnsReply is the reply for a failed lookup of dom's mail hosts: permanent only for what
// route.IsPermanent calls permanent (NXDOMAIN, a null MX: the domain takes no mail); a timeout,
// SERVFAIL or refused query is temporary.
func dnsReply(dom string, err error) *smtp.SMTPError {
	if route.IsPermanent(err) {
		return errDNSPermanent(dom)
	}
	return errDNSTemporary(dom)
}

// errSpoolBudget is the spool's error when SpoolBytes is spent.
var errSpoolBudget = errors.New("spool budget spent")

// localReply is the reply for an error while reading, spooling or signing a message: a reply the
// error already is (552 5.3.4 from go-smtp, a bare line), 554 5.6.0 for a line over go-smtp's
// MaxLineLength (the same message fails again), 452 4.3.1 for a full disk or spool
// budget, 451 4.3.0 for any other local error.
func localReply(err error) *smtp.SMTPError {
	var se *smtp.SMTPError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, smtp.ErrTooLongLine):
		return errLineTooLong
	case errors.Is(err, errSpoolBudget), errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return errSpoolFull
	}
	return errLocal
}
