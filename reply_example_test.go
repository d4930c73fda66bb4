package tenantgate_test

import (
	"fmt"

	"github.com/tenantgate/tenantgate"
)

// A configured refusal is parsed once; its parts go to the SMTP server as they are (go-smtp:
// &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.EnhancedCode(r.Enhanced), Message: r.Text}).
func ExampleParseReply() {
	r, err := tenantgate.ParseReply("550 5.7.1 Unable to relay")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Code, r.Enhanced, r.Text)
	fmt.Println(r)

	_, err = tenantgate.ParseReply("550 4.7.1 Unable to relay")
	fmt.Println(err)
	// Output:
	// 550 5.7.1 Unable to relay
	// 550 5.7.1 Unable to relay
	// tenantgate: invalid SMTP reply "550 4.7.1 Unable to relay": enhanced code "4.7.1": class 4 does not match the reply code's 5 (RFC 3463 §2)
}
