package exoimport

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate"
)

// maxErrors bounds the errors Import collects before it gives up.
const maxErrors = 100

// record is one exported object being read, with the file and JSON path it came from.
type record struct {
	imp       *importer
	n         *node
	path      string
	ambiguous bool // a key was given twice in different case (already reported)
}

func (r *record) errf(path, format string, args ...any) {
	r.imp.errf(path, format, args...)
}

// get returns the value of key, nil when the key is absent or null.
func (r *record) get(key string) (*node, string) {
	v, name, dup := r.n.lookup(key)
	p := member(r.path, key)
	if v != nil {
		p = member(r.path, name)
	}
	if dup != "" {
		r.errf(p, "keys %q and %q differ only in case; PowerShell cannot tell them apart", name, dup)
		r.ambiguous = true
		return nil, p
	}
	if v == nil || v.kind == kNull {
		return nil, p
	}
	return v, p
}

// has reports whether key is present (null counts as present: the export carried the field).
func (r *record) has(key string) bool {
	v, _, _ := r.n.lookup(key)
	return v != nil
}

func (r *record) str(key string) string {
	v, p := r.get(key)
	if v == nil {
		return ""
	}
	if v.kind != kString {
		r.errf(p, "want a string, not %s", v.kind)
		return ""
	}
	return v.s
}

// boolp reads a PowerShell Boolean: nil when absent or null, which is not the same as false.
func (r *record) boolp(key string) *bool {
	v, p := r.get(key)
	if v == nil {
		return nil
	}
	if v.kind != kBool {
		r.errf(p, "want true or false, not %s", v.kind)
		return nil
	}
	b := v.b
	return &b
}

func (r *record) bool(key string) bool {
	b := r.boolp(key)
	return b != nil && *b
}

// strs reads a multi-valued property: an array of strings (null elements, as in ScubaGear's
// "[null]", are skipped), a bare string (one value, as Microsoft365DSC writes), or null. The
// paths of the values are returned beside them.
func (r *record) strs(key string) (vals, paths []string) {
	v, p := r.get(key)
	if v == nil {
		return nil, nil
	}
	switch v.kind {
	case kString:
		if v.s == "" {
			return nil, nil
		}
		return []string{v.s}, []string{p}
	case kArray:
		vals = []string{}
		for i, e := range v.arr {
			switch e.kind {
			case kNull:
			case kString:
				vals = append(vals, e.s)
				paths = append(paths, elem(p, i))
			default:
				r.errf(elem(p, i), "want a string, not %s", e.kind)
			}
		}
		return vals, paths
	}
	r.errf(p, "want a string or an array of strings, not %s", v.kind)
	return nil, nil
}

// enum reads an enumeration as its name, either a string or the {"Value": "…"} object nested
// enums become. Numbers are refused: their codes are not documented.
func (r *record) enum(key string, allowed ...string) string {
	v, p := r.get(key)
	if v == nil {
		return ""
	}
	if v.kind == kObject {
		var str, num *node
		for i, k := range v.keys {
			if fold(k) == "value" {
				switch v.vals[i].kind {
				case kString:
					str = v.vals[i]
				case kNumber:
					num = v.vals[i]
				}
			}
		}
		switch {
		case str != nil:
			v = str
		case num != nil:
			v = num
		default:
			r.errf(p, "want an enumeration name, not an object without a Value")
			return ""
		}
	}
	switch v.kind {
	case kNumber:
		r.errf(p, "numeric enumeration value %s: its meaning is not documented; re-export with ConvertTo-Json -EnumsAsStrings", v.s)
		return ""
	case kString:
		for _, a := range allowed {
			if strings.EqualFold(strings.TrimSpace(v.s), a) {
				return a
			}
		}
		r.errf(p, "%q is not one of %s", clip(v.s), strings.Join(allowed, ", "))
		return ""
	}
	r.errf(p, "want an enumeration name (a string), not %s", v.kind)
	return ""
}

// intp reads an integer given as a number or a numeric string (SetSCL is typed String by
// Microsoft365DSC and compared loosely by ORCA).
func (r *record) intp(key string) *int {
	v, p := r.get(key)
	if v == nil {
		return nil
	}
	if v.kind != kNumber && v.kind != kString {
		r.errf(p, "want an integer, not %s", v.kind)
		return nil
	}
	if v.kind == kString && strings.TrimSpace(v.s) == "" {
		return nil
	}
	i, err := strconv.Atoi(strings.TrimSpace(v.s))
	if err != nil {
		r.errf(p, "%q is not an integer", clip(v.s))
		return nil
	}
	return &i
}

