package main

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/route"
)

// countingResolver counts the MX lookups of each name it passes on.
type countingResolver struct {
	route.Resolver
	mu sync.Mutex
	mx map[string]int
}

func (c *countingResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	c.mu.Lock()
	c.mx[name]++
	c.mu.Unlock()
	return c.Resolver.LookupMX(ctx, name)
}

func (c *countingResolver) LookupHost(ctx context.Context, name string) ([]netip.Addr, error) {
	return c.Resolver.LookupHost(ctx, name)
}

// TestRelayedMXLookedUpOnce: a recipient relayed to the Internet has its domain's MX looked up
// once per transaction: at RCPT, where an unresolvable domain is refused, and the next-hop session
// at the end of DATA connects to those hosts rather than asking DNS again (it asked twice before).
// A second transaction asks again.
func TestRelayedMXLookedUpOnce(t *testing.T) {
	res := &countingResolver{mx: map[string]int{}}
	w := newWorld(t, res)
	res.Resolver = route.NewDNSResolver(serveDNS(t, testZone()), route.DNSOptions{Timeout: time.Second})
	c := w.dial(t, w.clientTLS(w.exo))
	defer c.Close()
	for n := 1; n <= 2; n++ {
		msg := exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-mx")
		r, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"}, msg)
		if err != nil || r.Rcpt[0] != nil || r.Data != nil {
			t.Fatalf("transaction %d: %+v, %v", n, r, err)
		}
		res.mu.Lock()
		got := res.mx["woodgrove.example"]
		res.mu.Unlock()
		if got != n {
			t.Errorf("after %d transaction(s): %d MX lookups of woodgrove.example, want %d", n, got, n)
		}
	}
}
