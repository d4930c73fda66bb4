package smtpbackend

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/testpki"
	"github.com/tenantgate/tenantgate/route"
	"github.com/tenantgate/tenantgate/tlsid"
)

// delivery is what a next hop saw: the envelope and the client certificate's names.
type delivery struct {
	Host, From, To string
	ClientCert     []string
}

// nextHops is a go-smtp backend standing for several next hops on one port: a delivery is
// recorded under the host name the client asked for in TLS (SNI), "" in plaintext.
type nextHops struct {
	mu  sync.Mutex
	got []delivery
}

func (n *nextHops) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &hopSession{n: n, c: c}, nil
}

type hopSession struct {
	n *nextHops
	c *smtp.Conn
	d delivery
}

func (s *hopSession) Mail(from string, _ *smtp.MailOptions) error { s.d.From = from; return nil }
func (s *hopSession) Rcpt(to string, _ *smtp.RcptOptions) error   { s.d.To = to; return nil }
func (s *hopSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	if cs, ok := s.c.TLSConnectionState(); ok {
		s.d.Host = cs.ServerName
		if len(cs.PeerCertificates) > 0 {
			s.d.ClientCert = cs.PeerCertificates[0].DNSNames
		}
	}
	s.n.mu.Lock()
	s.n.got = append(s.n.got, s.d)
	s.n.mu.Unlock()
	return nil
}
func (s *hopSession) Reset()        {}
func (s *hopSession) Logout() error { return nil }

// TestForward drives the outbound half against two loopback next hops: contoso's Exchange Online
// (its derived smart host, a certificate for that name) and an Internet MX. The identity rule
// (docs/exchange-online.md#pitfalls): contoso's certificate goes to contoso's own Exchange
// Online only; the Internet gets the Internet identity, which has no certificate in the demo
// configuration. A recipient the verdict refused is not sent anywhere.
func TestForward(t *testing.T) {
	d := demoDirectory(t)
	plan, err := route.NewPlan(d)
	if err != nil {
		t.Fatal(err)
	}
	ca := testpki.New(t)
	contosoID := tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111")
	exoHost, _ := route.TenantSmartHost(d, contosoID)
	certs := map[string]*tls.Certificate{
		"contoso":  ca.Leaf(t, []string{"contoso.gw.example.net"}, x509.ExtKeyUsageClientAuth),
		"fabrikam": ca.Leaf(t, []string{"fabrikam.gw.example.net"}, x509.ExtKeyUsageClientAuth),
	}
	ids, err := tlsid.NewIdentities(d, certs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// One listener serves both next hops (the Forwarder has one port), each with a certificate
	// for its own name, chosen by SNI.
	hops := &nextHops{}
	srvCerts := map[string]*tls.Certificate{exoHost: ca.Leaf(t, []string{exoHost}), "mx.woodgrove.example": ca.Leaf(t, []string{"mx.woodgrove.example"})}
	srv := smtp.NewServer(hops)
	srv.Domain = "next-hop.example"
	srv.TLSConfig = &tls.Config{ClientAuth: tls.RequestClientCert, GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		return srvCerts[h.ServerName], nil
	}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(l.Addr().String())
	loopback := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	fw := &Forwarder{Plan: plan, Identities: ids, Port: port,
		TLS:      tlsid.ClientOptions{Verify: tlsid.VerifyOptions{Roots: ca.Pool}, Clock: time.Now},
		Resolver: route.StaticResolver{MX: map[string][]*net.MX{"woodgrove.example": {{Host: "mx.woodgrove.example", Pref: 10}}}, Hosts: map[string][]netip.Addr{exoHost: loopback, "mx.woodgrove.example": loopback}}}

	// Inbound mail for contoso (any origin) and contoso's own mail to the Internet.
	inbound := classify.Verdict{Origin: classify.Internet, Recipients: []classify.RecipientAction{{Rcpt: "alice@contoso.com", Action: classify.Inbound, Tenant: contosoID}}}
	relay := classify.Verdict{Origin: classify.OwnTenant, Tenant: contosoID, Kind: classify.Mailbox, Recipients: []classify.RecipientAction{{Rcpt: "erin@woodgrove.example", Action: classify.Relay}}}
	msg := []byte("From: carol@contoso.com\r\nSubject: hi\r\n\r\nHello.\r\n")
	for _, v := range []classify.Verdict{inbound, relay} {
		if err := fw.Forward(context.Background(), v, "carol@contoso.com", msg); err != nil {
			t.Fatalf("Forward(%s): %v", v.Recipients[0].Rcpt, err)
		}
	}
	got := hops.got
	want := []delivery{
		{Host: exoHost, From: "carol@contoso.com", To: "alice@contoso.com", ClientCert: []string{"contoso.gw.example.net"}},
		{Host: "mx.woodgrove.example", From: "carol@contoso.com", To: "erin@woodgrove.example"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}

	// A refused recipient is not sent: Forward returns the verdict's reply.
	refused := classify.Verdict{Origin: classify.Internet, Recipients: []classify.RecipientAction{{Rcpt: "erin@woodgrove.example", Action: classify.Reject, Reply: classify.ReplyRelayDenied}}}
	err = fw.Forward(context.Background(), refused, "mallory@evil.example", msg)
	if se, ok := err.(*smtp.SMTPError); !ok || se.Code != 550 {
		t.Errorf("refused recipient: %v, want the 550 of the verdict", err)
	}
	if n := len(hops.got); n != 2 {
		t.Errorf("%d deliveries after the refused one, want still 2", n)
	}
}
