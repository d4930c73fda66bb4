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

// corpusVerdict is what the policy must decide for one real block from a verified Exchange Online
// session, stated from the block's own fields (testdata/headers/*.eml) and the corpus
// configuration (testdata/corpus-config.json), by the rules of the package documentation: the
// X-MS-Exchange-CrossTenant-Id names the tenant (own-tenant when the gateway serves it); the kind
// is mailbox for FromEntityHeader Hosted with AuthAs Internal or absent, on-premises for
// HybridOnPrem, relayed for Internet, unknown without FromEntityHeader; only own-tenant mailbox
// and on-premises mail relays to the foreign recipient, and it is signed for its From domain when
// that domain is one of the tenant's accepted domains.
type corpusVerdict struct {
	origin Origin
	kind   Kind
	action Action            // for the foreign recipient
	dkim   tenantgate.Domain // DKIMDomain
}

// corpusVerdicts holds one expected verdict per block of ../testdata/headers, keyed by file name.
// The name is only a key: every expectation is stated from the facts in the comment beside it.
var corpusVerdicts = map[string]corpusVerdict{
	// CrossTenant-Id 84df9e7f-…-aaaaaaaaaaaa (Outlook.com's consumer tenant, not served),
	// FromEntityHeader Internet, AuthAs Anonymous: another tenant's relayed mail, refused.
	"github-microsoft-MHA-ut-parseHeaders-2020-07-outlookcom-inbound": {OtherTenant, Relayed, Reject, ""},
	// CrossTenant-Id f34e5979-… (arm, served), FromEntityHeader HybridOnPrem, AuthAs Anonymous
	// (as real HybridOnPrem headers show), From user@arm.com (arm's accepted domain): own-tenant
	// on-premises mail, relayed and signed for arm.com.
	"lore-kvmarm-2019-07-arm.com-two-pass-stripped-untrusted":     {OwnTenant, OnPremises, Relay, "arm.com"},
	"lore-kvmarm-2022-12-arm.com-two-pass-stripped-untrusted":     {OwnTenant, OnPremises, Relay, "arm.com"},
	"lore-linux-cifs-2023-04-arm.com-two-pass-stripped-untrusted": {OwnTenant, OnPremises, Relay, "arm.com"},
	// CrossTenant-Id c80d3499-… (cern, served), FromEntityHeader HybridOnPrem, From user@cern.ch.
	"lore-kvmarm-2020-02-cern.ch-hybridonprem-oatci": {OwnTenant, OnPremises, Relay, "cern.ch"},
	// CrossTenant-id 84df9e7f-… (Outlook.com consumer, not served), fromentityheader Internet,
	// AuthAs Anonymous: another tenant's relayed mail, refused.
	"lore-kvmarm-2021-06-outlook.com-consumer-fromentity-internet": {OtherTenant, Relayed, Reject, ""},
	// CrossTenant-Id 78703d3c-… (axis, served), FromEntityHeader HybridOnPrem, From user@axis.com.
	"lore-linux-cifs-2024-04-axis.com-hybridonprem-oatci": {OwnTenant, OnPremises, Relay, "axis.com"},
	// CrossTenant-Id 4e2c6054-… (oracle, served), FromEntityHeader Hosted, AuthAs Internal, From
	// user@oracle.com: own-tenant mailbox mail, relayed and signed for oracle.com.
	"lore-linux-cifs-2026-03-oracle.com-outbound-hosted": {OwnTenant, Mailbox, Relay, "oracle.com"},
	// CrossTenant-id 72f988bf-… (microsoft, served), fromentityheader Hosted (field names in lower
	// case), no AuthAs, From user@microsoft.com: own-tenant mailbox mail.
	"lore-linux-hyperv-2019-04-microsoft.com-outbound-hosted-lowercase-names": {OwnTenant, Mailbox, Relay, "microsoft.com"},
	// CrossTenant-Id a652971c-… (mellanox, served), FromEntityHeader HybridOnPrem, From
	// user@mellanox.com.
	"lore-linux-hyperv-2019-06-mellanox.com-hybridonprem-oatci": {OwnTenant, OnPremises, Relay, "mellanox.com"},
	// No X-MS-Exchange-CrossTenant-Id and no FromEntityHeader (only the antispam report): no
	// tenant is named, so the mail is not own-tenant, its kind unknown, refused.
	"lore-linux-hyperv-2022-08-microsoft.com-stamped-only-no-crosstenant-id": {OtherTenant, "", Reject, ""},
	// CrossTenant-Id 3dd8961f-… (amd, served), FromEntityHeader HybridOnPrem, From user@amd.com.
	"lore-linux-hyperv-2026-07-amd.com-hybridonprem-oatci": {OwnTenant, OnPremises, Relay, "amd.com"},
	// CrossTenant-Id 46c98d88-… (intel, served), FromEntityHeader Hosted, AuthAs Internal, From
	// user@intel.com.
	"lore-linux-hyperv-2026-07-intel.com-outbound-hosted": {OwnTenant, Mailbox, Relay, "intel.com"},
	// CrossTenant-id 84df9e7f-… (Outlook.com consumer, not served), fromentityheader Hosted,
	// AuthAs Internal: another tenant's mailbox mail, refused.
	"lore-linux-hyperv-2026-07-outlook.com-consumer-outbound-no-ffas": {OtherTenant, Mailbox, Reject, ""},
	// CrossTenant-Id 3beefe83-… (judytmdevorg, served), FromEntityHeader Internet, AuthAs
	// Anonymous, From user@163.com: the tenant's own relayed mail, which RelayKinds' default
	// (mailbox, on-premises) does not let relay; not signed.
	"public-testmsg-2021-07-onmicrosoft-inbound-dir-inb-internet": {OwnTenant, Relayed, Reject, ""},
}

