package main

import (
	"context"
	"encoding/binary"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/d--j/go-milter"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// TestNegotiateQuietStages: the quiet stages are taken when a protocol-6 MTA offers them and not
// required when it does not (go-milter alone would refuse such an MTA); what the filter requires
// stays required. The body is never negotiated away (no SMFIP_NOBODY, which Postfix offers too).
// Without DKIM the body chunk is answered and the skip reply is taken; with DKIM, which needs the
// whole body, the chunks go without a reply (SMFIP_NR_BODY) when the MTA offers that.
func TestNegotiateQuietStages(t *testing.T) {
	const need = milter.OptHeaderLeadingSpace
	tests := []struct {
		name      string
		version   uint32
		offer     milter.OptProtocol
		wholeBody bool
		want      milter.OptProtocol
		wantErr   bool
	}{
		{"postfix v6", 6, postfixOffer, false, need | quietStages | milter.OptSkip, false},
		{"postfix v6, DKIM", 6, postfixOffer, true, need | quietStages | milter.OptNoBodyReply, false},
		{"v6 DKIM, skip without NR_BODY", 6, postfixOffer &^ milter.OptNoBodyReply, true, need | quietStages | milter.OptSkip, false},
		{"v6 without quiet options", 6, need, true, need, false},
		{"v6 some quiet options", 6, need | milter.OptNoHeaderReply | milter.OptNoData, false, need | milter.OptNoHeaderReply | milter.OptNoData, false},
		// Before protocol 6 the reply options and skip do not exist; the filter asks for
		// nothing extra and every body chunk is answered.
		{"v2", 2, postfixOffer, true, need, false},
		{"required option missing", 6, postfixOffer &^ need, false, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, got, _, err := negotiate(tc.version, 6, milter.OptAddHeader, milter.OptAddHeader, tc.offer, need, milter.DataSize64K, tc.wholeBody)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("protocol %#x, want %#x", uint32(got), uint32(tc.want))
			}
		})
	}
}

// TestQuietStagesContinue: every stage whose reply the filter negotiates away (quietStages)
// answers continue whatever the input, so nothing the MTA no longer waits for is a refusal; the
// refusal comes at RCPT or at the end of the message. The client offers no quiet option, so every
// reply is on the wire.
func TestQuietStagesContinue(t *testing.T) {
	app, err := NewApp(loadDirectory(t, "testdata/tenantgate.json"), classify.PolicyConfig{}, headers.Limits{MaxBytes: 300}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c := startMilterOffering(t, app, milter.OptHeaderLeadingSpace|milter.OptSkip)
	s, err := c.Session(milter.NewMacroBag())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cont := func(stage string, a *milter.Action, err error) {
		t.Helper()
		if err != nil || a.Type != milter.ActionContinue {
			t.Fatalf("%s: %v %v, want continue", stage, a, err)
		}
	}
	a, err := s.Conn("", milter.FamilyInet, 0, "192.0.2.1")
	cont("connect", a, err)
	a, err = s.Helo("\x00bad helo\r\n")
	cont("helo", a, err)
	a, err = s.Mail("<no-domain>", "BODY=8BITMIME")
	cont("mail", a, err)
	a, err = s.Rcpt("<alice@contoso.com>", "")
	cont("rcpt", a, err)
	a, err = s.DataStart()
	cont("data", a, err)
	// A bare CR, a trust field, and a block over MaxBytes: malformed, decided at the end.
	for _, f := range [][2]string{{"X-Evil", "a\rb"}, {"X-MS-Exchange-CrossTenant-Id", contosoID}, {"X-Big", strings.Repeat("x", 400)}, {"X-After", "y"}} {
		a, err = s.HeaderField(f[0], f[1], nil)
		cont("header "+f[0], a, err)
	}
	a, err = s.HeaderEnd()
	cont("end of header", a, err)
	_, a, err = s.BodyReadFrom(strings.NewReader("Hello.\r\n"))
	if err != nil || a.Type != milter.ActionRejectWithCode || a.SMTPCode != 554 {
		t.Fatalf("end of message: %v %v, want the header refused", a, err)
	}
	a, err = s.Unknown("XYZZY", nil)
	cont("unknown", a, err)
}

// countingListener counts the milter packets the server writes (replies and modifications).
type countingListener struct {
	net.Listener
	mu      sync.Mutex
	packets int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.packets
}

// countingConn parses what the server writes into milter packets: a 4-byte length, then that
// many bytes.
type countingConn struct {
	net.Conn
	l    *countingListener
	head []byte
	left int
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.mu.Lock()
	for q := p; len(q) > 0; {
		if c.left > 0 {
			n := min(c.left, len(q))
			c.left, q = c.left-n, q[n:]
			continue
		}
		n := min(4-len(c.head), len(q))
		c.head, q = append(c.head, q[:n]...), q[n:]
		if len(c.head) == 4 {
			c.left, c.head = int(binary.BigEndian.Uint32(c.head)), c.head[:0]
			c.l.packets++
		}
	}
	c.l.mu.Unlock()
	return c.Conn.Write(p)
}

// TestRoundTrips counts what the milter writes for one transaction with the 30-field Exchange
// Online header of the benchmark. With what Postfix offers, the MTA waits only for the
// negotiation, RCPT, the body chunk (the skip reply) and the end of message (the verdict header
// inserted, then accept): 5 packets. Without the quiet stages it also waits at connect, HELO,
// MAIL, DATA, each of the 30 fields and the end of header: 35 more.
func TestRoundTrips(t *testing.T) {
	fields, _ := benchHeader(t)
	for _, tc := range []struct {
		name  string
		offer milter.OptProtocol
		want  int
	}{
		{"postfix offer", postfixOffer, 5},
		{"no quiet options", milter.OptHeaderLeadingSpace | milter.OptSkip, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			cl := &countingListener{Listener: ln}
			srv := newTestApp(t).Server()
			go srv.Serve(cl)
			t.Cleanup(func() { srv.Shutdown(context.Background()) })
			c := milter.NewClient("tcp", ln.Addr().String(), milter.WithActions(milter.OptAddHeader|milter.OptChangeHeader|milter.OptSetMacros),
				milter.WithProtocols(tc.offer))
			o := runSession(t, c, exoPeer, txn{"user@contoso.com", []string{"user@kernel.org"}, fields})
			if o[0].EOM != "accept" || len(o[0].Changes) != 1 {
				t.Fatalf("outcome %+v, want accept with the verdict header", o[0])
			}
			if got := cl.count(); got != tc.want {
				t.Errorf("%d packets from the milter, want %d", got, tc.want)
			}
		})
	}
}

// recordLog keeps the messages and attributes logged, at every level.
type recordLog struct {
	mu   sync.Mutex
	recs []map[string]string
}

func (r *recordLog) Enabled(context.Context, slog.Level) bool { return true }
func (r *recordLog) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recordLog) WithGroup(string) slog.Handler            { return r }
func (r *recordLog) Handle(_ context.Context, rec slog.Record) error {
	m := map[string]string{"msg": rec.Message}
	rec.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.String()
		return true
	})
	r.mu.Lock()
	r.recs = append(r.recs, m)
	r.mu.Unlock()
	return nil
}

// find returns the records with message msg.
func (r *recordLog) find(msg string) []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]string
	for _, m := range r.recs {
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}
