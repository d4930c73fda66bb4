package scenario

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// Mismatches collects a case's failures. Section evaluators share it.
type mismatches []string

// Addf records one failure.
func (m *mismatches) Addf(format string, args ...any) { *m = append(*m, fmt.Sprintf(format, args...)) }

// String compares a named string field when the file gave it.
func (m *mismatches) String(what string, want *string, got string) {
	if want != nil && *want != got {
		m.Addf("%s: want %q, got %q", what, *want, got)
	}
}

// Bool compares a named bool field when the file gave it.
func (m *mismatches) Bool(what string, want *bool, got bool) {
	if want != nil && *want != got {
		m.Addf("%s: want %v, got %v", what, *want, got)
	}
}

// Prefix compares a reply by prefix when the file gave it.
func (m *mismatches) Prefix(what string, want *string, got string) {
	if want != nil && !strings.HasPrefix(got, *want) {
		m.Addf("%s: want prefix %q, got %q", what, *want, got)
	}
}

// Tenant compares a tenant ID ("" = none) when the file gave it.
func (m *mismatches) Tenant(what string, want *string, got tenantgate.TenantID) {
	if want == nil {
		return
	}
	var id tenantgate.TenantID
	if *want != "" {
		var err error
		if id, err = tenantgate.ParseTenantID(*want); err != nil {
			m.Addf("%s: expectation: %v", what, err)
			return
		}
	}
	if id != got {
		m.Addf("%s: want %s, got %s", what, tenantOrNone(id), tenantOrNone(got))
	}
}

// Addr compares an IP address when the file gave it.
func (m *mismatches) Addr(what string, want *string, got netip.Addr) {
	if want == nil {
		return
	}
	a, err := netip.ParseAddr(*want)
	if err != nil {
		m.Addf("%s: expectation %q is not an IP address", what, *want)
		return
	}
	if a != got {
		m.Addf("%s: want %s, got %s", what, a, got)
	}
}

// Reasons checks that every wanted code is among got.
func (m *mismatches) Reasons(want []string, got []tenantgate.Reason) {
	for _, w := range want {
		found := false
		for _, g := range got {
			if g.Code == w {
				found = true
				break
			}
		}
		if !found {
			codes := make([]string, len(got))
			for i, g := range got {
				codes[i] = g.Code
			}
			m.Addf("reasons: want %q among %v", w, codes)
		}
	}
}

func tenantOrNone(id tenantgate.TenantID) string {
	if id.IsZero() {
		return "(none)"
	}
	return id.String()
}

// Evidence converts a file's TLS object (nil = plaintext).
func evidenceOf(t *TLS) tlsid.Evidence {
	if t == nil {
		return tlsid.Evidence{}
	}
	return tlsid.Evidence{TLS: true, Verified: t.Verified, Names: t.Names, Error: t.Error}
}

// ParseAddr parses a file's remoteAddr (unmapped), naming the field in the error.
func parseAddr(what, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%s %q is not an IP address", what, s)
	}
	return a.Unmap(), nil
}
