package main

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestLoad: 50 concurrent clients (verified Exchange Online) each send 20 messages on one
// connection; every message the relay accepted is at the sink exactly once, and none it refused.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	// Timeouts generous enough for 50 TLS handshakes at once on a small CI machine: this test is
	// about exactly-once delivery, TestFaults about timeouts.
	// 50 clients on one address stand for 50 Exchange Online servers: the per-address bounds
	// are raised to the global ones.
	w := newWorldLimits(t, nil, Limits{NextHopTimeout: Duration(30 * time.Second),
		MaxConnectionsPerIP: DefaultMaxConnections, MaxNextHopSessionsPerIP: DefaultMaxNextHopSessions})
	const clients, perClient = 50, 20
	type outcome struct {
		token string
		err   error
	}
	out := make(chan outcome, clients*perClient)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := smtp.DialStartTLS(w.relay, w.clientTLS(w.exo))
			if err != nil {
				out <- outcome{fmt.Sprintf("client-%d", i), err}
				return
			}
			defer c.Close()
			for j := range perClient {
				tok := fmt.Sprintf("tok-load-%d-%d", i, j)
				// Alternate inbound (one tenant hop, asked at RCPT) and relayed (asked after DATA).
				rcpt := "erin@woodgrove.example"
				if j%2 == 1 {
					rcpt = "alice@contoso.com"
				}
				res, err := send(c, "carol@contoso.com", []string{rcpt}, exoMessage(contosoID, "carol@contoso.com", rcpt, tok))
				if err == nil {
					err = res.Data
				}
				out <- outcome{tok, err}
			}
			c.Quit()
		}()
	}
	wg.Wait()
	close(out)
	accepted := 0
	for o := range out {
		n := w.good.count(o.token)
		switch {
		case o.err == nil && n != 1:
			t.Errorf("%s accepted, sink holds %d copies", o.token, n)
		case o.err != nil && n != 0:
			t.Errorf("%s refused (%v), sink holds %d copies", o.token, o.err, n)
		case o.err == nil:
			accepted++
		default:
			t.Logf("%s: %v", o.token, o.err)
		}
	}
	// The sink holds nothing else either.
	if got := len(w.good.all()); got != accepted {
		t.Errorf("sink holds %d messages, %d were accepted", got, accepted)
	}
	// Nothing in this topology fails: every message must have been accepted.
	if accepted != clients*perClient {
		t.Errorf("accepted %d of %d", accepted, clients*perClient)
	}
}
