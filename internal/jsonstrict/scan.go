package jsonstrict

import (
	"fmt"
	"unicode/utf8"
)

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// syntax records a syntax error at off and stops the decoder.
func (d *decoder) syntax(off int, format string, args ...any) {
	d.addAt(off, "", fmt.Sprintf(format, args...))
	d.stop = true
}

// ws skips white space and returns the next byte, or 0 at the end (d.pos tells a NUL byte
// from the end).
func (d *decoder) ws() byte {
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; c {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return c
		}
	}
	return 0
}

// unexpected reports the byte at d.pos (or the end of the input) where want was expected.
func (d *decoder) unexpected(want string) {
	if d.pos >= len(d.data) {
		d.syntax(d.pos, "the file ends where %s was expected", want)
		return
	}
	d.syntax(d.pos, "%s where %s was expected", quoteByte(d.data[d.pos]), want)
}

// scanString scans the string starting at d.pos (a '"') and returns its raw extent (quotes
// included) and whether it holds escapes or bytes that need decoding.
func (d *decoder) scanString() (start, end int, complex bool, ok bool) {
	start = d.pos
	i := d.pos + 1
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return start, d.pos, complex, true
		case c == '\\':
			complex = true
			if i+1 >= len(d.data) {
				i++
				continue
			}
			switch d.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(d.data) || !isHex(d.data[k]) {
						d.syntax(i, "\\u must be followed by four hexadecimal digits")
						return start, i, false, false
					}
				}
				i += 6
			default:
				d.syntax(i, "invalid escape \\%c in a string", d.data[i+1])
				return start, i, false, false
			}
		case c < 0x20:
			d.syntax(i, "control character %s inside a string (write it as \\u%04x)", quoteByte(c), c)
			return start, i, false, false
		case c >= utf8.RuneSelf:
			complex = true
			i++
		default:
			i++
		}
	}
	d.syntax(start, "string not closed: the file ends before its closing quote")
	return start, len(d.data), false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// scanNumber scans a JSON number at d.pos and returns its text.
func (d *decoder) scanNumber() (string, bool) {
	start := d.pos
	i := d.pos
	digits := func() int {
		n := 0
		for i < len(d.data) && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	switch {
	case i < len(d.data) && d.data[i] == '0':
		i++
	case digits() == 0:
		d.pos = i
		d.unexpected("a digit")
		return "", false
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		if digits() == 0 {
			d.pos = i
			d.unexpected("a digit after the decimal point")
			return "", false
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.pos = i
			d.unexpected("a digit in the exponent")
			return "", false
		}
	}
	d.pos = i
	return string(d.data[start:i]), true
}

// literal scans true, false or null at d.pos.
func (d *decoder) literal() (string, bool) {
	for _, w := range []string{"true", "false", "null"} {
		if len(d.data)-d.pos >= len(w) && string(d.data[d.pos:d.pos+len(w)]) == w {
			d.pos += len(w)
			return w, true
		}
	}
	d.unexpected("a value (a string, number, object, list, true, false or null)")
	return "", false
}

// skip scans one value of any kind, checking its syntax, and returns its extent. It keeps its
// own stack so that deep nesting costs no Go stack.
func (d *decoder) skip() (start, end int, ok bool) {
	start = d.pos
	var stack []byte // '{' or '[' per open container
	expectValue := true
	for {
		c := d.ws()
		if expectValue {
			switch {
			case c == '{' || c == '[':
				if len(stack) >= maxDepth {
					d.syntax(d.pos, "nested more than %d levels deep", maxDepth)
					return start, d.pos, false
				}
				stack = append(stack, c)
				d.pos++
				close := byte('}')
				if c == '[' {
					close = ']'
				}
				if d.ws() == close {
					d.pos++
					stack = stack[:len(stack)-1]
					expectValue = false
					break
				}
				if c == '{' {
					if !d.key() {
						return start, d.pos, false
					}
				}
				continue
			case c == '"':
				if _, _, _, ok := d.scanString(); !ok {
					return start, d.pos, false
				}
			case c == '-' || '0' <= c && c <= '9':
				if _, ok := d.scanNumber(); !ok {
					return start, d.pos, false
				}
			default:
				if _, ok := d.literal(); !ok {
					return start, d.pos, false
				}
			}
			expectValue = false
		}
		if len(stack) == 0 {
			return start, d.pos, true
		}
		c = d.ws()
		top := stack[len(stack)-1]
		switch {
		case c == ',':
			d.pos++
			if top == '{' && !d.key() {
				return start, d.pos, false
			}
			expectValue = true
		case top == '{' && c == '}', top == '[' && c == ']':
			d.pos++
			stack = stack[:len(stack)-1]
		case top == '{':
			d.unexpected(`"," or "}"`)
			return start, d.pos, false
		default:
			d.unexpected(`"," or "]"`)
			return start, d.pos, false
		}
	}
}

// key scans an object key and the colon after it, for skip.
func (d *decoder) key() bool {
	if d.ws() != '"' {
		d.unexpected("a key in double quotes")
		return false
	}
	if _, _, _, ok := d.scanString(); !ok {
		return false
	}
	if d.ws() != ':' {
		d.unexpected(`":" after the key`)
		return false
	}
	d.pos++
	return true
}
