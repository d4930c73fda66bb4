package main

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/tlsid"
)

// FuzzConvertExOTA: any policy file converts or fails with an error, never panics, and every
// conversion is a configuration the library compiles.
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
		if _, err := tenantgate.Compile(cfg); err != nil {
			t.Fatalf("Compile of the conversion of %q: %v", data, err)
		}
	})
}

// FuzzFilterHeader feeds header fields through the filter's header handling as an MTA would and
// decides the transaction: never a panic, and never own-tenant for a client that is not verified
// Exchange Online (DESIGN.md §4.2 rule 1) whatever the header says.
func FuzzFilterHeader(f *testing.F) {
	f.Add("X-MS-Exchange-CrossTenant-Id", " 11111111-1111-1111-1111-111111111111", "From", "carol@contoso.com", true)
	f.Add("X-Evil", "a\rb", "Subject", "x\n\tfolded", false)
	f.Add("", "", ":", "\x00", true)
	app := newTestApp(f)
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string, exo bool) {
		fl := &filter{app: app, from: "carol@contoso.com", rcpts: []string{"erin@woodgrove.example"}}
		fl.Header(n1, v1, nil)
		fl.Header(n2, v2, nil)
		s := classify.Session{RemoteAddr: netip.MustParseAddr("192.0.2.1")}
		if exo {
			s = classify.Session{RemoteAddr: netip.MustParseAddr("127.0.0.1"),
				TLS: tlsid.FromMacros(tlsid.Macros{TLSVersion: "TLSv1.3", CertSubject: "mail.protection.outlook.com"})}
		}
		tx := classify.Transaction{Session: s, MailFrom: fl.from, RcptTo: fl.rcpts, HeaderError: fl.hdrErr}
		if tx.HeaderError == nil {
			tx.Header, tx.HeaderError = readHeader(fl.hdr.Bytes(), app)
		}
		v := app.policy.Decide(tx)
		if !exo && v.Origin == classify.OwnTenant {
			t.Fatalf("own-tenant from an unverified peer: %q", fl.hdr.Bytes())
		}
	})
}
