package main

import (
	"strings"
	"testing"

	"github.com/d--j/go-milter"
	"github.com/google/go-cmp/cmp"
)

// TestBodyStart: the rule of bodyStart, fed in pieces of every size (a line may span two body
// chunks). Postfix passes the rest of a header cut short as the first paragraph of the body
// (README.md, "What Postfix passes"): a Microsoft trust field or the verdict header there is
// found; anything else, and anything after the first empty line, is a normal body.
func TestBodyStart(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		// The three shapes the Postfix interop test shows for a header cut short.
		{"line without colon", "not a header line\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n\r\nbody\r\n", "X-MS-Exchange-CrossTenant-Id"},
		{"8-bit field name", "X-\xe4bc: 8bit\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n\r\nbody\r\n", "X-MS-Exchange-CrossTenant-Id"},
		{"continuation line at the top", " leading: cont\r\nSubject: x\r\nX-MS-Exchange-CrossTenant-AuthAs: Internal\r\n\r\n", "X-MS-Exchange-CrossTenant-AuthAs"},
		{"first line", "X-MS-Exchange-Organization-AuthAs: Internal\r\n", "X-MS-Exchange-Organization-AuthAs"},
		{"obsolete syntax", "text\r\nX-MS-Exchange-CrossTenant-Id \t: 2\r\n", "X-MS-Exchange-CrossTenant-Id"},
		{"lower case", "text\r\nx-ms-exchange-crosstenant-id:2\r\n", "x-ms-exchange-crosstenant-id"},
		{"anti-spam report", "text\r\nX-Forefront-Antispam-Report: CIP:1.2.3.4\r\n", "X-Forefront-Antispam-Report"},
		{"anti-spam report untrusted", "text\r\nX-Forefront-Antispam-Report-Untrusted: x\r\n", "X-Forefront-Antispam-Report-Untrusted"},
		{"microsoft antispam", "text\r\nX-Microsoft-Antispam-Mailbox-Delivery: ucf:0\r\n", "X-Microsoft-Antispam-Mailbox-Delivery"},
		{"eop attribution", "text\r\nX-EOPTenantAttributedMessage: 1:0\r\n", "X-EOPTenantAttributedMessage"},
		{"originator org", "text\r\nX-OriginatorOrg: contoso.com\r\n", "X-OriginatorOrg"},
		{"verdict header", "text\r\nAuthentication-Results: gw.example.net; x-tenantgate=pass\r\n", "Authentication-Results"},
		{"LF line ends", "text\nX-MS-Exchange-CrossTenant-Id: 2\n\n", "X-MS-Exchange-CrossTenant-Id"},
		{"last line without line break", "text\r\nX-MS-Exchange-CrossTenant-Id: 2", "X-MS-Exchange-CrossTenant-Id"},
		{"overlong line before", strings.Repeat("x", 5000) + "\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n", "X-MS-Exchange-CrossTenant-Id"},
		// A name longer than the kept line prefix, all name characters: fail closed.
		{"overlong trust name", "X-MS-Exchange-" + strings.Repeat("A", 3000) + ": v\r\n", "X-MS-Exchange-" + strings.Repeat("A", maxLinePrefix-len("X-MS-Exchange-"))},

		// Normal bodies.
		{"plain text", "Hello Bob,\r\n\r\nsee you.\r\n", ""},
		{"trust field after the first paragraph", "Hello Bob,\r\n\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n", ""},
		// The header ended with its empty line and the body starts with one: Postfix passes the
		// body from that second empty line (interop test), which ends the first paragraph.
		{"body starting with an empty line", "\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n", ""},
		{"other header-like lines", "Subject: hi\r\nFrom: a@b\r\nX-MS-Has-Attach: yes\r\nX-MS-Exchangeable: no\r\n\r\n", ""},
		{"continuation of a trust name", "text\r\n X-MS-Exchange-CrossTenant-Id: 2\r\n", ""},
		{"no colon", "X-MS-Exchange-CrossTenant-Id 2\r\n", ""},
		{"mime preamble", "This is a multi-part message in MIME format.\r\n\r\n--b\r\nX-MS-Exchange-CrossTenant-Id: 2\r\n", ""},
		{"empty", "", ""},
		// Filler after the cut, of any length, hides nothing: the whole first paragraph is
		// inspected (here 1 MiB, four times the default header limit).
		{"behind a megabyte of filler", "cut\r\n" + strings.Repeat("QUJD\r\n", 1<<20/6) + "X-MS-Exchange-CrossTenant-Id: 2\r\n", "X-MS-Exchange-CrossTenant-Id"},
		{"behind a megabyte of field lines", "cut\r\n" + strings.Repeat("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 1<<20/62) + "X-MS-Exchange-CrossTenant-Id: 2\r\n", "X-MS-Exchange-CrossTenant-Id"},
	}
	for _, tc := range tests {
		for _, size := range []int{1, 3, 64, 1 << 20} {
			b := newBodyStart("Authentication-Results")
			for p := tc.body; len(p) > 0; {
				n := min(size, len(p))
				b.Write([]byte(p[:n]))
				p = p[n:]
			}
			b.Close()
			if b.found != tc.want {
				t.Errorf("%s, pieces of %d: found %q, want %q", tc.name, size, b.found, tc.want)
			}
			if (b.Err() != nil) != (tc.want != "") {
				t.Errorf("%s: Err() = %v", tc.name, b.Err())
			}
		}
	}
}

// TestBodyStartRefused: through the milter, Exchange Online mail of contoso whose header was cut
// short before a second X-MS-Exchange-CrossTenant-Id (woodgrove's) is refused as a malformed
// header (classify.ReplyHeaderInvalid, the relay's reply for the same block); the same header
// with a normal body relays.
func TestBodyStartRefused(t *testing.T) {
	c := startMilter(t, newTestApp(t))
	tx := txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, exoHeader(contosoID, "carol@contoso.com")}
	got := runSessionBody(t, c, exoPeer, "not a header line\r\nX-MS-Exchange-CrossTenant-Id: "+woodgroveID+"\r\n\r\nHello.\r\n", tx)
	if diff := cmp.Diff("554 5.6.0 Malformed message header", got[0].EOM); diff != "" {
		t.Errorf("cut header (-want +got):\n%s", diff)
	}
	got = runSessionBody(t, c, exoPeer, "Hello.\r\n\r\nX-MS-Exchange-CrossTenant-Id: "+woodgroveID+"\r\n", tx)
	if diff := cmp.Diff("accept", got[0].EOM); diff != "" {
		t.Errorf("normal body (-want +got):\n%s", diff)
	}
}

