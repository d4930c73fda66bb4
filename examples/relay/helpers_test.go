package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/miekg/dns"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/examples/internal/testpki"
	"github.com/tenantgate/tenantgate/route"
)

// Tenant IDs of testdata/tenantgate.json (a copy of the library's testdata/config/demo.json with
// gateway.exchangeOnline set to the test certificate name and 127.0.0.0/8).
const (
	contosoID   = "11111111-1111-1111-1111-111111111111"
	fabrikamID  = "22222222-2222-2222-2222-222222222222"
	woodgroveID = "33333333-3333-3333-3333-333333333333"
)

// pki is the examples' shared test certificate authority.
type pki = testpki.CA

func newPKI(t testing.TB) *pki { return testpki.New(t) }

var writePEM = testpki.WritePEM

// zone is the test DNS: MX and A records, and names that answer SERVFAIL. Every other name is
// NXDOMAIN.
type zone struct {
	MX       map[string][]string
	A        map[string]string
	ServFail map[string]bool
}

// serveDNS runs a miekg/dns server for z on 127.0.0.1:0 (UDP) and returns its address.
func serveDNS(t testing.TB, z zone) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		if len(req.Question) != 1 {
			m.Rcode = dns.RcodeFormatError
			w.WriteMsg(m)
			return
		}
		q := req.Question[0]
		name := strings.TrimSuffix(strings.ToLower(q.Name), ".")
		_, isMX := z.MX[name]
		_, isA := z.A[name]
		switch {
		case z.ServFail[name]:
			m.Rcode = dns.RcodeServerFailure
		case !isMX && !isA:
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeMX:
			for i, host := range z.MX[name] {
				m.Answer = append(m.Answer, &dns.MX{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeMX, Class: dns.ClassINET, Ttl: 60},
					Preference: uint16(10 * (i + 1)), Mx: dns.Fqdn(host)})
			}
		case q.Qtype == dns.TypeA && isA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A: net.ParseIP(z.A[name])})
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: h}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// received is one message a sink accepted.
type received struct {
	From      string
	To        []string
	Data      []byte
	TLS       bool
	CertNames []string // DNS SANs of the client certificate the relay presented
	Server    string   // the sink address that took it
	Size      int64    // len(Data), or the bytes discarded
}

// sink is a test next hop. Its behaviour depends on the recipient's local part:
// "temp…" 451 at RCPT, "perm…" 550 at RCPT, "slow…" answers RCPT after 3 s, "datatemp…" 451 and
// "dataperm…" 554 after DATA; everything else is accepted.
type sink struct {
	mu   sync.Mutex
	msgs []received
	addr string
	// discard keeps only the length of each message (received.Size), not its bytes.
	discard bool
	// open counts the sessions open now (NewSession to Logout).
	open int
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	ss := &sinkSession{s: s}
	s.mu.Lock()
	s.open++
	s.mu.Unlock()
	if cs, ok := c.TLSConnectionState(); ok {
		ss.tls = true
		if len(cs.PeerCertificates) > 0 {
			ss.names = cs.PeerCertificates[0].DNSNames
		}
	}
	return ss, nil
}

func (s *sink) all() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

func (s *sink) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// count returns how many accepted messages contain token.
func (s *sink) count(token string) int {
	n := 0
	for _, m := range s.all() {
		if bytes.Contains(m.Data, []byte("Subject: "+token+"\r\n")) {
			n++
		}
	}
	return n
}

func (s *sink) find(t testing.TB, token string) received {
	t.Helper()
	for _, m := range s.all() {
		if bytes.Contains(m.Data, []byte("Subject: "+token+"\r\n")) {
			return m
		}
	}
	t.Fatalf("sink holds no message with %q", token)
	return received{}
}

type sinkSession struct {
	s     *sink
	tls   bool
	names []string
	from  string
	to    []string
}

