package main

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/d--j/go-milter"
	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate/classify"
)

// recorder is a milter that writes down what the MTA passes: each header field, the end of the
// header, each body chunk. At the end of the message it inserts "X-Recorded: value" to show how
// the MTA writes an added field.
type recorder struct {
	milter.NoOpMilter
	mu     *sync.Mutex
	events *[]string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.events = append(*r.events, s)
}

func (r *recorder) Header(name, value string, _ milter.Modifier) (*milter.Response, error) {
	r.add(fmt.Sprintf("header %q %q", name, value))
	return milter.RespContinue, nil
}

func (r *recorder) Headers(milter.Modifier) (*milter.Response, error) {
	r.add("end of header")
	return milter.RespContinue, nil
}

func (r *recorder) BodyChunk(chunk []byte, _ milter.Modifier) (*milter.Response, error) {
	r.add(fmt.Sprintf("body %q", chunk))
	return milter.RespContinue, nil
}

func (r *recorder) EndOfMessage(m milter.Modifier) (*milter.Response, error) {
	if err := m.InsertHeader(0, "X-Recorded", "value"); err != nil {
		return nil, err
	}
	return milter.RespAccept, nil
}

// startSink runs the relayhost sink and returns it with its port.
func startSink(t *testing.T) (*memSink, int) {
	t.Helper()
	sink := &memSink{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(sink)
	srv.Domain = "sink.test"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink, ln.Addr().(*net.TCPAddr).Port
}

// awaitDelivery waits for the message with Subject token at the sink.
func awaitDelivery(t *testing.T, sink *memSink, token string) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if m := sink.find(token); m != nil {
			return string(m)
		}
	}
	t.Fatal("Postfix accepted the message but the relayhost never got it")
	return ""
}

