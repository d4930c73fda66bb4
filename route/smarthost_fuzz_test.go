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
		for c, suffix := range map[tenantgate.Cloud]string{tenantgate.CloudUSGovGCCHigh: EXOHostSuffixUSGov, tenantgate.CloudChina: EXOHostSuffixChina} {
			h := SmartHostForCloud(c, tenantgate.Domain(s))
			if h == "" {
				continue
			}
			if d, err := tenantgate.ParseDomain(h); err != nil || string(d) != h || !IsEXOHost(h) || !strings.HasSuffix(h, "."+suffix) {
				t.Fatalf("SmartHostForCloud(%s, %q) = %q: not a normalised host below %s (%v)", c, s, h, suffix, err)
			}
		}
	})
}