func (ss *sinkSession) Reset() { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error {
	ss.s.mu.Lock()
	ss.s.open--
	ss.s.mu.Unlock()
	return nil
}
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	local, _, _ := strings.Cut(to, "@")
	switch {
	case strings.HasPrefix(local, "temp"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "mailbox busy"}
	case strings.HasPrefix(local, "perm"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	case strings.HasPrefix(local, "slow"):
		time.Sleep(3 * time.Second)
	}
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	var b []byte
	var n int64
	var err error
	if ss.s.discard {
		n, err = io.Copy(io.Discard, r)
	} else {
		b, err = io.ReadAll(r)
		n = int64(len(b))
	}
	if err != nil {
		return err
	}
	for _, to := range ss.to {
		switch local, _, _ := strings.Cut(to, "@"); {
		case strings.HasPrefix(local, "datatemp"):
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "queue full"}
		case strings.HasPrefix(local, "dataperm"):
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content refused"}
		}
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, received{From: ss.from, To: ss.to, Data: b, TLS: ss.tls, CertNames: ss.names, Server: ss.s.addr, Size: n})
	ss.s.mu.Unlock()
	return nil
}

// serveSink runs a sink on addr with STARTTLS (cert) that asks for a client certificate.
func serveSink(t testing.TB, ln net.Listener, cert *tls.Certificate) *sink {
	s := &sink{addr: ln.Addr().String()}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.ErrorLog = discardLog{}
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, ClientAuth: tls.RequestClientCert}
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

type discardLog struct{}

func (discardLog) Printf(string, ...any) {}
func (discardLog) Println(...any)        {}

// world is the test topology: a CA, a DNS server, a good sink on 127.0.0.1:P (the served tenants'
// Exchange Online and every Internet MX), a sink with a certificate for the wrong name on
// 127.0.0.2:P (fabrikam's Exchange Online), nothing on 127.0.0.3:P, and the relay.
type world struct {
	pki       *pki
	good, bad *sink
	relay     string // the relay's address
	exo       *tls.Certificate
	port      int
	r         *Relay
	srv       *smtp.Server
}

// listenPair listens on 127.0.0.1:P and 127.0.0.2:P for one free port P.
func listenPair(t testing.TB) (net.Listener, net.Listener, int) {
	t.Helper()
	for range 20 {
		l1, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l1.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.2:"+strconv.Itoa(port))
		if err == nil {
			return l1, l2, port
		}
		l1.Close()
	}
	t.Fatal("no port free on both 127.0.0.1 and 127.0.0.2")
	return nil, nil, 0
}

func testZone() zone {
	return zone{
		MX: map[string][]string{
			"woodgrove.example": {"mx.woodgrove.example"},
			"sender.example":    {"mx.sender.example"},
			"partner.example":   {"partner-example.mail.protection.outlook.com"},
			"faults.example":    {"mx.faults.example"},
			"down.example":      {"mx.down.example"},
			"backup.example":    {"mx.down.example", "mx.faults.example"},
		},
		A: map[string]string{
			"mx.woodgrove.example":                        "127.0.0.1",
			"mx.sender.example":                           "127.0.0.1",
			"mx.faults.example":                           "127.0.0.1",
			"partner-example.mail.protection.outlook.com": "127.0.0.1",
			"contoso-com.mail.protection.outlook.com":     "127.0.0.1",
			"fabrikam-com.mail.protection.outlook.com":    "127.0.0.2",
			"mx.down.example":                             "127.0.0.3",
		},
		ServFail: map[string]bool{"servfail.example": true},
	}
}