// sendRaw sends msg (LF line ends; swaks sends CRLF) with swaks as it is, after the envelope.
func sendRaw(t *testing.T, swaks, dir string, port int, name, msg string, args ...string) (string, error) {
	t.Helper()
	f := filepath.Join(dir, name+".eml")
	if err := os.WriteFile(f, []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	all := append([]string{"--server", "127.0.0.1:" + strconv.Itoa(port), "--from", "carol@contoso.com", "--to", "erin@woodgrove.example",
		"--helo", "client.example", "--timeout", "30", "--data", "@" + f}, args...)
	out, err := tool(t, swaks, all...).CombinedOutput()
	return string(out), err
}

// serverSaid reports whether a swaks transcript has a server line (swaks marks them "<-", "<~",
// "<**", "<~*") starting with reply.
func serverSaid(transcript, reply string) bool {
	for _, l := range strings.Split(transcript, "\n") {
		mark, rest, ok := strings.Cut(strings.TrimSpace(l), " ")
		if ok && strings.HasPrefix(mark, "<") && strings.HasPrefix(strings.TrimSpace(rest), reply) {
			return true
		}
	}
	return false
}

// TestInteropPostfixPasses records what a real Postfix passes to a milter for the header shapes
// README.md documents under "What Postfix passes", and what it delivers:
//   - a header cut short (a line without a colon, a field name with an 8-bit byte): the fields
//     before the cut, the end of the header, then the body from the offending line on — no empty
//     line in between; the delivered copy has an empty line inserted before that line;
//   - white space before the colon: the name without it, the value as it followed the colon;
//     the delivered copy is rewritten to "Name:" + value;
//   - neither a field over header_size_limit (truncated in place) nor thousands of fields cut the
//     header;
//   - a field the milter inserts is written "Name:" + value, with no space of Postfix's own when
//     the milter negotiated OptHeaderLeadingSpace.
func TestInteropPostfixPasses(t *testing.T) {
	swaks := interop(t, "swaks")
	interop(t, "postfix")
	dir := postfixDir(t)
	p := newPKI(t)
	caFile := p.WriteCA(t, dir)
	srvCert, srvKey := writePEM(t, dir, "server", p.Leaf(t, []string{"gw.example.net"}))
	sink, sinkPort := startSink(t)
	var mu sync.Mutex
	var events []string
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := milter.NewServer(milter.WithMilter(func() milter.Milter { return &recorder{mu: &mu, events: &events} }),
		milter.WithActions(milter.OptAddHeader|milter.OptChangeHeader), milter.WithProtocols(milter.OptHeaderLeadingSpace))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port, _ := startPostfix(t, filepath.Join(dir, "pf"), ln.Addr().(*net.TCPAddr).Port, sinkPort, caFile, srvCert, srvKey)

	tests := []struct {
		name, msg string
		events    []string // in this order, among the recorded events
		delivered []string // in the delivered message
	}{{
		name: "line without colon",
		msg:  "Subject: tok-cut\nX-MS-Exchange-CrossTenant-Id: 1\nnot a header line\nX-MS-Exchange-CrossTenant-Id: 2\n\nbody\n",
		events: []string{`header "Subject" " tok-cut"`, `header "X-MS-Exchange-CrossTenant-Id" " 1"`, "end of header",
			`body "not a header line\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n\r\nbody\r\n`},
		delivered: []string{"\r\nX-MS-Exchange-CrossTenant-Id: 1\r\n", "\r\n\r\nnot a header line\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n\r\nbody\r\n"},
	}, {
		name: "8-bit field name",
		msg:  "Subject: tok-8bit\nX-\xe4bc: 8bit\nX-MS-Exchange-CrossTenant-Id: 2\n\nbody\n",
		events: []string{`header "Subject" " tok-8bit"`, "end of header",
			`body "X-\xe4bc: 8bit\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n\r\nbody\r\n`},
		delivered: []string{"\r\n\r\nX-\xe4bc: 8bit\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n\r\nbody\r\n"},
	}, {
		name: "continuation line at the top",
		msg:  " folded: x\nSubject: tok-top\nX-MS-Exchange-CrossTenant-Id: 2\n\nbody\n",
		events: []string{"end of header",
			`body " folded: x\r\nSubject: tok-top\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n\r\nbody\r\n`},
		delivered: []string{"\r\n\r\n folded: x\r\nSubject: tok-top\r\n"},
	}, {
		name: "white space before the colon",
		msg:  "Subject: tok-obs\nX-MS-Exchange-CrossTenant-Id : spaced\nX-MS-Exchange-CrossTenant-Id\t:tabbed\n\nbody\n",
		events: []string{`header "X-MS-Exchange-CrossTenant-Id" " spaced"`, `header "X-MS-Exchange-CrossTenant-Id" "tabbed"`, "end of header",
			`body "body\r\n`},
		delivered: []string{"X-Recorded:value\r\n", "\r\nX-MS-Exchange-CrossTenant-Id: spaced\r\nX-MS-Exchange-CrossTenant-Id:tabbed\r\n"},
	}, {
		// Size does not cut: an over-long field is truncated in place, the fields after it stay
		// in the header.
		name:      "over-long field",
		msg:       "Subject: tok-long\nX-Big: " + strings.Repeat("aaaaaaaaaa\n\t", 15000) + "end\nX-MS-Exchange-CrossTenant-Id: 2\n\nbody\n",
		events:    []string{`header "X-Big"`, `header "X-MS-Exchange-CrossTenant-Id" " 2"`, "end of header", `body "body\r\n`},
		delivered: []string{"\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n"},
	}, {
		// Nor does the number of fields.
		name:      "many fields",
		msg:       "Subject: tok-many\n" + strings.Repeat("X-F: v\n", 5000) + "X-MS-Exchange-CrossTenant-Id: 2\n\nbody\n",
		events:    []string{`header "X-MS-Exchange-CrossTenant-Id" " 2"`, "end of header", `body "body\r\n`},
		delivered: []string{"\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n"},
	}, {
		name:      "body starting with an empty line",
		msg:       "Subject: tok-empty\n\n\nX-MS-Exchange-CrossTenant-Id: 2\n",
		events:    []string{"end of header", `body "\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n`},
		delivered: []string{"Subject: tok-empty\r\n"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			events = nil
			mu.Unlock()
			token := strings.Fields(tc.msg[strings.Index(tc.msg, "tok-"):])[0]
			if out, err := sendRaw(t, swaks, dir, port, token, tc.msg); err != nil {
				t.Fatalf("swaks: %v\n%s", err, out)
			}
			m := awaitDelivery(t, sink, token)
			mu.Lock()
			got := strings.Join(events, "\n")
			mu.Unlock()
			at := 0
			for _, e := range tc.events {
				i := strings.Index(got[at:], e)
				if i < 0 {
					t.Fatalf("event %s missing (in order) from:\n%s", e, got)
				}
				at += i + len(e)
			}
			for _, d := range tc.delivered {
				if !strings.Contains(m, d) {
					t.Errorf("delivered message lacks %q:\n%q", d, m)
				}
			}
		})
	}
}

// TestInteropPostfixHeaderCut puts the milter behind a real Postfix and sends, as Exchange Online
// with its certificate, contoso mail whose header another tenant's field follows after a cut
// (README.md, "What Postfix passes"), and obsolete-syntax forgeries. It runs without DKIM, where
// the milter answers the body chunks and skips the rest of the body once the first paragraph is
// inspected, and with DKIM (dkimFallback), where Postfix sends the body chunks without waiting
// for replies (SMFIP_NR_BODY, checked in the negotiation the milter logs): the verdicts are the
// same, and a message that only its DKIM signature over a body of several milter chunks (Postfix
// sends at most 64 KiB each) makes contoso's passes with DKIM.
func TestInteropPostfixHeaderCut(t *testing.T) {
	swaks := interop(t, "swaks")
	interop(t, "postfix")
	pub, key := mustKey(t)
	dnsAddr := serveTXT(t, map[string]string{"sel._domainkey.contoso.com": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)})
	// Signed by contoso.com, no X-MS-Exchange-CrossTenant-Id: only DKIM can make it contoso's.
	fields, body := signed(t, "Subject: tok-h6\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\n"+
		"From: carol@contoso.com\r\n\r\n"+longBody(), "contoso.com", key)
	var signedMsg strings.Builder
	for _, f := range fields {
		signedMsg.WriteString(f[0] + ":" + f[1] + "\n")
	}
	signedMsg.WriteString("\n" + body)
	signedLF := strings.ReplaceAll(signedMsg.String(), "\r\n", "\n")
	for _, cfg := range []struct {
		name        string
		pc          classify.PolicyConfig
		v           *verifier
		bodyNoReply string // the negotiation's bodyNoReply as logged
		signed      string // the reply to the DKIM-signed message without the tenant header
	}{
		{"without DKIM", classify.PolicyConfig{}, nil, "false", "550 5.7.1"},
		{"with DKIM", classify.PolicyConfig{DKIMFallback: true}, newVerifier(DKIMOptions{DNSServer: dnsAddr}), "true", "250 "},
	} {
		t.Run(cfg.name, func(t *testing.T) {
			testPostfixHeaderCut(t, swaks, cfg.pc, cfg.v, cfg.bodyNoReply, signedLF, cfg.signed)
		})
	}
}