// TestPolicyCorpus runs every real block through Message from a verified Exchange Online session
// and from an Internet session, checks the trusted verdict against corpusVerdicts and the
// untrusted one against the rule below, and compares both verdicts without their prose with
// golden files (go test -run TestPolicyCorpus -update rewrites them; review the diff).
//
// From an Internet session nothing in the header counts: the verdict is always internet, no
// tenant, no kind, the foreign recipient refused, no signing, and every Microsoft trust field is
// listed for removal.
func TestPolicyCorpus(t *testing.T) {
	p, err := NewPolicy(corpusDirectory(t), PolicyConfig{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../testdata/headers/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus blocks: %v", err)
	}
	if len(files) != len(corpusVerdicts) {
		t.Errorf("%d corpus blocks, %d expected verdicts: every block needs one, every verdict a block", len(files), len(corpusVerdicts))
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
			trusted := p.Decide(Transaction{Session: exoSession(), MailFrom: "", RcptTo: rcpt, Header: h})
			untrusted := p.Decide(Transaction{Session: internetSession(), MailFrom: "", RcptTo: rcpt, Header: h})

			if untrusted.Origin != Internet || !untrusted.Tenant.IsZero() || untrusted.Kind != "" || untrusted.Recipients[0].Action != Reject || untrusted.DKIMDomain != "" {
				t.Errorf("untrusted: %s %s %q %s %q", untrusted.Origin, untrusted.Tenant, untrusted.Kind, untrusted.Recipients[0].Action, untrusted.DKIMDomain)
			}
			for _, f := range untrusted.Remove {
				if !isTrustField(f.Name) && !strings.EqualFold(f.Name, "Authentication-Results") {
					t.Errorf("untrusted: removes %s", f.Name)
				}
			}
			want, ok := corpusVerdicts[name]
			if !ok {
				t.Fatalf("no expected verdict for %s in corpusVerdicts: state it from the block's fields", name)
			}
			got := corpusVerdict{trusted.Origin, trusted.Kind, trusted.Recipients[0].Action, trusted.DKIMDomain}
			if got != want {
				t.Errorf("trusted: %+v, want %+v; reasons %v", got, want, codes(trusted.Reasons))
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
