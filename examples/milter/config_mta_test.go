package main

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/tlsid"
)

// TestConfigMTA: "mta" picks how {cert_subject} is read; Postfix is the default, "sendmail"
// implies requireVerifyMacro (Sendmail passes the subject of unverified certificates too), and
// anything else is refused.
func TestConfigMTA(t *testing.T) {
	load := func(mta string) (*Loaded, error) {
		return Load([]byte(`{"configFile": "testdata/tenantgate.json", "milter": {"listen": "127.0.0.1:0"`+mta+`}}`), ".")
	}
	l, err := load("")
	if err != nil || l.Section.MTA != tlsid.Postfix || l.Section.RequireVerifyMacro {
		t.Fatalf("default: %+v, %v; want postfix without requireVerifyMacro", l, err)
	}
	l, err = load(`, "mta": "sendmail"`)
	if err != nil || l.Section.MTA != tlsid.Sendmail || !l.Section.RequireVerifyMacro {
		t.Fatalf("sendmail: %+v, %v; want sendmail with requireVerifyMacro", l, err)
	}
	if _, err := load(`, "mta": "exim"`); err == nil || !strings.Contains(err.Error(), "postfix or sendmail") {
		t.Fatalf("exim: %v; want refused", err)
	}
}
