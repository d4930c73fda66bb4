package smtpbackend

import (
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"
)

// replyError turns a policy reply such as "550 5.7.1 Unable to relay" into go-smtp's error.
func replyError(reply string) error {
	var c, x, y, z int
	if f := strings.SplitN(reply, " ", 3); len(f) == 3 {
		if _, err := fmt.Sscanf(f[0]+" "+f[1], "%d %d.%d.%d", &c, &x, &y, &z); err == nil && c >= 400 && c < 600 {
			return &smtp.SMTPError{Code: c, EnhancedCode: smtp.EnhancedCode{x, y, z}, Message: f[2]}
		}
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 0, 0}, Message: reply}
}
