package tlsid

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// handshake runs one TLS connection over loopback TCP. The server writes a line after its
// handshake so that the client reads it, which also processes TLS 1.3 session tickets. It
// returns the server's connection state and both sides' errors.
func handshake(t *testing.T, server, client *tls.Config) (tls.ConnectionState, error, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		cs  tls.ConnectionState
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		s := tls.Server(c, server)
		if err := s.Handshake(); err != nil {
			done <- result{err: err}
			return
		}
		_, err = s.Write([]byte("ok\n"))
		done <- result{cs: s.ConnectionState(), err: err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	tc := tls.Client(c, client)
	cerr := tc.Handshake()
	if cerr == nil {
		_, cerr = bufio.NewReader(tc).ReadString('\n')
	}
	r := <-done
	return r.cs, r.err, cerr
}

// gatewayServer is the gateway's listener certificate (gw.example.net).
func (p *testPKI) gatewayServer(t *testing.T, now func() time.Time) *tls.Config {
	gw := newLeaf(t, leafSpec{cn: "gw.example.net", dns: []string{"gw.example.net"}, eku: serverAuth}, &p.inter)
	return &tls.Config{Certificates: []tls.Certificate{*gw.tlsCert(p.inter)}, Time: now}
}

// exoClient is Exchange Online connecting to the gateway, presenting cert (nil: none).
func (p *testPKI) exoClient(cert *tls.Certificate, now func() time.Time, version uint16) *tls.Config {
	return &tls.Config{
		RootCAs: p.roots, ServerName: "gw.example.net", Time: now,
		MinVersion: version, MaxVersion: version,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return cert, nil
		},
	}
}

