package main

import (
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/d--j/go-milter"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// appOps is the operational part of an App: the mode, the reply texts, the metrics (nil: none)
// and the configuration in force, which a new SMTP session takes (reload.go).
type appOps struct {
	mode    ops.Mode
	texts   ops.ReplyTexts
	metrics *metrics.Metrics
	live    *atomic.Pointer[App]
}

// refuseRcpt handles a recipient the policy refuses: logged with the queue ID, the client, its
// certificate and why it is not Exchange Online; refused with the reply (its text as configured),
// or, in monitor mode when ops.Mode.Waives it, accepted and logged and counted as a would-be
// refusal. refused reports whether resp refuses it; else the recipient is taken.
func (f *filter) refuseRcpt(s classify.Session, m milter.Modifier, rcpt string, rv classify.RecipientVerdict) (resp *milter.Response, refused bool) {
	reply := f.app.op.texts.Apply(rv.Reply)
	peer := f.app.policy.Peer(s)
	attrs := []any{"queueID", m.Get(milter.MacroQueueId), "client", s.RemoteAddr.String(), "certVerified", s.TLS.Verified,
		"certNames", s.TLS.Names, "peer", codes(peer.Reasons), "from", f.from, "rcpt", rcpt, "reply", reply, "reasons", codes(rv.Reasons)}
	if f.app.op.mode.Waives(rv.Reply) {
		f.app.log.Warn("rcpt would be refused (monitor mode)", attrs...)
		f.app.op.metrics.WouldReject(rv.Reply)
		f.waived = append(f.waived, rcpt)
		return nil, false
	}
	f.app.log.Info("rcpt refused", attrs...)
	f.app.op.metrics.Rejected(rv.Reply)
	resp, _ = reject(reply)
	return resp, true
}

// refuseMessage handles a message the policy refuses (a, for the recipient, with reply): in
// monitor mode, when ops.Mode.Waives the policy's reply, it is logged and counted as a would-be
// refusal and refused is false — the message goes on with the verdict header added and forged
// fields removed. A recipient already counted at RCPT is not counted again: in enforce mode the
// message would not have had it. Otherwise the message is logged and counted as refused.
func (f *filter) refuseMessage(log *slog.Logger, v classify.Verdict, a classify.RecipientAction, reply tenantgate.Reply, took time.Duration) (refused bool) {
	shown := f.app.op.texts.Apply(reply)
	if f.app.op.mode.Waives(a.Reply) {
		f.app.op.metrics.Decided(v, metrics.Monitored, took)
		for _, r := range v.Recipients {
			if r.Action == classify.Reject && !slices.Contains(f.waived, r.Rcpt) {
				log.Warn("message would be refused (monitor mode)", "rcpt", r.Rcpt, "reply", shown)
				f.app.op.metrics.WouldReject(reply)
				return false
			}
		}
		log.Info("message taken in monitor mode: its refused recipients were logged at RCPT", "rcpts", f.waived)
		return false
	}
	log.Info("message refused", "rcpt", a.Rcpt, "reply", shown)
	f.app.op.metrics.Rejected(reply)
	f.app.op.metrics.Decided(v, metrics.Refused, took)
	return true
}

// countDKIM counts the DKIM results; a temporary failure is a failed key lookup.
func (o appOps) countDKIM(rs []classify.DKIMResult) {
	for _, r := range rs {
		o.metrics.DKIM(r.Result) // the verifier's fixed values (dkim.go)
		if r.Result == "temperror" {
			o.metrics.DNSError("dkim")
		}
	}
}

// hold counts n more body bytes held; release gives back what the transaction held.
func (f *filter) hold(n int) {
	f.held += n
	f.app.op.metrics.AddBytes(n)
}

// release also forgets the recipients monitor mode let through (refuseRcpt): it ends the
// transaction's operational state.
func (f *filter) release() {
	f.app.op.metrics.AddBytes(-f.held)
	f.held = 0
	f.waived = f.waived[:0]
}
