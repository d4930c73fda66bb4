package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// liveWorld serves a Live relay over w's next hops. loaded returns a checked configuration
// with the operational options o, as Load makes it from a file.
type liveWorld struct {
	w    *world
	live *Live
	addr string
	dns  string
	ids  map[string]*tls.Certificate
}

func newLiveWorld(t *testing.T) *liveWorld {
	t.Helper()
	w := newWorld(t, nil)
	lw := &liveWorld{w: w, dns: serveDNS(t, testZone()), ids: map[string]*tls.Certificate{
		"contoso":  w.pki.Leaf(t, []string{"contoso.gw.example.net"}),
		"fabrikam": w.pki.Leaf(t, []string{"fabrikam.gw.example.net"}),
	}}
	lw.live = NewLive(filepath.Join(t.TempDir(), "relay.json"), slog.New(slog.DiscardHandler), nil, nil)
	if err := lw.live.use(lw.loaded(t, ops.Section{})); err != nil {
		t.Fatal(err)
	}
	srv, err := lw.live.Server(w.pki.Leaf(t, []string{"gw.example.net"}))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lw.live.Current().Listener(ln))
	t.Cleanup(func() { srv.Close() })
	lw.addr = ln.Addr().String()
	return lw
}

func (lw *liveWorld) loaded(t *testing.T, o ops.Section) *Loaded {
	return &Loaded{Directory: loadTestDirectory(t), ClientCAs: lw.w.pki.Pool, NextHopCAs: lw.w.pki.Pool, IdentCerts: lw.ids,
		Section: Section{Listen: "127.0.0.1:0", DNSServer: lw.dns, NextHopPort: lw.w.port,
			Limits: Limits{NextHopTimeout: Duration(time.Second)}, Section: o}}
}

// exoClient dials the relay as verified Exchange Online.
func (lw *liveWorld) exoClient() (*smtp.Client, error) {
	return smtp.DialStartTLS(lw.addr, lw.w.clientTLS(lw.w.exo))
}

// TestRelayReloadUnderLoad: three clients send own-tenant mail without pause, each connection
// two messages, while the configuration is reloaded 24 times, alternating between enforce and
// monitor mode with a reply text (both relay own-tenant mail) and, every third time, a broken
// file. Nothing is refused, everything arrives, and the broken file changes nothing.
func TestRelayReloadUnderLoad(t *testing.T) {
	lw := newLiveWorld(t)
	if err := os.WriteFile(lw.live.path, []byte(`{"relay": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	configs := []ops.Section{{}, {Mode: ops.Monitor, ReplyTexts: ops.ReplyTexts{RelayDenied: "No"}}}
	var stop atomic.Bool
	var sent atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				c, err := lw.exoClient()
				if err != nil {
					errs <- err
					return
				}
				for j := range 2 {
					tok := fmt.Sprintf("tok-load-%d-%d-%d", g, i, j)
					res, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", tok))
					if err == nil && res.Data != nil {
						err = res.Data
					}
					if err != nil {
						errs <- fmt.Errorf("%s: %w", tok, err)
					}
					sent.Add(1)
				}
				c.Quit()
			}
		}()
	}
	for i := range 24 {
		before := lw.live.Current()
		if i%3 == 2 {
			if _, err := lw.live.Load(); err == nil {
				t.Fatal("broken file loaded")
			}
			if lw.live.Current() != before {
				t.Fatal("a broken file changed the relay in force")
			}
		} else if err := lw.live.use(lw.loaded(t, configs[i%2])); err != nil {
			t.Fatal(err)
		}
		for n := sent.Load(); sent.Load() < n+3; {
			time.Sleep(time.Millisecond)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("during reloads: %v", err)
	}
	if got := int64(len(lw.w.good.all())); got != sent.Load() {
		t.Errorf("next hop got %d messages; %d sent", got, sent.Load())
	}
}

// TestRelayReloadInFlight: a session keeps the configuration it started with. Enforce mode
// refuses another tenant's mail; after a reload to monitor mode the session already open still
// refuses it, a new one relays it.
func TestRelayReloadInFlight(t *testing.T) {
	lw := newLiveWorld(t)
	old, err := lw.exoClient()
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.Hello("exo.example"); err != nil { // the session exists from here
		t.Fatal(err)
	}
	if err := lw.live.use(lw.loaded(t, ops.Section{Mode: ops.Monitor})); err != nil {
		t.Fatal(err)
	}
	msg := exoMessage(woodgroveID, "ceo@contoso.com", "victim@sender.example", "tok-inflight")
	res, err := send(old, "mallory@woodgrove.example", []string{"victim@sender.example"}, msg)
	if err != nil || code(res.Data) != "550 5.7.1" {
		t.Errorf("session open before the reload: %v %v; want 550 5.7.1", res, err)
	}
	c, err := lw.exoClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if res, err := send(c, "mallory@woodgrove.example", []string{"victim@sender.example"}, msg); err != nil || res.Data != nil {
		t.Errorf("session after the reload: %v %v; want relayed (monitor mode)", res, err)
	}
}

// TestRelayPerTenantPolicy: relayKinds [] for contoso alone (policy.tenants) refuses contoso's
// own mailbox mail to the Internet and leaves fabrikam's default (mailbox relays).
func TestRelayPerTenantPolicy(t *testing.T) {
	lw := newLiveWorld(t)
	ld := lw.loaded(t, ops.Section{})
	ld.Section.Policy.Tenants = []classify.TenantPolicy{{Tenant: tenantgate.MustParseTenantID(contosoID), RelayKinds: []classify.Kind{}}}
	if err := lw.live.use(ld); err != nil {
		t.Fatal(err)
	}
	c, err := lw.exoClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-pt1"))
	if err != nil || code(res.Data) != "550 5.7.1" {
		t.Errorf("contoso with relayKinds []: %v %v; want 550 5.7.1", res, err)
	}
	res, err = send(c, "frank@fabrikam.com", []string{"erin@woodgrove.example"}, exoMessage(fabrikamID, "frank@fabrikam.com", "erin@woodgrove.example", "tok-pt2"))
	if err != nil || res.Data != nil {
		t.Errorf("fabrikam: %v %v; want relayed", res, err)
	}
}
