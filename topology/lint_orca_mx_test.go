package topology

import (
	"testing"

	"github.com/tenantgate/tenantgate"
)

// TestMXPointsToService checks ORCA's reading of Get-MxRecordReport (check-ORCA233.ps1, see
// docs/topology.md): no report is unknown; one row not pointing to Exchange Online is enough to
// put the domain elsewhere.
func TestMXPointsToService(t *testing.T) {
	row := func(points bool) tenantgate.MXRecord { return tenantgate.MXRecord{PointsToService: points} }
	tests := []struct {
		name          string
		report        []tenantgate.MXRecord
		points, known bool
	}{
		{"no report", nil, false, false},
		{"one row at the service", []tenantgate.MXRecord{row(true)}, true, true},
		{"one row elsewhere", []tenantgate.MXRecord{row(false)}, false, true},
		{"mixed rows", []tenantgate.MXRecord{row(true), row(false)}, false, true},
	}
	for _, tc := range tests {
		ad := tenantgate.AcceptedDomain{Name: "contoso.com", MXReport: tc.report}
		if p, k := mxPointsToService(&ad); p != tc.points || k != tc.known {
			t.Errorf("%s: mxPointsToService = %v, %v; want %v, %v", tc.name, p, k, tc.points, tc.known)
		}
	}
}
