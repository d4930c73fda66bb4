package jsonstrict

// DecodeOpen decodes one JSON value from data into v as Decode does, but ignores object members v
// has no field for: for formats a third party extends (Microsoft's endpoint lists), where a new
// field must not stop a reader. Repeated keys and trailing data are still errors.
func DecodeOpen(data []byte, v any) error {
	t, err := Text(data)
	if err != nil {
		return Errors{{Line: 1, Column: 1, Msg: err.Error()}}
	}
	d := newDecoder(t)
	d.open = true
	d.decode(v)
	if len(d.errs) > 0 {
		return d.errs
	}
	return nil
}
