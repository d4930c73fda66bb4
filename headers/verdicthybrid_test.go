package headers

import (
	"slices"
	"testing"
)

// TestVerdictInboundViaOnPremises: Internet mail that enters through the organization's own
// on-premises servers reaches Exchange Online over the hybrid (OnPremises) connector, which
// counts as Originating (docs/exchange-online.md#originating-incoming-internal), while the report
// says DIR:INB (testdata/real/parsedmarc-2019-02-hybrid-onprem-ironport-to-exo.eml). With
// FromEntityHeader HybridOnPrem that is explained, not an error; without it the disagreement
// stays an error.
func TestVerdictInboundViaOnPremises(t *testing.T) {
	block := "X-MS-Exchange-Organization-MessageDirectionality: Originating\n" +
		"X-Forefront-Antispam-Report: CIP:192.0.2.1;SFV:SKN;SCL:-1;DIR:INB;\n"
	for _, tc := range []struct {
		entity string
		code   string
		isErr  bool
	}{
		{"X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\n", FindingInboundViaOnPremises, false},
		{"X-MS-Exchange-CrossTenant-FromEntityHeader: Internet\n", FindingSourcesDisagree, true},
		{"", FindingSourcesDisagree, true},
	} {
		v := analyze(t, block+tc.entity+"\n").Verdict
		if v.Direction != "inbound" {
			t.Errorf("%q: direction %q, want inbound (DIR:INB)", tc.entity, v.Direction)
		}
		i := slices.IndexFunc(v.Findings, func(f Finding) bool {
			return f.Reason.Code == FindingInboundViaOnPremises || f.Reason.Code == FindingSourcesDisagree
		})
		if i < 0 || v.Findings[i].Reason.Code != tc.code || v.Findings[i].Error != tc.isErr {
			t.Errorf("%q: findings %+v, want %s (error %v)", tc.entity, v.Findings, tc.code, tc.isErr)
		}
	}
}
