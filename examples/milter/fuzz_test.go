package main

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/tlsid"
)

// FuzzConvertExOTA: any policy file converts or fails with an error, never panics, and every
// conversion is a configuration the library compiles, with a policy (policy.tenants[]) that builds.
func FuzzConvertExOTA(f *testing.F) {
	f.Add([]byte(`{"contoso.com": {"tenant_id": "11111111-1111-1111-1111-111111111111"}}`))
	f.Add([]byte(`{"a.onmicrosoft.com": {"tenant_id": "11111111-1111-1111-1111-111111111111", "dkim_enabled": false, "dkim_alignment_required": false}, "b.example": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}`))
	f.Add([]byte(`{"x": {"tenant_id": "asdftasdfa", "dkim": true}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ConvertExOTA(data, "gw.example.net")
		if err != nil {
			return
		}
		b, err := m.JSON()
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := tenantgate.LoadConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("LoadConfig of the conversion of %q: %v", data, err)
		}
		d, err := tenantgate.Compile(cfg)
		if err != nil {
			t.Fatalf("Compile of the conversion of %q: %v", data, err)
		}
		// The per-tenant DKIM requirements name served tenants, once each: the policy builds.
		if _, err := classify.NewPolicy(d, m.Policy); err != nil {
			t.Fatalf("NewPolicy of the conversion of %q: %v", data, err)
		}
	})
}

// FuzzFilterHeader feeds header fields and a body through the filter's header and body handling as
// an MTA would and decides the transaction: never a panic, never own-tenant for a client that is
// not verified Exchange Online (docs/threat-model.md#rule-1) whatever the header says, and nothing
// delivered when the body's first paragraph holds a Microsoft trust field (bodyStart).
func FuzzFilterHeader(f *testing.F) {
	f.Add("X-MS-Exchange-CrossTenant-Id", " 11111111-1111-1111-1111-111111111111", "From", "carol@contoso.com", []byte("Hello.\r\n"), true)
	f.Add("X-Evil", "a\rb", "Subject", "x\n\tfolded", []byte("cut\r\nX-MS-Exchange-CrossTenant-Id: 1\r\n"), false)
	f.Add("", "", ":", "\x00", []byte{}, true)
	app := newTestApp(f)
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string, body []byte, exo bool) {
		fl := &filter{app: app}
		fl.reset()
		fl.from, fl.rcpts = "carol@contoso.com", []string{"erin@woodgrove.example", "alice@contoso.com"}
		fl.Header(n1, v1, nil)
		fl.Header(n2, v2, nil)
		if fl.hdr.Len() > app.maxHeaderBytes() {
			t.Fatalf("header buffer %d bytes over the limit", fl.hdr.Len())
		}
		half := len(body) / 2
		fl.BodyChunk(body[:half], nil)
		fl.BodyChunk(body[half:], nil)
		s := classify.Session{RemoteAddr: netip.MustParseAddr("192.0.2.1")}
		if exo {
			s = classify.Session{RemoteAddr: netip.MustParseAddr("127.0.0.1"),
				TLS: tlsid.FromMacros(tlsid.Macros{TLSVersion: "TLSv1.3", CertSubject: "mail.protection.outlook.com"})}
		}
		tx := fl.transaction(s)
		encapsulated := fl.start.Encapsulated(func() []string { return fieldValues(tx, "Content-Type") })
		v := app.policy.Decide(tx)
		if !exo && v.Origin == classify.OwnTenant {
			t.Fatalf("own-tenant from an unverified peer: %q", fl.hdr.Bytes())
		}
		if fl.start.Err() != nil && !encapsulated {
			for _, a := range v.Recipients {
				if a.Action != classify.Reject {
					t.Fatalf("trust field at the start of the body %q, yet %s for %s", body, a.Action, a.Rcpt)
				}
			}
		}
	})
}

// FuzzBodyStart: the body inspection finds the same field however the body is cut into chunks
// (whole, in two at any point, byte by byte), never panics, keeps at most maxLinePrefix bytes,
// and a field it finds is at the start of a line of the body.
func FuzzBodyStart(f *testing.F) {
	f.Add([]byte("not a header\r\nX-MS-Exchange-CrossTenant-Id: 1\r\n\r\nbody\r\n"), uint16(5))
	f.Add([]byte("Hello\r\n\r\nX-MS-Exchange-CrossTenant-Id: 1\r\n"), uint16(9))
	f.Add([]byte("X-\xe4: x\nx-forefront-antispam-report\t: y"), uint16(0))
	f.Add([]byte(" x\r\nAuthentication-Results : gw"), uint16(300))
	f.Fuzz(func(t *testing.T, body []byte, cut uint16) {
		feed := func(pieces ...[]byte) string {
			b := newBodyStart("Authentication-Results")
			for _, p := range pieces {
				b.Write(p)
				if cap(b.line) > 2*maxLinePrefix {
					t.Fatalf("line buffer grew to %d", cap(b.line))
				}
			}
			b.Close()
			return b.found
		}
		whole := feed(body)
		k := int(cut) % (len(body) + 1)
		if got := feed(body[:k], body[k:]); got != whole {
			t.Fatalf("cut at %d: %q, whole: %q", k, got, whole)
		}
		if len(body) <= 2048 {
			var ones [][]byte
			for i := range body {
				ones = append(ones, body[i:i+1])
			}
			if got := feed(ones...); got != whole {
				t.Fatalf("byte by byte: %q, whole: %q", got, whole)
			}
		}
		if whole != "" && !bytes.HasPrefix(body, []byte(whole)) && !bytes.Contains(body, []byte("\n"+whole)) {
			t.Fatalf("found %q, not at the start of a line of %q", whole, body)
		}
	})
}

// FuzzWriteCRLF: the one-pass line-end conversion (appendCRLF, of a string and of bytes) writes what the two replacements it replaced
// wrote (CRLF to LF, then LF to CRLF), and crlfLen is its length.
func FuzzWriteCRLF(f *testing.F) {
	f.Add("a\n\tb\r\n c\rd\r\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
		if got := string(appendCRLF(nil, s)); got != want {
			t.Fatalf("appendCRLF(%q) = %q, want %q", s, got, want)
		}
		if got := string(appendCRLF(nil, []byte(s))); got != want {
			t.Fatalf("appendCRLF([]byte(%q)) = %q, want %q", s, got, want)
		}
		if n := crlfLen(s); n != len(want) || crlfLen([]byte(s)) != n {
			t.Fatalf("crlfLen(%q) = %d, want %d", s, n, len(want))
		}
	})
}
