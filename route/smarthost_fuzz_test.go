package route

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// FuzzSmartHostFor checks that a derived host is always an Exchange Online host name that parses
// as a domain, and that IsEXOHost never panics.
func FuzzSmartHostFor(f *testing.F) {
	for _, s := range []string{"contoso.com", "my-company.co.uk", "fabrikam.onmicrosoft.com", "x.mail.onmicrosoft.com", "münchen.example", "", "a..b", "contoso-com.mail.protection.outlook.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = IsEXOHost(s)
		h := SmartHostFor(tenantgate.Domain(s))
		if h == "" {
			return
		}
		d, err := tenantgate.ParseDomain(h)
		if err != nil || string(d) != h {
			t.Fatalf("SmartHostFor(%q) = %q, not a normalised domain (%v)", s, h, err)
		}
		if !IsEXOHost(h) || !strings.HasSuffix(h, "."+EXOHostSuffix) {
			t.Fatalf("SmartHostFor(%q) = %q, not below %s", s, h, EXOHostSuffix)
		}
	})
}
