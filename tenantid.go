package tenantgate

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// TenantID is a Microsoft 365 tenant (organisation) GUID, as Exchange Online writes it in
// X-MS-Exchange-CrossTenant-Id. The zero value is the all-zero GUID and never names a real tenant.
type TenantID [16]byte

// ErrTenantID is wrapped by every error ParseTenantID returns.
var ErrTenantID = errors.New("tenantgate: invalid tenant ID")

// ParseTenantID parses the canonical 8-4-4-4-12 hexadecimal form, in either case, with no braces,
// no "urn:uuid:" prefix and no surrounding space. Anything else is refused: a tenant ID is
// security evidence, and a lenient parser would let two spellings of one value disagree.
func ParseTenantID(s string) (TenantID, error) {
	var id TenantID
	if len(s) != 36 {
		return id, fmt.Errorf("%w %q: want 36 characters in the form 8-4-4-4-12, have %d", ErrTenantID, clip(s), len(s))
	}
	j := 0
	for i := 0; i < 36; {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return TenantID{}, fmt.Errorf("%w %q: want '-' at position %d", ErrTenantID, clip(s), i+1)
			}
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return TenantID{}, fmt.Errorf("%w %q: not a hexadecimal digit at position %d", ErrTenantID, clip(s), i+1)
		}
		id[j] = hi<<4 | lo
		j++
		i += 2
	}
	return id, nil
}

// MustParseTenantID is ParseTenantID for constants in tests and examples; it panics on a bad value.
func MustParseTenantID(s string) TenantID {
	id, err := ParseTenantID(s)
	if err != nil {
		panic(err)
	}
	return id
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// String returns the lower-case 8-4-4-4-12 form.
func (id TenantID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// IsZero reports whether id is the all-zero GUID.
func (id TenantID) IsZero() bool { return id == TenantID{} }

// MarshalText implements encoding.TextMarshaler (the lower-case GUID).
func (id TenantID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseTenantID.
func (id *TenantID) UnmarshalText(b []byte) error {
	v, err := ParseTenantID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// clip shortens hostile input before it goes into an error message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
