package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/metrics"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/route"
	"github.com/tenantgate/tenantgate/tlsid"
)

// Options is everything a Relay needs; main fills it from a configuration file, tests directly.
type Options struct {
	Directory *tenantgate.Directory
	// Policy is passed to classify.NewPolicy (the zero value: the library's defaults).
	Policy classify.PolicyConfig
	// Hostname is the greeting and EHLO name; default the gateway's name.
	Hostname string
	// ClientRoots verify Exchange Online's client certificate; nil means the system roots.
	ClientRoots *x509.CertPool
	// IdentityCerts are the client certificates per identity name (tlsid.NewIdentities).
	IdentityCerts map[string]*tls.Certificate
	// NextHopRoots verify next hops that must be verified; nil means the system roots.
	NextHopRoots *x509.CertPool
	// Resolver answers MX and address lookups.
	Resolver route.Resolver
	// NextHopPort is the port of every next hop (default 25).
	NextHopPort int
	Limits      Limits
	DKIM        map[tenantgate.Domain]DKIMSigner
	// Logger receives one record per decision; nil discards.
	Logger *slog.Logger
	// Clock is the time for certificate checks; nil means time.Now.
	Clock func() time.Time
	// Mode, ReplyTexts and Metrics are the operational options (mode.go); the zero values
	// enforce, keep the policy's texts and record no metrics.
	Mode       ops.Mode
	ReplyTexts ops.ReplyTexts
	Metrics    *metrics.Metrics
}

// Relay is a synchronous gateway relay: it answers the client's DATA only with the next hop's
// answer to the same message (see README.md, "Replies").
type Relay struct {
	dir        *tenantgate.Directory
	policy     *classify.Policy
	ids        *tlsid.Identities
	serverOpts tlsid.ServerOptions
	clientOpts tlsid.ClientOptions
	resolver   route.Resolver
	hostname   string
	port       int
	limits     Limits
	hdrLimits  headers.Limits
	dkim       map[tenantgate.Domain]DKIMSigner
	log        *slog.Logger
	clock      func() time.Time
	planner    planner

	// Budgets shared by all clients (README.md, "Limits").
	connBudget *budget // client connections, per client address
	upBudget   *budget // next-hop sessions, per client address
	memBudget  *budget // message bytes in memory
	diskBudget *budget // message bytes in spool files
	chunks     sync.Pool
	// verdictFields holds the verdict fields as the next hop receives them (headerblock.go).
	verdictFields verdictFields
	// clientConfigs holds each next hop's TLS client configuration (upstream.go).
	clientConfigs clientConfigs

	// op is the operational configuration (mode.go); root is the relay of the first
	// configuration, which keeps the connections of all (reload.go); nil: this one.
	op   relayOps
	root *Relay

	mu    sync.Mutex
	conns map[*smtp.Conn]struct{} // connections with a session, for Shutdown
}

// New checks o and builds a Relay.
func New(o Options) (*Relay, error) {
	if o.Directory == nil {
		return nil, errors.New("relay: no directory")
	}
	if o.Resolver == nil {
		return nil, errors.New("relay: no resolver")
	}
	clock := o.Clock
	if clock == nil {
		clock = time.Now
	}
	pol, err := classify.NewPolicy(o.Directory, o.Policy)
	if err != nil {
		return nil, fmt.Errorf("relay: policy: %w", err)
	}
	ids, err := tlsid.NewIdentities(o.Directory, o.IdentityCerts, clock())
	if err != nil {
		return nil, fmt.Errorf("relay: identities: %w", err)
	}
	signing := servedSigningDomains(o.Directory)
	for dom := range o.DKIM {
		if !signing[dom] {
			return nil, fmt.Errorf("relay: dkim: %s is no DKIM signing domain of a served tenant", dom)
		}
	}
	clientRoots, nextRoots := o.ClientRoots, o.NextHopRoots
	if clientRoots == nil || nextRoots == nil {
		sys, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("relay: system roots: %w", err)
		}
		if clientRoots == nil {
			clientRoots = sys
		}
		if nextRoots == nil {
			nextRoots = sys
		}
	}
	h := o.Hostname
	if h == "" {
		h = o.Directory.Gateway().Name
	}
	port := o.NextHopPort
	if port == 0 {
		port = 25
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, w := range ids.Warnings() {
		// A serverAuth-only identity certificate (tlsid.ErrNoClientAuth): Exchange Online matches
		// no connector by it; IP-restricted connectors still work.
		log.Warn("identity certificate", "warning", w.Error())
	}
	lim := o.Limits.withDefaults()
	if errs := lim.check(); len(errs) > 0 {
		return nil, fmt.Errorf("relay: %w", errors.Join(errs...))
	}
	r := &Relay{
		dir: o.Directory, policy: pol, ids: ids,
		serverOpts: tlsid.ServerOptions{Verify: tlsid.VerifyOptions{Roots: clientRoots}, Clock: clock},
		clientOpts: tlsid.ClientOptions{Verify: tlsid.VerifyOptions{Roots: nextRoots}, Clock: clock},
		resolver:   o.Resolver, hostname: h, port: port, limits: lim,
		hdrLimits: headers.Limits{MaxBytes: lim.MaxHeaderBytes, MaxFields: lim.MaxHeaderFields},
		dkim:      o.DKIM, log: log, clock: clock,
		connBudget: newBudget(int64(lim.MaxConnections), int64(lim.MaxConnectionsPerIP)),
		upBudget:   newBudget(int64(lim.MaxNextHopSessions), int64(lim.MaxNextHopSessionsPerIP)),
		memBudget:  newBudget(lim.MemoryBytes, 0),
		diskBudget: newBudget(lim.SpoolBytes, 0),
	}
	r.chunks.New = func() any { return new([chunkSize]byte) }
	r.op = relayOps{mode: o.Mode, texts: o.ReplyTexts, metrics: o.Metrics}
	if r.planner, err = plannerFor(o.Directory); err != nil {
		return nil, fmt.Errorf("relay: routes: %w", err)
	}
	return r, nil
}

