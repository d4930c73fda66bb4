package classify

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tenantgate/tenantgate/headers"
)

// The policy reads tenant evidence in its own single pass over the header block (for the
// Policy.Message budget, DESIGN §7) instead of through headers.Parse. Both apply the same rules
// (DESIGN §4.2 rule 2: every X-MS-Exchange-CrossTenant-Id a bare GUID, no obsolete syntax, all
// equal). FuzzTenantEvidenceAgreesWithHeaders keeps the two readings from drifting apart: with
// the default options, the policy finds a tenant exactly when headers.Message.CrossTenantID does,
// and the same one.
func FuzzTenantEvidenceAgreesWithHeaders(f *testing.F) {
	files, _ := filepath.Glob("../testdata/headers/*.eml")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\nx-ms-exchange-crosstenant-id: 11111111-1111-1111-1111-111111111111\r\n\r\n"))
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id : 11111111-1111-1111-1111-111111111111\r\n\r\n"))
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id: {11111111-1111-1111-1111-111111111111}\r\n\r\n"))
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\nX-MS-Exchange-CrossTenant-Id: 22222222-2222-2222-2222-222222222222\r\n\r\n"))
	p := demoPolicy(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := headers.Read(bufio.NewReader(bytes.NewReader(data)), headers.Limits{})
		if err != nil {
			return
		}
		id, herr := headers.Parse(h).CrossTenantID()
		e := p.scan(&h, true)
		if e.tenantFields > p.o.maxTenantFields {
			return // the policy's own bound; headers has none
		}
		policyOK := e.haveTenant && len(e.tenantBad) == 0
		if policyOK != (herr == nil) || (policyOK && e.tenant != id) {
			t.Fatalf("policy: tenant %v ok %v %v; headers: %v, %v", e.tenant, policyOK, e.tenantBad, id, herr)
		}
	})
}
