package classify

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/internal/golden"
)

// corpusDirectory serves the tenants of the real header blocks in testdata/headers (their GUIDs
// and From domains), and knows the Outlook.com consumer tenant without serving it.
func corpusDirectory(t testing.TB) *tenantgate.Directory {
	t.Helper()
	f, err := os.Open("testdata/corpus-config.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := tenantgate.LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPolicyCorpus runs every real block through Message from a verified Exchange Online session
// and from an Internet session, checks the properties below, and compares the whole verdicts with
// golden files (go test -run TestPolicyCorpus -update rewrites them; review the diff).
//
// Properties, reasoned from the blocks' names and fields (testdata/headers/SOURCES.md):
//   - untrusted: always internet, no tenant, no kind, the foreign recipient refused, every
//     Microsoft trust field listed for removal;
//   - trusted: "-outbound-hosted" and "-hybridonprem-" blocks of served tenants are own-tenant and
//     relay (mailbox, resp. on-premises) and sign for their From domain; Outlook.com's consumer
//     tenant is not served (other-tenant); the block without CrossTenant-Id is other-tenant.
func TestPolicyCorpus(t *testing.T) {
	p, err := NewPolicy(corpusDirectory(t))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../testdata/headers/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus blocks: %v", err)
	}
	rcpt := []string{"maintainers@vger.kernel.example"}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h, err := headers.Read(bytes.NewReader(raw), headers.Limits{})
			if err != nil {
				t.Fatalf("headers.Read: %v", err)
			}
			trusted := p.Message(exoSession(), "", rcpt, h)
			untrusted := p.Message(internetSession(), "", rcpt, h)

			if untrusted.Origin != Internet || !untrusted.Tenant.IsZero() || untrusted.Kind != "" || untrusted.Recipients[0].Action != Reject || untrusted.DKIMDomain != "" {
				t.Errorf("untrusted: %s %s %q %s %q", untrusted.Origin, untrusted.Tenant, untrusted.Kind, untrusted.Recipients[0].Action, untrusted.DKIMDomain)
			}
			for _, f := range untrusted.Remove {
				if !isTrustField(f.Name) && !strings.EqualFold(f.Name, "Authentication-Results") {
					t.Errorf("untrusted: removes %s", f.Name)
				}
			}
			var want Origin
			var wantKind Kind
			switch {
			case strings.Contains(name, "outlook"), strings.Contains(name, "no-crosstenant-id"):
				want = OtherTenant
			case strings.Contains(name, "-outbound-hosted"):
				want, wantKind = OwnTenant, Mailbox
			case strings.Contains(name, "-hybridonprem-"), strings.Contains(name, "-two-pass-"):
				want, wantKind = OwnTenant, OnPremises
			case strings.Contains(name, "onmicrosoft-inbound"):
				want, wantKind = OwnTenant, Relayed
			}
			if trusted.Origin != want || (wantKind != "" && trusted.Kind != wantKind) {
				t.Errorf("trusted: %s %q, want %s %q; reasons %v", trusted.Origin, trusted.Kind, want, wantKind, codes(trusted.Reasons))
			}
			if wantKind == Mailbox || wantKind == OnPremises {
				if trusted.Recipients[0].Action != Relay || trusted.DKIMDomain == "" {
					t.Errorf("trusted: %s, DKIM %q; want relay and a signing domain", trusted.Recipients[0].Action, trusted.DKIMDomain)
				}
			} else if trusted.Recipients[0].Action != Reject {
				t.Errorf("trusted: %s, want reject", trusted.Recipients[0].Action)
			}
			if err := checkInvariant(p, exoSession(), trusted, h); err != nil {
				t.Error(err)
			}
			if err := checkSenderInvariant(p, trusted, "", h); err != nil {
				t.Error(err)
			}
			if err := checkInvariant(p, internetSession(), untrusted, h); err != nil {
				t.Error(err)
			}

			golden.Decision(t, filepath.Join("testdata", "policy-golden", name+".json"),
				map[string]Verdict{"trusted": trusted, "untrusted": untrusted})
		})
	}
}
