package logging

import (
	"bytes"
	"unicode/utf8"
)

// decodeEscape decodes the JSON escape starting at s[i] == '\\' and returns
// the rune and the index just past the escape. A malformed escape yields the
// backslash itself.
func decodeEscape(s []byte, i int) (rune, int) {
	if i+1 >= len(s) {
		return '\\', i + 1
	}
	switch s[i+1] {
	case '"', '\\', '/':
		return rune(s[i+1]), i + 2
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
		r, ok := hex4(s, i+2)
		if !ok {
			return '\\', i + 1
		}
		j := i + 6
		if r >= 0xD800 && r < 0xDC00 && j+6 <= len(s) && s[j] == '\\' && s[j+1] == 'u' {
			if lo, ok := hex4(s, j+2); ok && lo >= 0xDC00 && lo < 0xE000 {
				return (r-0xD800)<<10 | (lo - 0xDC00) + 0x10000, j + 6
			}
		}
		if r >= 0xD800 && r < 0xE000 {
			return utf8.RuneError, j
		}
		return r, j
	}
	return '\\', i + 1
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// appendUnescaped appends the JSON-escaped string content s decoded.
func appendUnescaped(dst, s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		r, j := decodeEscape(s, i)
		dst = utf8.AppendRune(dst, r)
		i = j
	}
	return dst
}

// appendMessage appends the record's message, decoded.
func appendMessage(dst []byte, r *record) []byte {
	if r.msgRaw {
		return append(dst, r.msg...)
	}
	return appendUnescaped(dst, r.msg)
}

// appendSDValue appends a field value as an RFC 5424 PARAM-VALUE content
// (section 6.3.3): '"', '\' and ']' are escaped with a backslash. A JSON
// string is decoded first; control characters stay in their JSON escaped
// form (\n, \t, \u0001) so a value never breaks the line. Other JSON values
// (numbers, objects, arrays) are written as their JSON text, escaped.
func appendSDValue(dst, v []byte, str bool) []byte {
	if plainSD(v) {
		return append(dst, v...)
	}
	if !str {
		return appendSDEscaped(dst, v)
	}
	for i := 0; i < len(v); {
		c := v[i]
		if c != '\\' {
			if c == ']' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, j := decodeEscape(v, i)
		switch {
		case r < 0x20 || r == 0x7f:
			dst = append(dst, v[i:j]...) // keep \n, \t, \u0001 readable
		case r == '"' || r == '\\' || r == ']':
			dst = append(dst, '\\', byte(r))
		default:
			dst = utf8.AppendRune(dst, r)
		}
		i = j
	}
	return dst
}

// appendSDEscaped appends raw text escaping '"', '\' and ']'.
func appendSDEscaped(dst, v []byte) []byte {
	for _, c := range v {
		if c == '"' || c == '\\' || c == ']' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return dst
}

// appendSDName appends s as a valid RFC 5424 SD-NAME: 1 to 32 printable
// US-ASCII characters other than '=', ' ', ']' and '"'. Any other byte
// becomes '_'; the result is cut to 32 bytes; an empty name becomes "_".
// s is a JSON-escaped key, so escapes are decoded first.
func appendSDName(dst, s []byte) []byte {
	if len(s) > 0 && len(s) <= 32 && validSDName(string(s)) {
		return append(dst, s...)
	}
	start := len(dst)
	for i := 0; i < len(s) && len(dst)-start < 32; {
		c := s[i]
		if c == '\\' {
			r, j := decodeEscape(s, i)
			i = j
			if r < 0x80 {
				c = byte(r)
			} else {
				c = 0
			}
		} else {
			i++
		}
		if !sdNameByte(c) {
			c = '_'
		}
		dst = append(dst, c)
	}
	if len(dst) == start {
		dst = append(dst, '_')
	}
	return dst
}

func sdNameByte(c byte) bool {
	return c > 32 && c < 127 && c != '=' && c != ']' && c != '"'
}

// validSDName reports whether s is a valid SD-NAME as it stands.
func validSDName(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !sdNameByte(s[i]) {
			return false
		}
	}
	return true
}

// appendSD appends "[id k="v" ...]" for the record's fields, nothing when
// there are none.
func appendSD(dst []byte, id string, r *record) []byte {
	if len(r.fields) == 0 {
		return dst
	}
	dst = append(dst, '[')
	dst = append(dst, id...)
	for _, f := range r.fields {
		dst = append(dst, ' ')
		dst = appendSDName(dst, r.key(f))
		dst = append(dst, '=', '"')
		dst = appendSDValue(dst, r.val(f), f.str)
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

// appendJSONString appends s as JSON string content (without quotes).
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
		i++
	}
	return dst
}

// plainSD reports whether v needs no escaping or decoding as a PARAM-VALUE.
func plainSD(v []byte) bool {
	for _, c := range v {
		if c == '\\' || c == '"' || c == ']' {
			return false
		}
	}
	return true
}