// servedSigningDomains returns the DKIM signing domains of the tenants the gateway serves.
func servedSigningDomains(d *tenantgate.Directory) map[tenantgate.Domain]bool {
	out := map[tenantgate.Domain]bool{}
	for _, t := range d.Tenants() { // a copy of every tenant: taken once, not once per DKIM key
		if !d.Serves(t.ID) {
			continue
		}
		for _, s := range t.DKIMSigningDomains {
			out[s] = true
		}
	}
	return out
}

// Server returns a go-smtp server for the relay with its limits and STARTTLS configured. Serve it
// on r.Listener: the connection limits and the timeouts per session state need it (README.md,
// "Limits"). go-smtp itself advertises SIZE and LIMITS RCPTMAX in EHLO, refuses a larger SIZE=
// at MAIL and a longer message while reading it (552 5.3.4, RFC 1870), and the recipient over
// MaxRecipients (452 4.5.3).
func (r *Relay) Server(serverCert *tls.Certificate) *smtp.Server {
	return r.serverFor(r, serverCert)
}

// serverFor is Server with the backend b: r itself, or a Live that hands each session the relay
// in force (reload.go).
func (r *Relay) serverFor(b smtp.Backend, serverCert *tls.Certificate) *smtp.Server {
	s := smtp.NewServer(b)
	s.Domain = r.hostname
	s.MaxMessageBytes = r.limits.MaxMessageBytes
	s.MaxRecipients = r.limits.MaxRecipients
	// SMTPUTF8 is offered and forwarded; a non-ASCII address without it is refused (envelope.go).
	s.EnableSMTPUTF8 = true
	// Not zero, so that go-smtp sets a read deadline before every command, which clientConn
	// replaces; the shorter idle timeout applies where no clientConn is beneath.
	s.ReadTimeout = time.Duration(r.limits.IdleTimeout)
	s.WriteTimeout = time.Duration(r.limits.WriteTimeout)
	s.ErrorLog = slogAdapter{r.log}
	if serverCert != nil {
		s.TLSConfig = tlsid.ServerConfig(&tls.Config{Certificates: []tls.Certificate{*serverCert}, MinVersion: tls.VersionTLS12}, r.serverOpts)
	}
	return s
}

// NewSession implements smtp.Backend. go-smtp calls it at EHLO/HELO and again after STARTTLS, so
// the TLS evidence is read here, once per handshake.
func (r *Relay) NewSession(c *smtp.Conn) (smtp.Session, error) {
	var addr netip.Addr
	if ap, err := netip.ParseAddrPort(c.Conn().RemoteAddr().String()); err == nil {
		addr = ap.Addr().Unmap()
	}
	var ev tlsid.Evidence
	if cs, ok := c.TLSConnectionState(); ok {
		ev = tlsid.EvidenceFor(cs, r.serverOpts)
	}
	cs := classify.Session{RemoteAddr: addr, HELO: c.Hostname(), TLS: ev}
	peer := r.policy.Peer(cs)
	// Every record of the session says why the peer is (not) Exchange Online.
	log := r.log.With("client", addr.String(), "helo", cs.HELO, "tls", ev.TLS, "certVerified", ev.Verified, "certNames", ev.Names, "exo", peer.EXO,
		"peer", codes(peer.Reasons))
	log.Info("session")
	g := r.registry()
	g.mu.Lock()
	if g.conns == nil {
		g.conns = map[*smtp.Conn]struct{}{}
	}
	if _, known := g.conns[c]; !known { // go-smtp calls NewSession again after STARTTLS
		r.op.metrics.SessionOpened()
	}
	g.conns[c] = struct{}{}
	g.mu.Unlock()
	ss := &session{r: r, conn: c, cs: cs, log: log, ip: clientIP(c.Conn().RemoteAddr()), cc: connOf(c)}
	if ss.cc != nil {
		ss.cc.smtp.Store(c)
		ss.ip = ss.cc.ip
	}
	return ss, nil
}

func (r *Relay) forget(c *smtp.Conn) {
	g := r.registry()
	g.mu.Lock()
	if _, known := g.conns[c]; known {
		r.op.metrics.SessionClosed()
	}
	delete(g.conns, c)
	g.mu.Unlock()
}

// Shutdown stops srv (a server from r.Server) gracefully: no new connections, running sessions
// may finish until ctx is done; then the sessions still open are closed. A client cut off has had
// no answer to DATA and keeps its message.
func (r *Relay) Shutdown(ctx context.Context, srv *smtp.Server) error {
	err := srv.Shutdown(ctx)
	if err == nil || errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	g := r.registry()
	g.mu.Lock()
	open := make([]*smtp.Conn, 0, len(g.conns))
	for c := range g.conns {
		open = append(open, c)
	}
	g.mu.Unlock()
	for _, c := range open { // Close calls the session's Logout, which takes r.mu
		c.Close()
	}
	r.log.Warn("sessions cut at shutdown", "sessions", len(open))
	return err
}

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Printf(format string, v ...any) { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Println(v ...any)               { a.l.Warn(fmt.Sprint(v...)) }

func codes(rs []tenantgate.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}