func testPostfixHeaderCut(t *testing.T, swaks string, pc classify.PolicyConfig, v *verifier, bodyNoReply, signedMsg, signedReply string) {
	dir := postfixDir(t)
	p := newPKI(t)
	caFile := p.WriteCA(t, dir)
	srvCert, srvKey := writePEM(t, dir, "server", p.Leaf(t, []string{"gw.example.net"}))
	exo, exoKey := writePEM(t, dir, "exo", p.Leaf(t, []string{"mail.protection.outlook.com"}, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth))
	sink, sinkPort := startSink(t)
	rec := &recordLog{}
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), pc, headersLimits(), v, slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	port, _ := startPostfix(t, filepath.Join(dir, "pf"), serveApp(t, app), sinkPort, caFile, srvCert, srvKey)
	kind := "X-MS-Exchange-CrossTenant-AuthAs: Internal\nX-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\nFrom: carol@contoso.com\n"
	tests := []struct {
		name, msg, reply string
	}{
		// The attacker's header names contoso; Exchange Online's own field (woodgrove) follows a
		// line Postfix does not take for a field: the milter must not decide on contoso alone.
		{"line without colon", "Subject: tok-h1\n" + kind + "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\nnot a header line\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\n\nbody\n",
			"554 5.6.0"},
		{"8-bit field name", "Subject: tok-h2\n" + kind + "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\nX-\xe4bc: 8bit\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\n\nbody\n",
			"554 5.6.0"},
		// Postfix passes "Name : value" as the field Name (TestInteropPostfixPasses): a forged
		// obsolete-syntax copy next to Exchange Online's own field conflicts with it.
		{"obsolete syntax next to the real field", "Subject: tok-h3\n" + kind + "X-MS-Exchange-CrossTenant-Id : " + contosoID + "\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\n\nbody\n",
			"550 5.7.1"},
		// No false positive: a body whose first paragraph is normal text; the verdict header is
		// written with the space after the colon.
		// A message forwarded as a top-level message/rfc822 body: its own header, with another
		// tenant's Microsoft fields, is the body's first paragraph and starts with a field line.
		{"encapsulated message", "Subject: tok-h5\n" + kind + "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n" +
			"Received: from x.outlook.com\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\nSubject: inner\n\nHi.\n", "250 "},
		{"normal body", "Subject: tok-h4\n" + kind + "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\n\nHello,\nSubject: not a header\n\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\n",
			"250 "},
		{"long body", "Subject: tok-h7\n" + kind + "X-MS-Exchange-CrossTenant-Id: " + contosoID + "\n\n" + strings.ReplaceAll(longBody(), "\r\n", "\n"), "250 "},
		{"DKIM-signed, no tenant header", signedMsg, signedReply},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := strings.Fields(tc.msg[strings.Index(tc.msg, "tok-"):])[0]
			out, err := sendRaw(t, swaks, dir, port, token, tc.msg, "--tls", "--tls-cert", exo, "--tls-key", exoKey)
			if (err == nil) != (tc.reply == "250 ") {
				t.Fatalf("swaks ok=%v, want reply %q:\n%s", err == nil, tc.reply, out)
			}
			if !serverSaid(out, tc.reply) {
				t.Fatalf("swaks transcript lacks %q:\n%s", tc.reply, out)
			}
			if tc.reply != "250 " {
				return
			}
			m := awaitDelivery(t, sink, token)
			if !strings.Contains(m, "\r\nAuthentication-Results: gw.example.net; x-tenantgate=pass") && !strings.HasPrefix(m, "Authentication-Results: gw.example.net; x-tenantgate=pass") {
				t.Errorf("verdict header not written as \"Authentication-Results: gw.example.net; …\":\n%q", m)
			}
		})
	}
	neg := rec.find("milter negotiated")
	if len(neg) == 0 {
		t.Fatal("no milter negotiation logged")
	}
	for _, n := range neg {
		if n["bodyNoReply"] != bodyNoReply {
			t.Errorf("negotiated with Postfix: %v, want bodyNoReply=%s", n, bodyNoReply)
		}
	}
}
