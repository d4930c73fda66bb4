package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"syscall"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/route"
)

// TestReplyClasses goes through every reject path of the relay (README.md, "Replies") and checks
// its class. The expected class is the rule, not the code: permanent only when the same message
// from the same client cannot succeed later (the policy refuses it, it is malformed or too large,
// the destination does not exist, the next hop said 5xx); everything that depends on the state
// of the relay, the DNS or the next hop is temporary, so the sender keeps the message and
// retries (RFC 5321 §4.2.5; a DNS timeout or SERVFAIL in particular, RFC 5321 §5.1: "a
// temporary failure").
func TestReplyClasses(t *testing.T) {
	const perm, temp = 5, 4
	dnsErr := func(temporary bool, wrapped error) error {
		return &route.DNSError{Name: "example.net", Type: "MX", Temporary: temporary, Err: wrapped}
	}
	tests := []struct {
		path  string
		reply *smtp.SMTPError
		class int
	}{
		// The policy's verdicts: the same message is refused again.
		{"policy: relay denied", smtpError(classify.ReplyRelayDenied), perm},
		{"policy: bad recipient syntax", smtpError(classify.ReplyBadRecipient), perm},
		{"policy: routing loop", smtpError(classify.ReplyLoop), perm},
		{"policy: header block malformed or over headers.Limits", smtpError(classify.ReplyHeaderInvalid), perm},
		{"policy: a temporary verdict stays temporary", smtpError(tenantgate.Reply{Code: 451, Enhanced: tenantgate.EnhancedCode{4, 7, 5}, Text: "DKIM temporary error"}), temp},
		// DNS.
		{"DNS SERVFAIL", dnsReply("example.net", dnsErr(true, nil)), temp},
		{"DNS timeout", dnsReply("example.net", dnsErr(true, context.DeadlineExceeded)), temp},
		{"DNS error of unknown kind", dnsReply("example.net", errors.New("network unreachable")), temp},
		{"DNS NXDOMAIN", dnsReply("example.net", dnsErr(false, nil)), perm},
		{"DNS null MX", dnsReply("example.net", dnsErr(false, route.ErrNullMX)), perm},
		{"DNS address of an MX host", errDNSTemporary("mx.example.net"), temp},
		// Next hop.
		{"next hop down", errNoAnswer, temp},
		{"next hop TLS failure", errTLS, temp},
		{"next hop timeout", replyFor("h", os.ErrDeadlineExceeded), temp},
		{"next hop connection lost", replyFor("h", io.EOF), temp},
		{"next hop 4xx", replyFor("h", &textproto.Error{Code: 451, Msg: "4.3.0 queue full"}), temp},
		{"next hop 5xx", replyFor("h", &textproto.Error{Code: 550, Msg: "5.1.1 no such user"}), perm},
		{"next hop 4xx with a 5.x.x code", replyFor("h", &textproto.Error{Code: 452, Msg: "5.2.2 mailbox full"}), temp},
		{"next hop answers out of protocol", replyFor("h", &textproto.Error{Code: 354, Msg: "go ahead"}), temp},
		{"next hop session budget spent", errNextHopBusy, temp},
		{"relay misconfigured (identity)", errMisconfigured, temp},
		{"no route for a recipient", errNoRoute, temp},
		{"route changed after the header", errHopChanged, temp},
		{"second next hop in one transaction", errTooManyHops, temp},
		// Limits.
		{"too many connections", errTooManyConnections, temp},
		{"too many commands", errTooManyCommands, temp},
		{"message read timeout", errDataTimeout, temp},
		{"message over maxMessageBytes", localReply(smtp.ErrDataTooLarge), perm},
		// Content.
		{"line over go-smtp's MaxLineLength", localReply(fmt.Errorf("headers: reading line 1: %w", smtp.ErrTooLongLine)), perm},
		{"bare CR or LF", localReply(fmt.Errorf("headers: reading line 2: %w", errBareLine)), perm},
		// Local resources and errors.
		{"spool budget spent", localReply(errSpoolBudget), temp},
		{"disk full", localReply(&os.PathError{Op: "write", Path: "/spool/x", Err: syscall.ENOSPC}), temp},
		{"spool directory unusable", localReply(&os.PathError{Op: "open", Path: "/spool", Err: syscall.ENOENT}), temp},
		{"DKIM signing failed", errSigning, temp},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := tc.reply
			if r.Code/100 != tc.class {
				t.Errorf("%d %v %s: class %dxx, want %dxx", r.Code, r.EnhancedCode, r.Message, r.Code/100, tc.class)
			}
			if r.EnhancedCode[0] != r.Code/100 {
				t.Errorf("%d with enhanced code %v: RFC 3463 §2 wants the same class", r.Code, r.EnhancedCode)
			}
		})
	}
}