func loadTestDirectory(t testing.TB) *tenantgate.Directory {
	t.Helper()
	f, err := os.Open("testdata/tenantgate.json")
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

// newWorld starts the topology and the relay (next-hop timeout 1 s).
func newWorld(t testing.TB, resolver route.Resolver) *world {
	return newWorldTimeout(t, resolver, time.Second)
}

// newWorldTimeout is newWorld with the relay's next-hop and DNS timeout.
func newWorldTimeout(t testing.TB, resolver route.Resolver, timeout time.Duration) *world {
	return newWorldLimits(t, resolver, Limits{NextHopTimeout: Duration(timeout)})
}

// newWorldLimits is newWorld with the relay's limits (NextHopTimeout 0: 1 s).
func newWorldLimits(t testing.TB, resolver route.Resolver, lim Limits) *world {
	t.Helper()
	if lim.NextHopTimeout == 0 {
		lim.NextHopTimeout = Duration(time.Second)
	}
	timeout := time.Duration(lim.NextHopTimeout)
	p := newPKI(t)
	w := &world{pki: p, exo: p.Leaf(t, []string{"mail.protection.outlook.com"})}
	l1, l2, port := listenPair(t)
	w.port = port
	w.good = serveSink(t, l1, p.Leaf(t, []string{"*.mail.protection.outlook.com", "mx.woodgrove.example", "mx.sender.example", "mx.faults.example"}))
	w.bad = serveSink(t, l2, p.Leaf(t, []string{"wrong.example"}))
	if resolver == nil {
		resolver = route.NewDNSResolver(serveDNS(t, testZone()), route.DNSOptions{Timeout: timeout})
	}
	d := loadTestDirectory(t)
	r, err := New(Options{
		Directory: d,

		ClientRoots: p.Pool, NextHopRoots: p.Pool,
		IdentityCerts: map[string]*tls.Certificate{
			"contoso":  p.Leaf(t, []string{"contoso.gw.example.net"}),
			"fabrikam": p.Leaf(t, []string{"fabrikam.gw.example.net"}),
		},
		Resolver: resolver, NextHopPort: port,
		Limits: lim,
		Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	w.r = r
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.srv = r.Server(p.Leaf(t, []string{"gw.example.net"}))
	go w.srv.Serve(r.Listener(ln))
	t.Cleanup(func() { w.srv.Close() })
	w.relay = ln.Addr().String()
	return w
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, nil))
	}
	return slog.New(slog.DiscardHandler)
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// clientTLS is the TLS configuration of a test client presenting cert (nil: none).
func (w *world) clientTLS(cert *tls.Certificate) *tls.Config {
	c := &tls.Config{RootCAs: w.pki.Pool, ServerName: "gw.example.net"}
	if cert != nil {
		c.Certificates = []tls.Certificate{*cert}
	}
	return c
}

// result is what a client was told.
type result struct {
	Rcpt []error
	Data error // nil: the message was accepted; errNotSent when no recipient was accepted
}

var errNotSent = errors.New("no recipient accepted, DATA not sent")

// send runs one transaction on c.
func send(c *smtp.Client, from string, rcpts []string, msg string) (result, error) {
	var res result
	if err := c.Mail(from, nil); err != nil {
		return res, err
	}
	ok := 0
	for _, r := range rcpts {
		err := c.Rcpt(r, nil)
		res.Rcpt = append(res.Rcpt, err)
		if err == nil {
			ok++
		}
	}
	if ok == 0 {
		res.Data = errNotSent
		return res, c.Reset()
	}
	wc, err := c.Data()
	if err != nil {
		return res, err
	}
	if _, err := io.WriteString(wc, msg); err != nil {
		return res, err
	}
	res.Data = wc.Close()
	return res, nil
}

// dial connects a client to the relay; tlsCfg nil means plaintext.
func (w *world) dial(t testing.TB, tlsCfg *tls.Config) *smtp.Client {
	t.Helper()
	var c *smtp.Client
	var err error
	if tlsCfg == nil {
		c, err = smtp.Dial(w.relay)
	} else {
		c, err = smtp.DialStartTLS(w.relay, tlsCfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// code returns "550 5.7.1" for an *smtp.SMTPError, "ok" for nil, the error text otherwise.
func code(err error) string {
	if err == nil {
		return "ok"
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return fmt.Sprintf("%d %d.%d.%d", se.Code, se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
	}
	return err.Error()
}

// exoMessage is a message as Exchange Online sends a cloud mailbox's mail (FromEntityHeader Hosted,
// AuthAs Internal: kind mailbox) with tenant id in X-MS-Exchange-CrossTenant-Id.
func exoMessage(tenant, from, to, token string) string {
	return "X-MS-Exchange-CrossTenant-Id: " + tenant + "\r\n" +
		"X-MS-Exchange-CrossTenant-AuthAs: Internal\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n" +
		"From: " + from + "\r\nTo: " + to + "\r\nSubject: " + token + "\r\nMessage-ID: <" + token + "@test>\r\n\r\n" +
		"Body of " + token + ".\r\n"
}
