package topology

import "github.com/tenantgate/tenantgate"

// mxPointsToService is ORCA's reading of a domain's Get-MxRecordReport (check-ORCA233.ps1): known
// is false without a report; otherwise points is false as soon as one row does not point to
// Exchange Online.
func mxPointsToService(ad *tenantgate.AcceptedDomain) (points, known bool) {
	if len(ad.MXReport) == 0 {
		return false, false
	}
	for _, r := range ad.MXReport {
		if !r.PointsToService {
			return false, true
		}
	}
	return true, true
}
