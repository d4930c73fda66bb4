package main

import (
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLineEndings sends messages with bare LF and bare CR, and the SMTP smuggling sequences of
// docs/threat-model.md#threat-15 followed by a second transaction inside DATA. The relay must
// answer the one DATA once (554 5.6.0: the message carries a bare CR or LF), never act on the
// commands hidden in it, and pass nothing on.
func TestLineEndings(t *testing.T) {
	w := newWorld(t, nil)
	smuggled := "MAIL FROM:<ceo@contoso.com>\r\nRCPT TO:<victim@contoso.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n"
	tests := []struct {
		name      string
		data      string // the bytes after DATA's 354, up to the real end of data
		wantReply int    // the reply to the end of data
	}{
		{"bare LF in header", "Subject: tok-le\nX-A: b\r\n\r\nbody\r\n", 554},
		{"bare CR in header", "Subject: tok-le\rX-A: b\r\n\r\nbody\r\n", 554},
		{"bare LF in body", "Subject: tok-le\r\n\r\nline\nline\r\n", 554},
		{"bare CR in body", "Subject: tok-le\r\n\r\nline\rline\r\n", 554},
		{"LF.CRLF smuggling", "Subject: tok-le\r\n\r\nbody\n.\r\n" + smuggled, 554},
		{"LF.LF smuggling", "Subject: tok-le\r\n\r\nbody\n.\n" + smuggled, 554},
		{"CRLF.LF smuggling", "Subject: tok-le\r\n\r\nbody\r\n.\n" + smuggled, 554},
		{"CR.CR smuggling", "Subject: tok-le\r\n\r\nbody\r.\r" + smuggled, 554},
		{"CR.CRLF smuggling", "Subject: tok-le\r\n\r\nbody\r.\r\n" + smuggled, 554},
		// go-smtp's DATA reader drops a "." followed by CR at the start of a line ("\r\n.\rM" reads
		// as "\r\nM"), so the bare CR never reaches the relay: the hidden commands stay body text
		// of the one message, which is passed on with CRLF line ends only. Still no second message.
		{"CRLF.CR smuggling", "Subject: tok-le\r\n\r\nbody\r\n.\r" + smuggled, 250},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", w.relay, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			tp := textproto.NewConn(conn)
			var got []int
			step := func(cmd string) {
				if cmd != "" {
					if _, err := conn.Write([]byte(cmd)); err != nil {
						t.Fatal(err)
					}
				}
				c, _, err := tp.ReadResponse(0)
				if err != nil && c == 0 {
					t.Fatalf("after %q: %v", cmd, err)
				}
				got = append(got, c)
			}
			step("")
			step("EHLO client.example\r\n")
			step("MAIL FROM:<bob@sender.example>\r\n")
			step("RCPT TO:<alice@contoso.com>\r\n")
			step("DATA\r\n")
			step(tc.data + ".\r\n")
			step("QUIT\r\n")
			// 220 greeting, 250 EHLO, 250 MAIL, 250 RCPT, 354 DATA, 554 the one message, 221 QUIT:
			// had the hidden MAIL/RCPT/DATA been read as commands, their replies would come
			// before 221.
			if diff := cmp.Diff([]int{220, 250, 250, 250, 354, tc.wantReply, 221}, got); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
			n := 0
			for _, m := range w.good.all() {
				for _, to := range m.To {
					if to == "victim@contoso.com" {
						t.Errorf("the smuggled message reached the sink: %q", m.Data)
					}
				}
				if strings.Contains(string(m.Data), "Subject: tok-le\r\n") {
					n++
					if bareLine(m.Data) >= 0 {
						t.Errorf("passed on with a bare CR or LF: %q", m.Data)
					}
				}
			}
			wantN := 0
			if tc.wantReply == 250 {
				wantN = 1
			}
			if n != wantN {
				t.Errorf("sink holds %d copies, want %d", n, wantN)
			}
			w.good.clear()
		})
	}
}
