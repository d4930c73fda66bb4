package main

import (
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// The milter's own replies; the policy's are classify.Reply*. README.md, "Replies", lists every
// refusal with its class.
var (
	// replyDKIMTemp: the refusal rests on a DKIM key lookup that failed temporarily (DNS
	// timeout, SERVFAIL): the sender retries. RFC 3463 X.7.5 "Cryptographic failure": the key
	// was not available.
	replyDKIMTemp = tenantgate.Reply{Code: 451, Enhanced: tenantgate.EnhancedCode{4, 7, 5}, Text: "DKIM key lookup failed temporarily, try again later"}
	// replyDKIMTooBig: the refusal rests on DKIM and the body is over dkim.maxBodyBytes, so it
	// was not verified: permanent (a retry has the same size), and says why.
	replyDKIMTooBig = tenantgate.Reply{Code: 552, Enhanced: tenantgate.EnhancedCode{5, 3, 4}, Text: "Message too big for DKIM verification at this gateway"}
	// replyNoBody: the connection was negotiated without the body (SMFIP_NOBODY), which this
	// milter never asks for (quietStages): neither the body inspection nor DKIM could run, so
	// nothing is decided on this connection; temporary, so the MTA tries again on a fresh one.
	// RFC 3463 X.3.5 "System incorrectly configured".
	replyNoBody = tenantgate.Reply{Code: 451, Enhanced: tenantgate.EnhancedCode{4, 3, 5}, Text: "Message body not passed to the filter, try again later"}
	// replyTooManyRcpts: more than maxRecipients in one transaction (RFC 5321 §4.5.3.1.10).
	replyTooManyRcpts = tenantgate.Reply{Code: 452, Enhanced: tenantgate.EnhancedCode{4, 5, 3}, Text: "Too many recipients"}
)

// dkimUnknown says whether a refusal rests on DKIM results the milter could not obtain, and
// with which reply: it decides t again with every unknown result as a pass, and if no recipient
// is refused then, the unknown results made the refusal.
//   - A "temperror" result (key lookup timed out or SERVFAIL): replyDKIMTemp.
//   - A body over dkim.maxBodyBytes (not verified at all; each DKIM-Signature's d= is unknown):
//     replyDKIMTooBig.
//
// The zero Reply means the refusal stands as the policy gave it.
func (f *filter) dkimUnknown(t classify.Transaction) tenantgate.Reply {
	if f.app.dkim == nil || t.HeaderError != nil {
		return tenantgate.Reply{}
	}
	var unknown []string
	reply := replyDKIMTemp
	if f.bodyBig {
		reply = replyDKIMTooBig
		unknown = signingDomains(t, f.app.dkim.maxSigs)
	} else {
		for _, r := range t.DKIM {
			if strings.EqualFold(r.Result, "temperror") {
				unknown = append(unknown, r.Domain)
			}
		}
	}
	if len(unknown) == 0 {
		return tenantgate.Reply{}
	}
	alt := t
	alt.DKIM = append([]classify.DKIMResult(nil), t.DKIM...)
	for _, d := range unknown {
		alt.DKIM = append(alt.DKIM, classify.DKIMResult{Domain: d, Result: "pass"})
	}
	if _, refused := firstReject(f.app.policy.Decide(alt)); refused {
		return tenantgate.Reply{}
	}
	return reply
}

// signingDomains returns the d= tags of the first max DKIM-Signature fields of t's header.
func signingDomains(t classify.Transaction, max int) []string {
	var out []string
	for _, value := range fieldValues(t, "DKIM-Signature") {
		if len(out) >= max {
			break
		}
		for _, tag := range strings.Split(value, ";") {
			k, v, ok := strings.Cut(tag, "=")
			if ok && strings.EqualFold(strings.Join(strings.Fields(k), ""), "d") {
				out = append(out, strings.Join(strings.Fields(v), ""))
			}
		}
	}
	return out
}
