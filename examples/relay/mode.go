package main

import (
	"log/slog"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// relayOps is the operational part of a Relay: the mode, the reply texts and the metrics (nil:
// none).
type relayOps struct {
	mode    ops.Mode
	texts   ops.ReplyTexts
	metrics *metrics.Metrics
}

// refuse is a policy refusal as sent: the reply with its text as configured, counted.
func (o relayOps) refuse(r tenantgate.Reply) *smtp.SMTPError {
	o.metrics.Rejected(r)
	return smtpError(o.texts.Apply(r))
}

// waive reports whether monitor mode lets the refusal of a (a recipient of a message decided at
// end of data, with the peer verdict peer) through, and if so logs and counts it as a would-be
// refusal. The relay waives only for a peer that is verified Exchange Online: a foreign recipient
// from any other peer was refused at RCPT, which monitor mode never waives (the relay would be an
// open relay), and this check keeps it so should a refusal from such a peer ever reach end of
// data. The recipient then goes to the next hop chosen for it at RCPT.
func (o relayOps) waive(log *slog.Logger, peer classify.PeerVerdict, a classify.RecipientAction) bool {
	if !peer.EXO || !o.mode.Waives(a.Reply) {
		return false
	}
	log.Warn("message would be refused (monitor mode)", "rcpt", a.Rcpt, "reply", o.texts.Apply(a.Reply), "reasons", codes(a.Reasons))
	o.metrics.WouldReject(a.Reply)
	return true
}

// nextHopAnswer counts a next hop's answer: its code, 250 for success, the relay's own reply
// when the next hop gave none (no answer, TLS failure: temporary).
func (o relayOps) nextHopAnswer(reply *smtp.SMTPError) {
	if reply == nil {
		o.metrics.NextHop(250)
		return
	}
	o.metrics.NextHop(reply.Code)
}

// bytesInFlight is the message bytes all transactions hold, in memory and in spool files.
func (r *Relay) bytesInFlight() float64 {
	return float64(r.memBudget.inUse() + r.diskBudget.inUse())
}
