package main

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// interop returns the path of tool for an interop test: with TENANTGATE_INTEROP=1 a missing tool
// fails the test (examples/milter/README.md#tests), without the variable the test is skipped.
func interop(t *testing.T, tool string) string {
	t.Helper()
	if os.Getenv("TENANTGATE_INTEROP") != "1" {
		t.Skip("interop test: set TENANTGATE_INTEROP=1 (needs Debian's swaks, postfix, miltertest)")
	}
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("TENANTGATE_INTEROP=1 but %s is missing: %v (apt-get install -y swaks postfix miltertest)", tool, err)
	}
	return p
}

// serveApp runs the milter on 127.0.0.1:0 and returns its port.
func serveApp(t *testing.T, app *App) int {
	port, _ := serveAppListener(t, app)
	return port
}

// serveAppListener is serveApp that also returns the listener (its counters).
func serveAppListener(t *testing.T, app *App) (int, *bufferedListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bl := newBufferedListener(ln, time.Minute)
	srv := app.Server()
	go srv.Serve(bl) // as main does
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, bl
}

// memSink is a go-smtp server keeping what it receives: Postfix's relayhost.
type memSink struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (s *memSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &memSinkSession{s: s}, nil }

func (s *memSink) find(token string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if bytes.Contains(m, []byte("Subject: "+token+"\r\n")) {
			return m
		}
	}
	return nil
}

type memSinkSession struct{ s *memSink }

