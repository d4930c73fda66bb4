package topology

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// compile loads and compiles a JSON configuration (the format of testdata/config).
func compile(t testing.TB, js string) *tenantgate.Directory {
	t.Helper()
	c, err := tenantgate.LoadConfig(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The tenants of testdata/config/demo.json.
const (
	contosoID  = "11111111-1111-1111-1111-111111111111"
	fabrikamID = "22222222-2222-2222-2222-222222222222"
)
