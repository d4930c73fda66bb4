package main

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/d--j/go-milter"
	"github.com/tenantgate/tenantgate/examples/internal/reload"
	"net"
	"strings"
)

// TestReloadUnderLoad: while four clients send own-tenant mail without pause, the
// configuration is reloaded 30 times, alternating between two configurations that both accept
// it and, every third time, a broken file. Nothing is refused; the broken file leaves the
// generation as it was.
func TestReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, ``)
	good := [2][]byte{}
	good[0], _ = os.ReadFile(path)
	writeConfig(t, dir, `, "mode": "monitor", "policy": {"maxHops": 7}, "replyTexts": {"relayDenied": "No"}`)
	good[1], _ = os.ReadFile(path)
	live := NewLive(path, slog.New(slog.DiscardHandler), nil, nil)
	rl := reload.New(live.Load, slog.New(slog.DiscardHandler), nil)
	if !rl.Reload("start") {
		t.Fatal("start")
	}
	srv, err := live.Server()
	if err != nil {
		t.Fatal(err)
	}
	addr := serveServer(t, srv)

	own := txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, exoHeader(contosoID, "carol@contoso.com")}
	var stop atomic.Bool
	var sent atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clientFor(addr)
			for !stop.Load() {
				for _, o := range runSession(t, c, exoPeer, own, own) {
					if o.EOM != "accept" {
						errs <- o.EOM
					}
					sent.Add(1)
				}
			}
		}()
	}
	want := uint64(1)
	for i := range 30 {
		data := good[i%2]
		broken := i%3 == 2
		if broken {
			data = []byte(`{"configFile": "missing.json", "milter": {"listen": ""}}`)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if ok := rl.Reload("test"); ok == broken {
			t.Fatalf("reload %d (broken %v): %v", i, broken, ok)
		}
		if !broken {
			want++
		}
		if g := rl.Generation(); g != want {
			t.Fatalf("reload %d: generation %d; want %d", i, g, want)
		}
		for n := sent.Load(); sent.Load() < n+4; { // let some mail through each configuration
			time.Sleep(time.Millisecond)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("refused during reloads: %s", e)
	}
}

// TestReloadInFlight: a connection keeps the configuration it started with; the next one takes
// the reloaded one. Enforce mode refuses another tenant's mail; after a reload to monitor mode
// the session already open still refuses it and a new one accepts it. A broken file afterwards
// changes nothing.
func TestReloadInFlight(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, ``)
	live := NewLive(path, slog.New(slog.DiscardHandler), nil, nil)
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	srv, err := live.Server()
	if err != nil {
		t.Fatal(err)
	}
	c := clientFor(serveServer(t, srv))
	macros := milter.NewMacroBag()
	s, err := c.Session(macros) // the SMTP session starts before the reload
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	greetEXO(t, s, macros)
	// RCPT is the first stage the milter answers (quietStages): once it has, it has seen the
	// connection start.
	begin(t, s, other)
	writeConfig(t, dir, `, "mode": "monitor"`)
	if _, err := live.Load(); err != nil {
		t.Fatal(err)
	}
	if got := finish(t, s, other); got != "550 5.7.1 Unable to relay" {
		t.Errorf("session open before the reload: %q; want the old configuration's refusal", got)
	}
	begin(t, s, other) // the session's next transaction too
	if got := finish(t, s, other); got != "550 5.7.1 Unable to relay" {
		t.Errorf("next transaction of the session open before the reload: %q; want the old configuration's refusal", got)
	}
	if got := runSession(t, c, exoPeer, other)[0].EOM; got != "accept" {
		t.Errorf("session after the reload: %q; want monitor mode's accept", got)
	}
	if err := os.WriteFile(path, []byte(`{"milter": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Load(); err == nil {
		t.Fatal("broken file loaded")
	}
	if got := runSession(t, c, exoPeer, other)[0].EOM; got != "accept" {
		t.Errorf("after the broken file: %q; want monitor mode still in force", got)
	}
}

// serveServer serves srv on 127.0.0.1:0 and returns its address.
func serveServer(t testing.TB, srv *milter.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// clientFor is a client for the milter at addr offering what Postfix offers.
func clientFor(addr string) *milter.Client {
	return milter.NewClient("tcp", addr, milter.WithActions(milter.OptAddHeader|milter.OptChangeHeader|milter.OptSetMacros),
		milter.WithProtocols(postfixOffer))
}

// begin sends a transaction's MAIL and RCPTs on an open session; finish sends the rest and
// returns the end-of-message answer.
func begin(t testing.TB, s *milter.ClientSession, tx txn) {
	t.Helper()
	if _, err := s.Mail("<"+tx.from+">", ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range tx.rcpts {
		if a, err := s.Rcpt("<"+r+">", ""); err != nil || a.StopProcessing() {
			t.Fatalf("rcpt %s: %v %v", r, a, err)
		}
	}
}

func finish(t testing.TB, s *milter.ClientSession, tx txn) string {
	t.Helper()
	return finishBody(t, s, tx, "Hello.\r\n")
}

// finishBody is finish with the message body.
func finishBody(t testing.TB, s *milter.ClientSession, tx txn, body string) string {
	t.Helper()
	if _, err := s.DataStart(); err != nil {
		t.Fatal(err)
	}
	for _, f := range tx.header {
		if _, err := s.HeaderField(f[0], f[1], nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.HeaderEnd(); err != nil {
		t.Fatal(err)
	}
	_, a, err := s.BodyReadFrom(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return actionString(a)
}

// TestReloadBeforeConnect: go-milter negotiates the protocol before the filter takes its
// configuration (at Connect), so a reload can come in between and the session runs under another
// configuration than the one the negotiation followed (negotiate.go). Either way the session gets
// the body it needs, because the body is always asked for and the skip reply is the session's
// own decision. (The negotiation follows the configuration in force when it happens, not the one
// the server was built with.)
//   - negotiated without DKIM (body chunks answered, skip negotiated), reloaded to dkimRequired:
//     a message signed by the tenant's domain over a body of four chunks passes (the milter did
//     not skip; a skipped body fails the body hash), the same header unsigned is refused;
//   - negotiated with DKIM (no body-chunk replies), reloaded to no DKIM: the unsigned message
//     relays, and a header cut short (README.md "What Postfix passes") is still refused.
//
// Were the body negotiated away all the same (forced here with SMFIP_NOBODY, which the milter
// never asks for), nothing passes: every message gets 451 4.3.5 (replyNoBody), temporary, so the
// MTA tries again on a fresh connection, and the reason is logged.
func TestReloadBeforeConnect(t *testing.T) {
	pub, key := mustKey(t)
	dnsAddr := serveTXT(t, map[string]string{"sel._domainkey.contoso.com": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)})
	hdr := exoHeader(contosoID, "carol@contoso.com")
	var msg strings.Builder
	for _, f := range hdr {
		msg.WriteString(f[0] + ": " + f[1] + "\r\n")
	}
	msg.WriteString("\r\n" + longBody())
	good, goodBody := signed(t, msg.String(), "contoso.com", key)
	cut := "not a header line\r\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\r\n\r\nHello.\r\n"
	own := func(h [][2]string) txn { return txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, h} }
	dkimSection := fmt.Sprintf(`, "policy": {"dkimRequired": true}, "dkim": {"dnsServer": %q}`, dnsAddr)
	const (
		relayDenied = "550 5.7.1 Unable to relay"
		malformed   = "554 5.6.0 Malformed message header"
		noBody      = "451 4.3.5 Message body not passed to the filter, try again later"
	)
	type step struct {
		name, body, want string
		header           [][2]string
	}
	for _, tc := range []struct {
		name           string
		before, after  string // the configuration's milter members at the negotiation, at Connect
		opts           []milter.Option
		wantBodyNoRepl bool // negotiated SMFIP_NR_BODY
		steps          []step
	}{
		{"without DKIM, then with", ``, dkimSection, nil, false, []step{
			{"signed", goodBody, "accept", good},
			{"unsigned", "Hello.\r\n", relayDenied, hdr},
			{"cut header", cut, malformed, hdr},
		}},
		{"with DKIM, then without", dkimSection, ``, nil, true, []step{
			{"unsigned", "Hello.\r\n", "accept", hdr},
			{"cut header", cut, malformed, hdr},
		}},
		{"body not negotiated", ``, dkimSection, []milter.Option{milter.WithProtocols(milter.OptHeaderLeadingSpace | milter.OptNoBody)}, false, []step{
			{"signed", goodBody, noBody, good},
			{"unsigned", "Hello.\r\n", noBody, hdr},
			{"cut header", cut, noBody, hdr},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The server starts without DKIM; the negotiation follows the configuration in
			// force when it happens.
			dir := t.TempDir()
			path := writeConfig(t, dir, ``)
			rec := &recordLog{}
			live := NewLive(path, slog.New(rec), nil, nil)
			if _, err := live.Load(); err != nil {
				t.Fatal(err)
			}
			srv, err := live.Server(tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			writeConfig(t, dir, tc.before)
			if _, err := live.Load(); err != nil {
				t.Fatal(err)
			}
			c := clientFor(serveServer(t, srv))
			macros := milter.NewMacroBag()
			s, err := c.Session(macros) // negotiated under the first configuration
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.ProtocolOption(milter.OptNoBodyReply); got != tc.wantBodyNoRepl {
				t.Errorf("SMFIP_NR_BODY negotiated: %v, want %v", got, tc.wantBodyNoRepl)
			}
			writeConfig(t, dir, tc.after)
			if _, err := live.Load(); err != nil {
				t.Fatal(err)
			}
			greetEXO(t, s, macros)
			for _, st := range tc.steps {
				begin(t, s, own(st.header))
				if got := finishBody(t, s, own(st.header), st.body); got != st.want {
					t.Errorf("%s: %q, want %q", st.name, got, st.want)
				}
			}
			if n := len(rec.find("message refused: the body was not negotiated (SMFIP_NOBODY)")); (n > 0) != (tc.opts != nil) {
				t.Errorf("%d refusals for the body not negotiated logged", n)
			}
		})
	}
}

// greetEXO starts the SMTP session of s as Exchange Online's verified connection: connect, the
// TLS macros Postfix passes for its certificate, HELO.
func greetEXO(t *testing.T, s *milter.ClientSession, macros *milter.MacroBag) {
	t.Helper()
	if _, err := s.Conn("client.example", milter.FamilyInet, 25, exoPeer.addr); err != nil {
		t.Fatal(err)
	}
	macros.Set(milter.MacroTlsVersion, exoPeer.tlsVersion)
	macros.Set(milter.MacroCertSubject, exoPeer.subject)
	if _, err := s.Helo("client.example"); err != nil {
		t.Fatal(err)
	}
}
