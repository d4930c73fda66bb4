package headers

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// blockOptions are the EvidenceOptions the block comparisons try: every switch, the gateway's
// authserv-id and a verdict header of another name.
func blockOptions() []EvidenceOptions {
	var out []EvidenceOptions
	for flags := range 32 {
		o := EvidenceOptions{
			AuthServID:           "gw.example.net",
			EOPTenantAttributed:  flags&1 != 0,
			AcceptObsoleteSyntax: flags&2 != 0,
			TrustFields:          flags&4 != 0,
			MaxTenantFields:      (flags >> 4) % 2,
		}
		if flags&8 != 0 {
			o.VerdictHeader = "X-Gate"
		}
		out = append(out, o)
	}
	return out
}

// sameEvidence checks that ScanEvidenceBlock of b finds what ScanEvidence of ReadBytes(b) finds,
// and BlockFields what FieldsByKey finds; b must be read without error and in place.
func sameEvidence(t *testing.T, b []byte, l Limits) {
	t.Helper()
	h, err := ReadBytes(b, l)
	n, ok, cerr := CheckBytes(b, l)
	if !ok {
		return // ReadBytes read a rewritten copy: the caller must too
	}
	if (err == nil) != (cerr == nil) || (err != nil && err.Error() != cerr.Error()) {
		t.Fatalf("ReadBytes: %v; CheckBytes: %v", err, cerr)
	}
	if err != nil {
		return
	}
	for _, o := range blockOptions() {
		want, got := ScanEvidence(h, o), ScanEvidenceBlock(b[:n], o)
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return (a == nil) == (b == nil) && (a == nil || a.Error() == b.Error()) })); diff != "" {
			t.Fatalf("options %+v: (-ScanEvidence +ScanEvidenceBlock):\n%s", o, diff)
		}
	}
	for _, key := range []string{"Content-Type", "from", "X-MS-Exchange-CrossTenant-Id", "Received"} {
		var want []string
		for f := h.FieldsByKey(key); f.Next(); {
			want = append(want, f.Value())
		}
		if got := BlockFields(b[:n], key); !cmp.Equal(want, got) {
			t.Fatalf("BlockFields(%q) = %q, FieldsByKey: %q", key, got, want)
		}
	}
}

// TestScanEvidenceBlock: on every real header block of the corpus (testdata/headers and
// ../testdata/headers, CRLF line ends, with the body after the blank line) and on blocks with
// folding, obsolete syntax, forged verdicts and odd spacing, the evidence read from the bytes is
// the evidence read from the header.
func TestScanEvidenceBlock(t *testing.T) {
	files := corpus(t, "testdata/headers", "testdata/real", "../testdata/headers")
	if len(files) < 30 {
		t.Fatalf("%d corpus files", len(files))
	}
	for _, c := range files {
		b := bytes.ReplaceAll(bytes.ReplaceAll(c.Data, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		t.Run(filepath.Base(c.Path), func(t *testing.T) { sameEvidence(t, b, Limits{MaxBytes: 256 << 10}) })
	}
	for _, b := range []string{
		"",
		"\r\n",
		"X-MS-Exchange-CrossTenant-Id: " + guid1 + "\r\nx-ms-exchange-crosstenant-id:\t " + guid1 + " \r\n\r\n",
		"X-MS-Exchange-CrossTenant-Id : " + guid1 + "\r\nX-EOPTenantAttributedMessage: " + guid2 + ":0\r\n\r\nbody",
		"Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=4\r\nX-Forefront-Antispam-Report: CIP:1.2.3.4;\r\n DIR:INB;\r\n\r\n",
		"authentication-results:GW.example.net;\r\n\tx-tenantgate=pass\r\n  policy.hop=7\r\nX-Gate: x\r\nx-gate:y\r\nX-MS-Exchange-Organization-AuthAs: Internal\r\n",
		"From: a@b.example\r\nfrom: c@d.example\r\nContent-Type: message/rfc822\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\r\nX-MS-Exchange-CrossTenant-AuthAs:   \r\n",
		"Subject: x\r\n \r\n\t\r\n y \r\nX-OriginatorOrg: a\r\n",
	} {
		sameEvidence(t, []byte(b), Limits{})
	}
}

// FuzzScanEvidenceBlock: for any block ReadBytes reads in place, ScanEvidenceBlock finds what
// ScanEvidence finds in the header, with every option, and CheckBytes agrees with ReadBytes.
func FuzzScanEvidenceBlock(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(bytes.ReplaceAll(c.Data, []byte("\n"), []byte("\r\n")))
	}
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id: " + guid1 + "\r\nx-ms-exchange-crosstenant-id: " + guid1 + "\r\n\r\n"))
	f.Add([]byte("Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=4\r\n X-Gate: a\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sameEvidence(t, b, Limits{MaxBytes: 64 << 10})
	})
}