func (memSinkSession) Reset()                               {}
func (memSinkSession) Logout() error                        { return nil }
func (memSinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (memSinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *memSinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, b)
	ss.s.mu.Unlock()
	return nil
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lockedBuffer collects Postfix's log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// postfixDir returns a temporary directory the postfix user can enter (t.TempDir's parent is
// private to root).
func postfixDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tenantgate-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startPostfix runs a private Postfix instance (examples/milter/README.md#tests) on a free port
// with the milter in smtpd_milters, the settings README.md documents, and sinkPort as relayhost;
// extra lines are appended to main.cf.
func startPostfix(t *testing.T, dir string, milterPort, sinkPort int, caFile, certFile, keyFile string, extra ...string) (int, *lockedBuffer) {
	t.Helper()
	postfix := interop(t, "postfix")
	port := freePort(t)
	for _, d := range []string{"conf", "queue", "data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	master, err := os.ReadFile("/etc/postfix/master.cf")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(master), "\n")
	chroot := regexp.MustCompile(`^([a-z]+\s+(unix|fifo|inet|pass)\s+[-ny]\s+[-ny]\s+)y`)
	for i, l := range lines {
		if strings.HasPrefix(l, "smtp ") && strings.Contains(l, " inet ") {
			lines[i] = strconv.Itoa(port) + "      inet  n       -       n       -       -       smtpd"
			continue
		}
		lines[i] = chroot.ReplaceAllString(l, "${1}n")
	}
	if err := os.WriteFile(filepath.Join(dir, "conf/master.cf"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	main := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
maillog_file = /dev/stdout
myhostname = gw.example.net
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:%[2]d
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_tls_security_level = may
smtpd_tls_cert_file = %[4]s
smtpd_tls_key_file = %[5]s
smtpd_tls_ask_ccert = yes
smtpd_tls_CAfile = %[6]s
smtpd_forbid_bare_newline = yes
smtpd_milters = inet:127.0.0.1:%[3]d
milter_protocol = 6
milter_default_action = tempfail
milter_helo_macros = {tls_version} {cipher} {cert_subject} {cert_issuer}
milter_mail_macros = i {auth_type} {tls_version} {cipher} {cert_subject} {cert_issuer}
smtp_tls_security_level = none
`, dir, sinkPort, milterPort, certFile, keyFile, caFile) + strings.Join(extra, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "conf/main.cf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chown", "-R", "postfix:postfix", filepath.Join(dir, "data")).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v: %s", err, out)
	}
	log := &lockedBuffer{}
	cmd := exec.Command(postfix, "-c", filepath.Join(dir, "conf"), "start-fg")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tool(t, postfix, "-c", filepath.Join(dir, "conf"), "stop").Run()
		cmd.Wait()
		if t.Failed() {
			t.Logf("postfix log:\n%s", log.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return port, log
		}
		if time.Now().After(deadline) {
			t.Fatalf("postfix did not start:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestInteropPostfix puts the milter behind a real Postfix (smtpd_milters) with swaks as the
// client, and checks what reaches Postfix's relayhost.
func TestInteropPostfix(t *testing.T) {
	swaks := interop(t, "swaks")
	interop(t, "postfix")
	dir := postfixDir(t)
	p := newPKI(t)
	caFile := p.WriteCA(t, dir)
	srvCert, srvKey := writePEM(t, dir, "server", p.Leaf(t, []string{"gw.example.net"}))
	// Postfix refuses serverAuth-only client certificates (tlsid's doc, Macros): the EXO
	// certificate here carries clientAuth too, and a serverAuth-only one is tested below.
	exoBoth, exoBothKey := writePEM(t, dir, "exo-both", p.Leaf(t, []string{"mail.protection.outlook.com"}, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth))
	exoServer, exoServerKey := writePEM(t, dir, "exo-server", p.Leaf(t, []string{"mail.protection.outlook.com"}))

	sink, sinkPort := startSink(t)

	rec := &recordLog{}
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{}, headersLimits(), nil, slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	mport, bl := serveAppListener(t, app)
	port, _ := startPostfix(t, filepath.Join(dir, "pf"), mport, sinkPort, caFile, srvCert, srvKey)
	// Postfix grants SMFIP_NR_HDR: its header fields (with its header-stage macros) reach the
	// filter through the header tap (headertap.go), with the verdicts and changes below.
	t.Cleanup(func() {
		n := bl.stats.tapped.Load()
		if n == 0 && !t.Failed() {
			t.Error("no header field went through the header tap")
		}
		t.Logf("%d header fields through the header tap", n)
	})

	exoHeaders := func(tenant string) []string {
		return []string{"--add-header", "X-MS-Exchange-CrossTenant-Id: " + tenant,
			"--add-header", "X-MS-Exchange-CrossTenant-AuthAs: Internal",
			"--add-header", "X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted",
			"--add-header", "Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=1"}
	}
	tests := []struct {
		name      string
		to        string
		args      []string
		ok        bool
		wantReply string
	}{
		{"exo own tenant relays", "erin@woodgrove.example", append([]string{"--tls", "--tls-cert", exoBoth, "--tls-key", exoBothKey}, exoHeaders(contosoID)...), true, "250 "},
		{"exo other tenant refused", "erin@woodgrove.example", append([]string{"--tls", "--tls-cert", exoBoth, "--tls-key", exoBothKey}, exoHeaders(woodgroveID)...), false, "550 5.7.1"},
		// Postfix does not trust a serverAuth-only client certificate, passes no
		// {cert_subject}, and the milter sees no verified Exchange Online (fail closed).
		{"serverAuth-only certificate refused", "erin@woodgrove.example", append([]string{"--tls", "--tls-cert", exoServer, "--tls-key", exoServerKey}, exoHeaders(contosoID)...), false, "550 5.7.1"},
		{"no client certificate refused", "erin@woodgrove.example", append([]string{"--tls"}, exoHeaders(contosoID)...), false, "550 5.7.1"},
		{"internet to served tenant", "alice@contoso.com", exoHeaders(contosoID), true, "250 "},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := fmt.Sprintf("tok-pf-%d", i)
			args := append([]string{"--server", "127.0.0.1:" + strconv.Itoa(port), "--from", "carol@contoso.com", "--to", tc.to,
				"--helo", "client.example", "--timeout", "30", "--header", "Subject: " + tok}, tc.args...)
			out, err := tool(t, swaks, args...).CombinedOutput()
			if (err == nil) != tc.ok {
				t.Fatalf("swaks ok=%v, want %v:\n%s", err == nil, tc.ok, out)
			}
			if !strings.Contains(string(out), tc.wantReply) {
				t.Errorf("swaks transcript lacks %q:\n%s", tc.wantReply, out)
			}
			if !tc.ok {
				return
			}
			var m []byte
			for deadline := time.Now().Add(30 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				m = sink.find(tok)
			}
			if m == nil {
				t.Fatal("Postfix accepted the message but the relayhost never got it")
			}
			h := string(m[:bytes.Index(m, []byte("\r\n\r\n"))])
			// One verdict header of ours: the forged copy deleted, ours inserted.
			if n := strings.Count(h, "x-tenantgate="); n != 1 {
				t.Errorf("%d verdict headers at the relayhost:\n%s", n, h)
			}
			want := "x-tenantgate=none"
			if strings.Contains(tc.name, "own tenant") {
				want = "x-tenantgate=pass"
			} else if strings.Contains(h, "X-MS-Exchange-CrossTenant-Id") {
				t.Errorf("forged CrossTenant-Id from a non-EXO peer passed:\n%s", h)
			}
			if !strings.Contains(h, want) {
				t.Errorf("verdict %q missing:\n%s", want, h)
			}
		})
	}
	// Postfix (milter_protocol = 6) granted every quiet stage and the skip reply on every
	// milter connection: the verdicts above were reached without the replies it no longer waits for.
	neg := rec.find("milter negotiated")
	if len(neg) == 0 {
		t.Fatal("no milter negotiation logged")
	}
	t.Logf("%d milter connections, the first negotiated %v", len(neg), neg[0])
	for _, n := range neg {
		if n["quiet"] != fmt.Sprintf("%#x", uint32(quietStages)) || n["skip"] != "true" {
			t.Errorf("negotiated with Postfix: %v, want quiet=%#x skip=true", n, uint32(quietStages))
		}
	}
}

func headersLimits() headers.Limits { return headers.Limits{} }

// TestInteropMiltertest runs the Lua scripts in testdata/miltertest with miltertest (OpenDKIM's
// milter test driver) against the milter.
func TestInteropMiltertest(t *testing.T) {
	mt := interop(t, "miltertest")
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{}, headersLimits(), nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	port := serveApp(t, app)
	abs, err := filepath.Abs("testdata/miltertest")
	if err != nil {
		t.Fatal(err)
	}
	for _, script := range []string{"own_tenant.lua", "other_tenant.lua", "forged.lua", "conn_reuse.lua", "header_cut.lua"} {
		t.Run(script, func(t *testing.T) {
			out, err := tool(t, mt, "-D", fmt.Sprintf("socket=inet:%d@127.0.0.1", port), "-D", "testdata="+abs,
				"-s", filepath.Join(abs, script)).CombinedOutput()
			if err != nil {
				t.Fatalf("miltertest %s: %v\n%s", script, err, out)
			}
		})
	}
}