// date reads a date in any form PowerShell writes: Windows PowerShell 5.1's "\/Date(ms)\/"
// (optionally with a +hhmm offset), ISO 8601 with up to 7 fractional digits and with or without
// an offset (PowerShell 7, the REST API), or the en-US general form Microsoft365DSC keeps.
func (r *record) date(key string) (time.Time, bool) {
	v, p := r.get(key)
	if v == nil {
		return time.Time{}, false
	}
	if v.kind != kString {
		r.errf(p, "want a date string, not %s", v.kind)
		return time.Time{}, false
	}
	t, err := parseDate(v.s)
	if err != nil {
		r.errf(p, "%v", err)
		return time.Time{}, false
	}
	return t, true
}

var msDate = regexp.MustCompile(`^/Date\((-?\d{1,15})([+-]\d{4})?\)/$`)

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := msDate.FindStringSubmatch(s); m != nil {
		ms, _ := strconv.ParseInt(m[1], 10, 64)
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "1/2/2006 3:04:05 PM", "1/2/2006 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want \\/Date(ms)\\/ or ISO 8601)", clip(s))
}

// The parsers below check one value each and report it at its own path.

func (r *record) domains(key string) []tenantgate.Domain {
	vals, paths := r.strs(key)
	if vals == nil {
		return nil
	}
	out := make([]tenantgate.Domain, 0, len(vals))
	for i, s := range vals {
		d, err := tenantgate.ParseDomain(s)
		if err != nil {
			r.errf(paths[i], "%v", err)
			continue
		}
		out = append(out, d)
	}
	return out
}

func (r *record) pattern(key string) tenantgate.DomainPattern {
	s := r.str(key)
	if s == "" {
		return ""
	}
	p, err := tenantgate.ParseDomainPattern(s)
	if err != nil {
		r.errf(member(r.path, key), "%v", err)
	}
	return p
}

func (r *record) patterns(key string) []tenantgate.DomainPattern {
	vals, paths := r.strs(key)
	if vals == nil {
		return nil
	}
	out := make([]tenantgate.DomainPattern, 0, len(vals))
	for i, s := range vals {
		p, err := tenantgate.ParseDomainPattern(s)
		if err != nil {
			r.errf(paths[i], "%v", err)
			continue
		}
		out = append(out, p)
	}
	return out
}

// senderDomains reads an inbound connector's SenderDomains, stored as address spaces
// "smtp:<domain>;<priority>" ("smtp:*;1" is every domain) or typed bare.
func (r *record) senderDomains(key string) []tenantgate.DomainPattern {
	vals, paths := r.strs(key)
	if vals == nil {
		return nil
	}
	out := make([]tenantgate.DomainPattern, 0, len(vals))
	for i, s := range vals {
		d := strings.TrimSpace(s)
		if len(d) >= 5 && strings.EqualFold(d[:5], "smtp:") {
			dom, prio, ok := strings.Cut(d[5:], ";")
			if ok && strings.Trim(prio, "0123456789") != "" {
				r.errf(paths[i], "%q: the cost after ';' must be a number", clip(s))
				continue
			}
			d = dom
		} else if t, _, ok := strings.Cut(d, ":"); ok {
			r.errf(paths[i], "%q: address space type %q is not SMTP", clip(s), clip(t))
			continue
		}
		p, err := tenantgate.ParseDomainPattern(d)
		if err != nil {
			r.errf(paths[i], "%v", err)
			continue
		}
		out = append(out, p)
	}
	return out
}

// ips checks each value with parse and keeps it as written.
func (r *record) ips(key string, parse func(string) error) []string {
	vals, paths := r.strs(key)
	if vals == nil {
		return nil
	}
	out := make([]string, 0, len(vals))
	for i, s := range vals {
		if err := parse(strings.TrimSpace(s)); err != nil {
			r.errf(paths[i], "%v", err)
			continue
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

func senderIP(s string) error { _, err := tenantgate.ParseSenderIP(s); return err }
func ipRange(s string) error  { _, err := tenantgate.ParseIPRange(s); return err }
func ipAddr(s string) error {
	if a, err := netip.ParseAddr(s); err != nil || a.Zone() != "" {
		return fmt.Errorf("%q is not an IP address", clip(s))
	}
	return nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
