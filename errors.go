package tenantgate

import (
	"fmt"
	"strconv"
	"strings"
)

// FieldError is one problem Compile found, with the JSON path of the field it concerns, such as
// "tenants[1].inbound[0].senderIPAddresses[2]".
type FieldError struct {
	Path string
	Msg  string
}

func (e FieldError) Error() string { return e.Path + ": " + e.Msg }

// ConfigErrors is every problem Compile found, in configuration order. Compile returns all of
// them at once so that an administrator fixes a file in one pass.
type ConfigErrors []FieldError

func (es ConfigErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tenantgate: %d configuration error", len(es))
	if len(es) != 1 {
		b.WriteByte('s')
	}
	for _, e := range es {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// errList collects FieldErrors while Compile walks the configuration.
type errList struct{ errs ConfigErrors }

func (l *errList) add(path, format string, args ...any) {
	l.errs = append(l.errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// idx appends an index to a path. Compile builds paths for every field it visits, so this stays
// cheap (no fmt) for 100,000-tenant configurations.
func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
