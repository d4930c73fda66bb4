package ops

import (
	"fmt"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// Mode says whether the policy's refusals are carried out.
type Mode string

// Modes.
const (
	// Enforce refuses what the policy refuses (the default, also for "").
	Enforce Mode = "enforce"
	// Monitor makes and logs every decision and adds the verdict header, but lets through the
	// refusals Waives names; the log and the metrics show them as would-be refusals. It is how a
	// gateway is introduced in production (the milter's README, "Replacing ExOTA-Milter").
	Monitor Mode = "monitor"
)

// UnmarshalText accepts "", "enforce" and "monitor".
func (m *Mode) UnmarshalText(b []byte) error {
	switch v := Mode(b); v {
	case "", Enforce, Monitor:
		*m = v
		return nil
	}
	return fmt.Errorf("mode %q: want \"enforce\" or \"monitor\"", clip(string(b)))
}

// Monitoring reports whether m is Monitor.
func (m Mode) Monitoring() bool { return m == Monitor }

// Waives reports whether a policy refusal with reply r is let through in mode m. Monitor mode
// waives the trust decision, classify.ReplyRelayDenied (the peer is not verified Exchange Online,
// the mail is not a served tenant's, or the tenant's options do not let it relay). It never
// waives the refusals that protect the mail system rather than decide trust: a routing loop
// (classify.ReplyLoop: delivered, it loops again), a recipient address that does not parse
// (classify.ReplyBadRecipient) and a header block that cannot be read
// (classify.ReplyHeaderInvalid: forged trust fields in it could not be removed).
func (m Mode) Waives(r tenantgate.Reply) bool {
	return m == Monitor && r == classify.ReplyRelayDenied
}

// clip shortens a configuration value for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
