package ops

import (
	"errors"
	"fmt"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
)

// ReplyTexts replace the texts of the policy's refusals (ExOTA-Milter's MILTER_REJECT_MESSAGE);
// the reply code and the enhanced status code (RFC 3463) stay the policy's, so senders and
// their NDRs still tell a policy refusal (5.7.1) from a loop (5.4.6). Empty fields keep the
// library's text.
type ReplyTexts struct {
	// RelayDenied replaces the text of 550 5.7.1 (classify.ReplyRelayDenied).
	RelayDenied string `json:"relayDenied,omitempty"`
	// HeaderInvalid replaces the text of 554 5.6.0 (classify.ReplyHeaderInvalid).
	HeaderInvalid string `json:"headerInvalid,omitempty"`
	// Loop replaces the text of 554 5.4.6 (classify.ReplyLoop).
	Loop string `json:"loop,omitempty"`
	// BadRecipient replaces the text of 501 5.1.3 (classify.ReplyBadRecipient).
	BadRecipient string `json:"badRecipient,omitempty"`
}

// MaxReplyText bounds a reply text: with the code, the enhanced code and the line end it stays
// well within RFC 5321's 512-octet reply line (§4.5.3.1.5).
const MaxReplyText = 200

// Apply returns r with its text replaced when t has one for it.
func (t ReplyTexts) Apply(r tenantgate.Reply) tenantgate.Reply {
	var text string
	switch r {
	case classify.ReplyRelayDenied:
		text = t.RelayDenied
	case classify.ReplyHeaderInvalid:
		text = t.HeaderInvalid
	case classify.ReplyLoop:
		text = t.Loop
	case classify.ReplyBadRecipient:
		text = t.BadRecipient
	}
	if text != "" {
		r.Text = text
	}
	return r
}

// check refuses a text that cannot go on an SMTP reply line as it is: only printable US-ASCII
// (RFC 5321 §4.2: textstring), no '%' (a milter reply text is a format string to libmilter and
// Postfix: smfi_setreply), at most MaxReplyText characters.
func (t ReplyTexts) check() []error {
	var errs []error
	for _, f := range []struct{ name, v string }{{"relayDenied", t.RelayDenied}, {"headerInvalid", t.HeaderInvalid}, {"loop", t.Loop}, {"badRecipient", t.BadRecipient}} {
		if err := checkText(f.v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.name, err))
		}
	}
	return errs
}

func checkText(s string) error {
	if len(s) > MaxReplyText {
		return fmt.Errorf("%d characters, at most %d", len(s), MaxReplyText)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			return errors.New("'%' is not allowed (milter reply texts are format strings)")
		case c < 0x20 || c > 0x7e:
			return fmt.Errorf("character %q at %d: only printable US-ASCII may go on an SMTP reply line", c, i)
		}
	}
	return nil
}
