package tenantgate

import (
	"fmt"
	"io"

	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// Config is the whole topology: the tenants Exchange Online hosts (ours and others') and the
// gateway. Its JSON form is a public contract (README.md#configuration); LoadConfig reads it
// strictly.
type Config struct {
	Tenants []Tenant `json:"tenants"`
	Gateway Gateway  `json:"gateway"`
}

// MaxConfigBytes bounds what LoadConfig reads (a 100,000-tenant configuration is about 60 MB).
const MaxConfigBytes = 512 << 20

// LoadConfig reads one JSON configuration. Unknown fields, trailing data and values of the wrong
// type are errors that name the line and column. LoadConfig checks the syntax only: Compile
// validates the content.
func LoadConfig(r io.Reader) (Config, error) {
	var c Config
	data, err := io.ReadAll(io.LimitReader(r, MaxConfigBytes+1))
	if err != nil {
		return c, fmt.Errorf("tenantgate: read config: %w", err)
	}
	if len(data) > MaxConfigBytes {
		return c, fmt.Errorf("tenantgate: config larger than %d bytes", MaxConfigBytes)
	}
	if err := jsonstrict.Decode(data, &c); err != nil {
		return Config{}, fmt.Errorf("tenantgate: config: %w", err)
	}
	return c, nil
}
