package smtpbackend_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"os"
	"time"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/smtpbackend"
	"github.com/tenantgate/tenantgate/tlsid"
)

// A gateway's SMTP listener for Exchange Online and the Internet: the configuration, the policy,
// TLS that asks for and verifies client certificates, and the backend. (Compiled, not run: it
// listens on port 25.)
func ExampleNew() {
	f, err := os.Open("config.json")
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := tenantgate.LoadConfig(f) // strict JSON: unknown fields are errors with line and column
	if err != nil {
		log.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg) // every bad field at once, each with its JSON path
	if err != nil {
		log.Fatal(err)
	}
	p, err := classify.NewPolicy(d, classify.PolicyConfig{}) // zero value: the defaults
	if err != nil {
		log.Fatal(err)
	}
	roots, err := x509.SystemCertPool() // the roots that issue Exchange Online's certificate
	if err != nil {
		log.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair("gw.example.net.crt", "gw.example.net.key")
	if err != nil {
		log.Fatal(err)
	}
	opts := tlsid.ServerOptions{Verify: tlsid.VerifyOptions{Roots: roots}, Clock: time.Now}
	deliver := func(v classify.Verdict, h textproto.Header, body io.Reader) error {
		log.Println(v.Origin, v.Tenant, v.Recipients) // hand the message to your queue here
		_, err := io.Copy(io.Discard, body)
		return err
	}
	srv := smtp.NewServer(smtpbackend.New(p, opts, deliver))
	srv.Addr, srv.Domain = ":25", "gw.example.net"
	srv.TLSConfig = tlsid.ServerConfig(&tls.Config{Certificates: []tls.Certificate{cert}}, opts)
	log.Fatal(srv.ListenAndServe())
}
