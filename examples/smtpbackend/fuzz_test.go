package smtpbackend

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// FuzzReplyError: every policy reply becomes an SMTP error with a 4xx or 5xx code whose text is
// the reply's or part of it; nothing passes as success.
func FuzzReplyError(f *testing.F) {
	for _, s := range []string{"550 5.7.1 Unable to relay", "554 5.6.0 x", "451 4.4.3 try later", "250 2.0.0 ok", "", "550 5.7.1", "5 5.5.5.5 x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		var se *smtp.SMTPError
		if !errors.As(replyError(reply), &se) {
			t.Fatal("not an SMTPError")
		}
		if se.Code < 400 || se.Code > 599 {
			t.Errorf("%q: code %d is not a failure", reply, se.Code)
		}
		if !strings.Contains(reply, se.Message) {
			t.Errorf("%q: message %q is not from the reply", reply, se.Message)
		}
	})
}
