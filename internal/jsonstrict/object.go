package jsonstrict

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// structInfo is what decoding needs of a struct type: its JSON keys, exactly as tagged.
type structInfo struct {
	index  map[string]fieldInfo // key → field (embedded structs flattened)
	folded map[string]string    // lower-case key → key, to suggest the right spelling
}

// fieldInfo is one field of a struct: its key and its index path.
type fieldInfo struct {
	name  string
	index []int
}

// info returns the keys of struct type t, computed once per Decode.
func (d *decoder) info(t reflect.Type) *structInfo {
	if si, ok := d.types[t]; ok {
		return si
	}
	si := &structInfo{index: map[string]fieldInfo{}, folded: map[string]string{}}
	addFields(si, t, nil)
	d.types[t] = si
	return si
}

// addFields adds t's fields under the index prefix: the struct's own fields first, then those
// of embedded structs that no own field hides (encoding/json's rule for the usual cases).
func addFields(si *structInfo, t reflect.Type, prefix []int) {
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := si.index[name]; dup {
			continue
		}
		si.index[name] = fieldInfo{name: name, index: append(append([]int(nil), prefix...), i)}
		si.folded[strings.ToLower(name)] = name
	}
	for _, f := range embedded {
		addFields(si, derefType(f.Type), append(append([]int(nil), prefix...), f.Index...))
	}
}

func derefType(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// field returns the field at index in v, allocating embedded pointers on the way.
func field(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// members walks the members of the object at d.pos ('{' already checked), calling member for
// each key after its colon with the offset of the key's opening quote. A repeated key is an
// error and its value is skipped.
func (d *decoder) members(member func(key []byte, keyOff int)) {
	d.pos++
	if d.ws() == '}' {
		d.pos++
		return
	}
	// Keys seen so far with their offsets: a linear search for the few keys of a usual object,
	// a map beyond.
	type keyAt struct {
		key []byte
		off int
	}
	var small [16]keyAt
	seenList := small[:0]
	var seenMap map[string]int
	lookup := func(key []byte) (int, bool) {
		if seenMap != nil {
			off, ok := seenMap[string(key)]
			return off, ok
		}
		for _, k := range seenList {
			if bytes.Equal(k.key, key) {
				return k.off, true
			}
		}
		return 0, false
	}
	for {
		if d.ws() != '"' {
			d.unexpected("a key in double quotes")
			return
		}
		off := d.pos
		key, ok := d.strBytes()
		if !ok {
			return
		}
		if d.ws() != ':' {
			d.unexpected(`":" after the key`)
			return
		}
		d.pos++
		if first, dup := lookup(key); dup {
			line, col := lineCol(d.data, first)
			d.path = append(d.path, segment{key: string(key)})
			d.valueError(off, fmt.Sprintf("repeated key (first at line %d, column %d); a key may appear once in an object", line, col))
			d.path = d.path[:len(d.path)-1]
			d.ws()
			if _, _, ok := d.skip(); !ok {
				return
			}
		} else {
			switch {
			case seenMap != nil:
				seenMap[string(key)] = off
			case len(seenList) < len(small):
				seenList = append(seenList, keyAt{key, off})
			default:
				seenMap = make(map[string]int, 2*len(small))
				for _, k := range seenList {
					seenMap[string(k.key)] = k.off
				}
				seenMap[string(key)] = off
			}
			member(key, off)
		}
		if d.stop {
			return
		}
		switch d.ws() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return
		default:
			d.unexpected(`"," or "}"`)
			return
		}
	}
}

// object decodes an object into the struct v.
func (d *decoder) object(c byte, v reflect.Value, wantText string) {
	switch c {
	case 'n':
		d.literal()
		return
	case '{':
	default:
		d.mismatch(wantText)
		return
	}
	si := d.info(v.Type())
	d.members(func(key []byte, off int) {
		f, ok := si.index[string(key)]
		if !ok && d.open {
			d.ws()
			d.skip()
			return
		}
		if !ok {
			msg := fmt.Sprintf("unknown field %q", key)
			if k, ok := si.folded[strings.ToLower(string(key))]; ok {
				msg += fmt.Sprintf(" (did you mean %q? keys are case-sensitive)", k)
			}
			d.addAt(off, d.pathString(), msg)
			d.ws()
			d.skip()
			return
		}
		d.path = append(d.path, segment{key: f.name})
		d.value(field(v, f.index))
		d.path = d.path[:len(d.path)-1]
	})
}

// mapValue decodes an object into the map v, whose keys are strings or read by UnmarshalText
// (a tenant ID); other key types get encoding/json's rules.
func (d *decoder) mapValue(c byte, v reflect.Value) {
	t := v.Type()
	textKey := reflect.PointerTo(t.Key()).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
	if t.Key().Kind() != reflect.String && !textKey {
		start, end, ok := d.skip()
		if ok {
			if err := json.Unmarshal(d.data[start:end], v.Addr().Interface()); err != nil {
				d.valueError(start, plain(err))
			}
		}
		return
	}
	switch c {
	case 'n':
		if _, ok := d.literal(); ok {
			v.SetZero()
		}
		return
	case '{':
	default:
		d.mismatch("an object {…}")
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	d.members(func(kb []byte, off int) {
		key := string(kb)
		k := reflect.New(t.Key())
		d.path = append(d.path, segment{key: key})
		defer func() { d.path = d.path[:len(d.path)-1] }()
		if textKey {
			if err := k.Interface().(encoding.TextUnmarshaler).UnmarshalText(kb); err != nil {
				d.valueError(off, "key: "+plain(err))
				d.ws()
				d.skip()
				return
			}
		} else {
			k.Elem().SetString(key)
		}
		elem := reflect.New(t.Elem()).Elem()
		d.value(elem)
		v.SetMapIndex(k.Elem(), elem)
	})
}

// list decodes a list into the slice v. An empty list gives an empty, non-nil slice, which the
// configuration tells from an absent one.
func (d *decoder) list(c byte, v reflect.Value) {
	t := v.Type()
	switch {
	case c == 'n':
		if _, ok := d.literal(); ok {
			v.SetZero()
		}
		return
	case c == '"' && t.Elem().Kind() == reflect.Uint8:
		// []byte is base64 text in encoding/json.
		start, end, ok := d.skip()
		if ok {
			if err := json.Unmarshal(d.data[start:end], v.Addr().Interface()); err != nil {
				d.valueError(start, plain(err))
			}
		}
		return
	case c != '[':
		d.mismatch("a list […]")
		return
	}
	d.pos++
	v.Set(reflect.MakeSlice(t, 0, 0))
	if d.ws() == ']' {
		d.pos++
		return
	}
	for i := 0; ; i++ {
		if i == v.Cap() {
			v.Grow(max(4, i)) // in place: no slice header per element
		}
		v.SetLen(i + 1)
		d.path = append(d.path, segment{index: i, isIndex: true})
		d.value(v.Index(i))
		d.path = d.path[:len(d.path)-1]
		if d.stop {
			return
		}
		switch d.ws() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return
		default:
			d.unexpected(`"," or "]"`)
			return
		}
	}
}
