package classify

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tenantgate/tenantgate/headers"
)

// decideBoth decides t with the header headers.ReadBytes reads from block and with the block as
// bytes (Transaction.HeaderBlock), and fails when the verdicts differ in anything. It reports
// whether the block could be compared (read without error, CRLF line ends).
func decideBoth(t *testing.T, p *Policy, tx Transaction, block []byte) bool {
	t.Helper()
	n, ok, err := headers.CheckBytes(block, headers.Limits{})
	if !ok || err != nil {
		return false
	}
	h, err := headers.ReadBytes(block, headers.Limits{})
	if err != nil {
		t.Fatalf("ReadBytes: %v after CheckBytes accepted the block", err)
	}
	byHeader, byBlock := tx, tx
	byHeader.Header = h
	byBlock.HeaderBlock = block[:n]
	if diff := cmp.Diff(p.Decide(byHeader), p.Decide(byBlock), cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); diff != "" {
		t.Fatalf("(-Header +HeaderBlock):\n%s", diff)
	}
	return true
}

// TestDecideHeaderBlock: Decide decides the same on the header block as bytes as on the header
// read from it, for every real block of the corpus (../testdata/headers, testdata of the
// headers package) from a verified Exchange Online session and from an Internet one, with the
// default configuration and with every evidence option on, and for the fuzz seeds.
func TestDecideHeaderBlock(t *testing.T) {
	var files []string
	for _, dir := range []string{"../testdata/headers", "../headers/testdata/headers", "../headers/testdata/real"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		files = append(files, fs...)
	}
	if len(files) < 30 {
		t.Fatalf("%d corpus blocks", len(files))
	}
	var policies []*Policy
	for _, c := range []PolicyConfig{{}, {AcceptObsoleteFieldSyntax: true, EOPTenantAttributedEvidence: true, RejectDuplicateTenantID: true, RelayKinds: []Kind{Mailbox, OnPremises, Relayed}, VerdictHeader: "X-Gate"}} {
		p, err := NewPolicy(corpusDirectory(t), c)
		if err != nil {
			t.Fatal(err)
		}
		policies = append(policies, p)
	}
	rcpt := []string{"maintainers@vger.kernel.example", "user@arm.com"}
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		for _, p := range policies {
			for _, s := range []Session{exoSession(), internetSession()} {
				if !decideBoth(t, p, Transaction{Session: s, MailFrom: "user@arm.com", RcptTo: rcpt}, raw) {
					t.Fatalf("%s: not compared", path)
				}
			}
		}
	}
	p := policies[0]
	for _, b := range policyFuzzSeeds() {
		for i := range 6 {
			decideBoth(t, p, Transaction{Session: fuzzSession(byte(i)), MailFrom: "carol@contoso.com", RcptTo: rcpt}, []byte(b+"\r\n"))
		}
	}
}

// FuzzDecideHeaderBlock: for any header block, envelope, session and configuration that
// FuzzPolicyMessage tries, Decide on the block as bytes gives the verdict it gives on the header
// read from it.
func FuzzDecideHeaderBlock(f *testing.F) {
	for i, s := range policyFuzzSeeds() {
		f.Add([]byte(s), byte(i), byte(i), "carol@contoso.com", "erin@woodgrove.example,alice@contoso.com")
	}
	d := demoDirectory(f)
	dSendAs := configDirectory(f, "sendas.json")
	f.Fuzz(func(t *testing.T, hdr []byte, sess, flags byte, mailFrom, rcpts string) {
		c := PolicyConfig{
			DKIMFallback:                flags&1 != 0,
			AcceptObsoleteFieldSyntax:   flags&4 != 0,
			EOPTenantAttributedEvidence: flags&8 != 0,
			RejectDuplicateTenantID:     flags&16 != 0,
			DKIMRequired:                flags&32 != 0,
		}
		if flags&2 != 0 {
			c.RelayKinds = []Kind{Mailbox, OnPremises, Relayed}
		}
		dir := d
		if flags&64 != 0 {
			dir = dSendAs
		}
		if flags&128 != 0 {
			c.VerdictHeader = "X-Gate"
		}
		p, err := NewPolicy(dir, c)
		if err != nil {
			t.Fatal(err)
		}
		rcpt := strings.Split(rcpts, ",")
		if len(rcpt) > 50 {
			rcpt = rcpt[:50]
		}
		dkim := []DKIMResult{{Domain: "contoso.com", Result: "pass"}, {Domain: mailFrom, Result: "pass"}}
		decideBoth(t, p, Transaction{Session: fuzzSession(sess), MailFrom: mailFrom, RcptTo: rcpt, DKIM: dkim}, hdr)
	})
}
