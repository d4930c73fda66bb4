package jsonstrict

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decoder walks the JSON text and the Go value together. It keeps decoding after a value
// error (wrong kind, bad value, unknown or repeated key) so that every problem is reported;
// a syntax error stops it.
type decoder struct {
	data  []byte
	pos   int
	errs  Errors
	stop  bool
	path  []segment
	types map[reflect.Type]*structInfo
	depth int
	// open ignores unknown object members (DecodeOpen).
	open bool
}

// segment is one step of the JSON path: a key, or an index when key is "" and isIndex.
type segment struct {
	key     string
	index   int
	isIndex bool
}

func newDecoder(data []byte) *decoder {
	return &decoder{data: data, types: map[reflect.Type]*structInfo{}}
}

func (d *decoder) decode(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		d.addAt(0, "", fmt.Sprintf("cannot decode into %T", v))
		return
	}
	if d.ws(); d.pos == len(d.data) {
		d.addAt(d.pos, "", "no JSON value: the file is empty")
		return
	}
	d.value(rv.Elem())
	if d.stop {
		return
	}
	if d.ws(); d.pos < len(d.data) {
		d.addAt(d.pos, "", "unexpected data after the JSON value")
	}
}

// pathString renders the current path: tenants[0].inbound[1].requireTls.
func (d *decoder) pathString() string {
	var b strings.Builder
	for _, s := range d.path {
		if s.isIndex {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if s.key == "" || strings.ContainsAny(s.key, ".[]\" \t") || !utf8.ValidString(s.key) {
			// A map key that would not read back as one path element: ["192.0.2.1"].
			b.WriteString("[" + strconv.Quote(s.key) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// addAt records a problem at byte offset off under path.
func (d *decoder) addAt(off int, path, msg string) {
	if len(d.errs) > MaxErrors {
		return
	}
	line, col := lineCol(d.data, off)
	if len(d.errs) == MaxErrors {
		d.errs = append(d.errs, &Error{Line: line, Column: col, Msg: fmt.Sprintf("more than %d problems; fix these first", MaxErrors)})
		return
	}
	d.errs = append(d.errs, &Error{Line: line, Column: col, Path: path, Msg: msg})
}

// valueError records a problem with the value at off under the current path.
func (d *decoder) valueError(off int, msg string) { d.addAt(off, d.pathString(), msg) }

// mismatch records a value of the wrong kind and skips it.
func (d *decoder) mismatch(want string) {
	off := d.pos
	got := describe(d.data[off])
	if _, _, ok := d.skip(); ok {
		d.valueError(off, "want "+want+", not "+got)
	}
}

// value decodes the JSON value at d.pos into v (settable).
func (d *decoder) value(v reflect.Value) {
	c := d.ws()
	if d.pos == len(d.data) {
		d.unexpected("a value")
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.syntax(d.pos, "nested more than %d levels deep", maxDepth)
		return
	}
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		if c == 'n' {
			if _, ok := d.literal(); ok {
				v.SetZero()
			}
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.value(v.Elem())
		return
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(reflect.TypeFor[json.Unmarshaler]()) {
		start, end, ok := d.skip()
		if !ok {
			return
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(d.data[start:end]); err != nil {
			d.valueError(start, plain(err))
		}
		return
	}
	if pt.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		switch c {
		case 'n':
			d.literal()
		case '"':
			start := d.pos
			b, ok := d.strBytes()
			if !ok {
				return
			}
			if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(b); err != nil {
				d.valueError(start, plain(err))
			}
		default:
			d.mismatch("a string")
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.object(c, v, want(t))
	case reflect.Map:
		d.mapValue(c, v)
	case reflect.Slice:
		d.list(c, v)
	case reflect.String:
		switch c {
		case 'n':
			d.literal()
		case '"':
			if s, ok := d.str(); ok {
				v.SetString(s)
			}
		default:
			d.mismatch("a string")
		}
	case reflect.Bool:
		switch c {
		case 'n':
			d.literal()
		case 't', 'f':
			if w, ok := d.literal(); ok {
				v.SetBool(w == "true")
			}
		default:
			d.mismatch("true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		d.number(c, v)
	default:
		// Interfaces, arrays and the rest: encoding/json's own rules, on the checked extent.
		start, end, ok := d.skip()
		if !ok {
			return
		}
		if err := json.Unmarshal(d.data[start:end], v.Addr().Interface()); err != nil {
			d.valueError(start, plain(err))
		}
	}
}

// want names what a Go type wants, for messages.
func want(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object {…}"
	case reflect.Slice, reflect.Array:
		return "a list […]"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a value"
}

// strBytes decodes the string at d.pos; without escapes it is a slice of the input.
func (d *decoder) strBytes() ([]byte, bool) {
	start, end, complex, ok := d.scanString()
	if !ok {
		return nil, false
	}
	if !complex {
		return d.data[start+1 : end-1], true
	}
	var s string
	if err := json.Unmarshal(d.data[start:end], &s); err != nil {
		d.syntax(start, "invalid string: %s", plain(err))
		return nil, false
	}
	return []byte(s), true
}

// str decodes the string at d.pos.
func (d *decoder) str() (string, bool) {
	start, end, complex, ok := d.scanString()
	if !ok {
		return "", false
	}
	if !complex {
		return string(d.data[start+1 : end-1]), true
	}
	var s string
	if err := json.Unmarshal(d.data[start:end], &s); err != nil {
		d.syntax(start, "invalid string: %s", plain(err))
		return "", false
	}
	return s, true
}

// number decodes a number into an integer or float kind, refusing fractions for integers and
// values out of range.
func (d *decoder) number(c byte, v reflect.Value) {
	if c == 'n' {
		d.literal()
		return
	}
	if c != '-' && (c < '0' || c > '9') {
		d.mismatch(want(v.Type()))
		return
	}
	start := d.pos
	s, ok := d.scanNumber()
	if !ok {
		return
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			d.valueError(start, fmt.Sprintf("%s is out of range", s))
			return
		}
		v.SetFloat(f)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			d.valueError(start, intProblem(s, 0, uint64(math.MaxUint64>>(64-v.Type().Bits()))))
			return
		}
		v.SetUint(n)
	default:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			bits := v.Type().Bits()
			d.valueError(start, intProblem(s, -1<<(bits-1), uint64(1)<<(bits-1)-1))
			return
		}
		v.SetInt(n)
	}
}

func intProblem(s string, lo int64, hi uint64) string {
	if strings.ContainsAny(s, ".eE") {
		return fmt.Sprintf("want a whole number, not %s", s)
	}
	return fmt.Sprintf("%s is out of range (%d to %d)", s, lo, hi)
}

// plain turns an error from a value's own decoder into a message without Go's type names.
func plain(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asType(err, &te); ok {
		// A value's own decoder may wrap the error with what it wants: keep its words.
		return strings.Replace(err.Error(), te.Error(), "want "+want(te.Type)+", not "+article(te.Value), 1)
	}
	s := err.Error()
	s = strings.TrimPrefix(s, "json: ")
	// net/netip names its functions: ParseAddr("300.0.0.1"): IPv4 field has value >255.
	for _, p := range [...]struct{ fn, what string }{
		{"ParseAddr(", "an IP address"},
		{"netip.ParsePrefix(", "a network in CIDR form such as 192.0.2.0/24"},
		{"netip.ParseAddrPort(", "an IP address and port"},
	} {
		if rest, ok := strings.CutPrefix(s, p.fn); ok {
			if i := strings.Index(rest, "): "); i >= 0 {
				return rest[:i] + " is not " + p.what + ": " + rest[i+3:]
			}
		}
	}
	if i := strings.Index(s, ": "); i > 0 && strings.HasPrefix(s, "tenantgate") {
		s = s[i+2:]
	}
	return s
}

func asType(err error, te **json.UnmarshalTypeError) bool {
	for err != nil {
		if t, ok := err.(*json.UnmarshalTypeError); ok {
			*te = t
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// article is "a string" for encoding/json's "string".
func article(v string) string {
	switch v {
	case "object":
		return "an object"
	case "array":
		return "a list"
	case "bool":
		return "true or false"
	}
	if strings.HasPrefix(v, "number") {
		return "a number"
	}
	return "a " + v
}