func TestServerConfigHandshake(t *testing.T) {
	p := newTestPKI(t)
	now := func() time.Time { return testNow }
	opts := ServerOptions{Verify: VerifyOptions{Roots: p.roots}, Clock: now}
	issuer := "CN=Test Intermediate,O=tenantgate test"
	exoEv := func(v uint16) Evidence {
		return Evidence{TLS: true, Version: v, Verified: true, Names: []string{"mail.protection.outlook.com"},
			Subject: "CN=mail.protection.outlook.com", Issuer: issuer}
	}
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		tests := []struct {
			name    string
			cert    *tls.Certificate
			opts    ServerOptions
			want    Evidence
			wantErr string // substring of the server's handshake error
		}{
			{name: "no client certificate", opts: opts, want: Evidence{TLS: true, Version: version}},
			// The 2026 case: crypto/tls's own client-certificate verification would fail it.
			{name: "server-auth only", cert: p.exoServerAuth.tlsCert(p.inter), opts: opts, want: exoEv(version)},
			{name: "client-auth only", cert: p.exoClientAuth.tlsCert(p.inter), opts: opts, want: exoEv(version)},
			{name: "both usages", cert: p.exoBoth.tlsCert(p.inter), opts: opts, want: exoEv(version)},
			// A bad certificate does not fail the handshake by default; the evidence says why.
			{name: "self-signed accepted unverified", cert: p.selfSigned.tlsCert(), opts: opts,
				want: Evidence{TLS: true, Version: version, Names: []string{"mail.protection.outlook.com"},
					Subject: "CN=mail.protection.outlook.com", Issuer: "CN=mail.protection.outlook.com"}},
			{name: "self-signed rejected", cert: p.selfSigned.tlsCert(),
				opts: ServerOptions{Verify: opts.Verify, Clock: now, RejectUnverified: true}, wantErr: "not verified"},
			{name: "no certificate with RejectUnverified", opts: ServerOptions{Verify: opts.Verify, Clock: now, RejectUnverified: true},
				want: Evidence{TLS: true, Version: version}},
			// No clock and no Now: nothing verifies (fail closed), the handshake goes on.
			{name: "no clock", cert: p.exoServerAuth.tlsCert(p.inter), opts: ServerOptions{Verify: opts.Verify},
				want: Evidence{TLS: true, Version: version, Names: []string{"mail.protection.outlook.com"},
					Subject: "CN=mail.protection.outlook.com", Issuer: issuer}},
		}
		for _, tc := range tests {
			t.Run(tls.VersionName(version)+"/"+tc.name, func(t *testing.T) {
				cs, serr, _ := handshake(t, ServerConfig(p.gatewayServer(t, now), tc.opts), p.exoClient(tc.cert, now, version))
				if tc.wantErr != "" {
					if serr == nil || !strings.Contains(serr.Error(), tc.wantErr) {
						t.Fatalf("server handshake error = %v, want %q", serr, tc.wantErr)
					}
					return
				}
				if serr != nil {
					t.Fatalf("server handshake: %v", serr)
				}
				got := EvidenceFor(cs, tc.opts)
				got.Error = ""
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("EvidenceFor (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestServerConfigStdlibRefusesServerAuthOnly pins the reason ServerConfig exists: crypto/tls's own
// verification refuses a serverAuth-only client certificate
// (docs/exchange-online.md#client-certificates-without-clientauth;
// docs/certificates.md#rules-followed).
func TestServerConfigStdlibRefusesServerAuthOnly(t *testing.T) {
	p := newTestPKI(t)
	now := func() time.Time { return testNow }
	srv := p.gatewayServer(t, now)
	srv.ClientAuth = tls.VerifyClientCertIfGiven
	srv.ClientCAs = p.roots
	_, serr, _ := handshake(t, srv, p.exoClient(p.exoServerAuth.tlsCert(p.inter), now, tls.VersionTLS13))
	if serr == nil || !strings.Contains(serr.Error(), "incompatible key usage") {
		t.Fatalf("stdlib server error = %v, want incompatible key usage", serr)
	}
	// ServerConfig over the same base accepts it.
	cs, serr, _ := handshake(t, ServerConfig(srv, ServerOptions{Verify: VerifyOptions{Roots: p.roots}, Clock: now}),
		p.exoClient(p.exoServerAuth.tlsCert(p.inter), now, tls.VersionTLS13))
	if serr != nil {
		t.Fatal(serr)
	}
	if ev := EvidenceFor(cs, ServerOptions{Verify: VerifyOptions{Roots: p.roots}, Clock: now}); !ev.Verified {
		t.Errorf("not verified: %+v", ev)
	}
}

// TestServerConfigResumption resumes a session: the evidence is recomputed from the resumed
// state, and VerifyConnection (unlike VerifyPeerCertificate) runs again, at the new time.
func TestServerConfigResumption(t *testing.T) {
	p := newTestPKI(t)
	// A client certificate valid for one more hour.
	short := newLeaf(t, leafSpec{cn: "mail.protection.outlook.com", dns: []string{"mail.protection.outlook.com"},
		eku: serverAuth, notAfter: testNow.Add(time.Hour)}, &p.inter)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(version), func(t *testing.T) {
			clock := testNow
			now := func() time.Time { return clock }
			calls := 0
			base := p.gatewayServer(t, now)
			base.VerifyConnection = func(tls.ConnectionState) error { calls++; return nil }
			base.SetSessionTicketKeys([][32]byte{{1, 2, 3}})
			opts := ServerOptions{Verify: VerifyOptions{Roots: p.roots}, Clock: now}
			srv := ServerConfig(base, opts)
			cli := p.exoClient(short.tlsCert(p.inter), now, version)
			cli.ClientSessionCache = tls.NewLRUClientSessionCache(4)

			cs, serr, cerr := handshake(t, srv, cli)
			if serr != nil || cerr != nil || cs.DidResume {
				t.Fatalf("first: server %v, client %v, resumed %v", serr, cerr, cs.DidResume)
			}
			cs, serr, cerr = handshake(t, srv, cli)
			if serr != nil || cerr != nil || !cs.DidResume {
				t.Fatalf("second: server %v, client %v, resumed %v", serr, cerr, cs.DidResume)
			}
			if ev := EvidenceFor(cs, opts); !ev.Verified || len(ev.Names) != 1 {
				t.Errorf("resumed evidence: %+v", ev)
			}
			if calls != 2 {
				t.Errorf("base VerifyConnection ran %d times, want 2 (resumption included)", calls)
			}

			// Two hours later the certificate has expired. crypto/tls's server refuses to resume
			// a session whose client certificate expired, so this is a full handshake; either
			// way the evidence is unverified.
			clock = testNow.Add(2 * time.Hour)
			cs, serr, _ = handshake(t, srv, cli)
			if serr != nil {
				t.Fatalf("third: %v", serr)
			}
			if ev := EvidenceFor(cs, opts); ev.Verified || !strings.Contains(ev.Error, "expired") {
				t.Errorf("expired evidence: %+v", ev)
			}

			// A resumed session is verified again under the current options: with other roots
			// the resumed session is unverified, and with RejectUnverified it fails. The configs
			// share session ticket keys so that they resume each other's sessions.
			clock = testNow
			other := ServerOptions{Verify: VerifyOptions{Roots: p.otherRoots}, Clock: now}
			if cs, serr, _ = handshake(t, ServerConfig(base, other), cli); serr != nil || !cs.DidResume {
				t.Fatalf("other roots: server %v, resumed %v", serr, cs.DidResume)
			}
			if ev := EvidenceFor(cs, other); ev.Verified {
				t.Errorf("resumed session verified against other roots: %+v", ev)
			}
			other.RejectUnverified = true
			if _, serr, _ = handshake(t, ServerConfig(base, other), cli); serr == nil || !strings.Contains(serr.Error(), "not verified") {
				t.Errorf("strict resumed handshake: %v, want a verification error", serr)
			}
		})
	}
}