// TestBodySkip: with the skip reply offered (Postfix offers it), the milter asks to skip the body
// once its first paragraph is inspected and DKIM needs none of it; before that it keeps reading.
func TestBodySkip(t *testing.T) {
	ln := serveAppTB(t, newTestApp(t))
	c := milter.NewClient("tcp", ln, milter.WithActions(milter.OptAddHeader|milter.OptChangeHeader|milter.OptSetMacros),
		milter.WithProtocols(milter.OptHeaderLeadingSpace|milter.OptSkip))
	s, err := c.Session(milter.NewMacroBag())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Conn("client.example", milter.FamilyInet, 25, "192.0.2.7")
	s.Helo("client.example")
	s.Mail("<bob@sender.example>", "")
	s.Rcpt("<alice@contoso.com>", "")
	s.DataStart()
	s.HeaderField("Subject", " hi", nil)
	s.HeaderEnd()
	if _, err := s.BodyChunk([]byte("Hello Alice,\r\nstill the first paragraph")); err != nil {
		t.Fatal(err)
	}
	if s.Skip() {
		t.Fatal("skip before the first paragraph ended")
	}
	if _, err := s.BodyChunk([]byte("\r\n\r\nsecond paragraph\r\n")); err != nil {
		t.Fatal(err)
	}
	if !s.Skip() {
		t.Error("no skip after the first paragraph")
	}
	_, a, err := s.End()
	if err != nil {
		t.Fatal(err)
	}
	if got := actionString(a); got != "accept" {
		t.Errorf("end of message %q, want accept", got)
	}
}

// TestBodyStartEncapsulated: a top-level message/rfc822 (or message/global) body is a whole
// message, header first; an Exchange Online message forwarded that way carries Microsoft fields
// in the body's first paragraph and is not refused. The excuse holds only when the body starts
// with a header field line — the rest of a header cut short never does (Postfix cuts at a line
// that is not one) — and only for one Content-Type naming such a message.
func TestBodyStartEncapsulated(t *testing.T) {
	c := startMilter(t, newTestApp(t))
	inner := "Received: from x.outlook.com\r\nX-MS-Exchange-CrossTenant-Id: " + woodgroveID + "\r\nSubject: fwd\r\n\r\nHi.\r\n"
	hdr := func(ct ...string) [][2]string {
		h := exoHeader(contosoID, "carol@contoso.com")
		for _, v := range ct {
			h = append(h, [2]string{"Content-Type", v})
		}
		return h
	}
	tests := []struct {
		name string
		hdr  [][2]string
		body string
		want string
	}{
		{"message/rfc822", hdr(" message/rfc822"), inner, "accept"},
		{"message/global", hdr(" Message/Global; x=y"), inner, "accept"},
		{"folded content type", hdr("\n message/rfc822"), inner, "accept"},
		{"not a message", hdr(" text/plain"), inner, "554 5.6.0 Malformed message header"},
		{"no content type", hdr(), inner, "554 5.6.0 Malformed message header"},
		{"two content types", hdr(" message/rfc822", " text/plain"), inner, "554 5.6.0 Malformed message header"},
		{"cut header claiming message/rfc822", hdr(" message/rfc822"), "not a header\r\n" + inner, "554 5.6.0 Malformed message header"},
		{"8-bit first line claiming message/rfc822", hdr(" message/rfc822"), "X-\xe4: x\r\n" + inner, "554 5.6.0 Malformed message header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSessionBody(t, c, exoPeer, tc.body, txn{"carol@contoso.com", []string{"erin@woodgrove.example"}, tc.hdr})
			if diff := cmp.Diff(tc.want, got[0].EOM); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
