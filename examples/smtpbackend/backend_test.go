package smtpbackend

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/tlsid"
)

// demoDirectory compiles the repository's demo topology.
func demoDirectory(t *testing.T) *tenantgate.Directory {
	t.Helper()
	f, err := os.Open("../../testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := tenantgate.LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// serve runs the backend on loopback with the demo topology and returns its address and the
// verdicts Deliver got.
func serve(t *testing.T) (string, *[]classify.Verdict) {
	t.Helper()
	p, err := classify.NewPolicy(demoDirectory(t), classify.PolicyConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var got []classify.Verdict
	be := New(p, tlsid.ServerOptions{}, func(v classify.Verdict, h textproto.Header, body io.Reader) error {
		got = append(got, v)
		_, err := io.Copy(io.Discard, body)
		return err
	})
	s := smtp.NewServer(be)
	s.Domain = "gw.example.net"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return l.Addr().String(), &got
}

// A client on 127.0.0.1 is not Exchange Online (docs/threat-model.md#rule-1): mail for contoso's
// accepted domain is taken as inbound, a relay to another domain is refused at RCPT with 550 5.7.1,
// and a forged CrossTenant-Id changes nothing — the verdict is internet.
func TestBackend(t *testing.T) {
	addr, got := serve(t)
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("bob@sender.example", nil); err != nil {
		t.Fatal(err)
	}
	var se *smtp.SMTPError
	err = c.Rcpt("erin@woodgrove.example", nil)
	if !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 1}) {
		t.Fatalf("relay attempt: got %v, want 550 5.7.1", err)
	}
	if err := c.Rcpt("alice@contoso.com", nil); err != nil {
		t.Fatalf("inbound recipient: %v", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	msg := "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\nFrom: bob@sender.example\r\n\r\nhello\r\n"
	if _, err := io.Copy(w, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(*got) != 1 {
		t.Fatalf("Deliver called %d times, want 1", len(*got))
	}
	v := (*got)[0]
	type summary struct {
		Origin  classify.Origin
		Actions []classify.Action
	}
	var acts []classify.Action
	for _, r := range v.Recipients {
		acts = append(acts, r.Action)
	}
	want := summary{classify.Internet, []classify.Action{classify.Inbound}}
	if diff := cmp.Diff(want, summary{v.Origin, acts}); diff != "" {
		t.Errorf("verdict (-want +got):\n%s", diff)
	}
}

// TestSMTPError: a policy reply reaches go-smtp with its code, enhanced code and text as they are
// (classify's constants: 550 5.7.1 Unable to relay, 501 5.1.3 Bad recipient address syntax).
func TestSMTPError(t *testing.T) {
	tests := []struct {
		reply tenantgate.Reply
		want  smtp.SMTPError
	}{
		{classify.ReplyRelayDenied, smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Unable to relay"}},
		{classify.ReplyBadRecipient, smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Bad recipient address syntax"}},
	}
	for _, tc := range tests {
		var se *smtp.SMTPError
		if !errors.As(smtpError(tc.reply), &se) {
			t.Fatalf("%v: not an SMTPError", tc.reply)
		}
		if diff := cmp.Diff(tc.want, *se); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tc.reply, diff)
		}
	}
}

// TestREADME keeps the README's copies of backend.go, of outbound.go's Forwarder and of
// ExampleNew's body equal to the code
// that compiles here.
func TestREADME(t *testing.T) {
	src, err := os.ReadFile("backend.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, code, ok := strings.Cut(string(src), "\nimport (")
	if !ok {
		t.Fatal("backend.go has no import block")
	}
	code = "import (" + code
	if !strings.Contains(string(readme), code) {
		t.Error("README.md does not contain backend.go from its import block on: paste it again")
	}
	out, err := os.ReadFile("outbound.go")
	if err != nil {
		t.Fatal(err)
	}
	_, fw, ok := strings.Cut(string(out), "\n// Forwarder sends accepted mail on.")
	if !ok || !strings.Contains(string(readme), "// Forwarder sends accepted mail on."+fw) {
		t.Error("README.md does not contain outbound.go from the Forwarder type on: paste it again")
	}
	ex, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(ex), "func ExampleNew() {\n")
	if !ok {
		t.Fatal("example_test.go has no ExampleNew")
	}
	body = strings.TrimSuffix(strings.TrimSpace(body), "}")
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	if !strings.Contains(string(readme), strings.Join(lines, "\n")) {
		t.Error("README.md does not contain the body of ExampleNew (one tab less): paste it again")
	}
}
