package tenantgate

import (
	"errors"
	"testing"
)

func TestParseTenantID(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = error
	}{
		{"11111111-1111-1111-1111-111111111111", "11111111-1111-1111-1111-111111111111"},
		// Upper case is accepted and printed lower case (docs/headers.md#tenant-id: upper case
		// accepted, written in lower case).
		{"84DF9E7F-E9F6-40AF-B435-AAAAAAAAAAAA", "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa"},
		{"00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"},
		// Threat case 11: braces, spaces, extra characters, missing dashes, encoded words are invalid.
		{"{11111111-1111-1111-1111-111111111111}", ""},
		{" 11111111-1111-1111-1111-111111111111", ""},
		{"11111111-1111-1111-1111-1111111111111", ""},
		{"111111111111111111111111111111111111", ""},
		{"11111111-1111-1111-1111-11111111111g", ""},
		{"11111111_1111-1111-1111-111111111111", ""},
		{"=?utf-8?q?11111111-1111-1111-1111-11111?=", ""},
		{"", ""},
	}
	for _, tt := range tests {
		id, err := ParseTenantID(tt.in)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrTenantID) {
				t.Errorf("ParseTenantID(%q) = %v, %v; want an ErrTenantID error", tt.in, id, err)
			}
			continue
		}
		if err != nil || id.String() != tt.want {
			t.Errorf("ParseTenantID(%q) = %v, %v; want %s", tt.in, id, err, tt.want)
		}
	}
}

func TestTenantIDText(t *testing.T) {
	id := MustParseTenantID("11111111-2222-3333-4444-555555555555")
	b, _ := id.MarshalText()
	var back TenantID
	if err := back.UnmarshalText(b); err != nil || back != id {
		t.Fatalf("round trip: %v %v", back, err)
	}
	if !(TenantID{}).IsZero() || id.IsZero() {
		t.Fatal("IsZero")
	}
}

func FuzzParseTenantID(f *testing.F) {
	f.Add("11111111-1111-1111-1111-111111111111")
	f.Add("84DF9E7F-E9F6-40AF-B435-AAAAAAAAAAAA")
	f.Add("{11111111-1111-1111-1111-111111111111}")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseTenantID(s)
		if err != nil {
			return
		}
		// Whatever parses prints back as the input in lower case, and parses again to itself.
		if len(s) != 36 {
			t.Fatalf("accepted %q of length %d", s, len(s))
		}
		again, err := ParseTenantID(id.String())
		if err != nil || again != id {
			t.Fatalf("String() of %q does not round-trip", s)
		}
	})
}
