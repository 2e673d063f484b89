package logging

import (
	"bytes"
	"encoding/json"
)

// unescape returns the JSON-escaped string content s decoded. zerolog
// escapes little (quotes, backslashes, control characters), so only the
// rare string that holds an escape pays for decoding it.
func unescape(s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return s
	}
	var v string
	if json.Unmarshal(append(append([]byte{'"'}, s...), '"'), &v) != nil {
		return s
	}
	return []byte(v)
}

// appendMessage appends the record's message, decoded.
func appendMessage(dst []byte, r *record) []byte {
	if r.msgRaw || r.msgPlain {
		return append(dst, r.msg...)
	}
	return append(dst, unescape(r.msg)...)
}

// appendSDValue appends a field value as RFC 5424 PARAM-VALUE content
// (section 6.3.3), where '"', '\' and ']' take a backslash. A string comes
// JSON-escaped from zerolog, which writes '"' and '\' as \" and \\ already
// and control characters as \n, \t, \u0001 (kept, so a value never breaks
// the line): only ']' needs escaping. Other JSON values (numbers, objects,
// arrays) are JSON text, escaped.
func appendSDValue(dst, v []byte, str bool) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case str && c == '\\' && i+1 < len(v):
			dst = append(dst, c, v[i+1])
			i++
		case c == '"' || c == '\\' || c == ']':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendSDName appends the JSON-escaped key s as a valid RFC 5424
// SD-NAME: 1 to 32 printable US-ASCII characters other than '=', ' ', ']'
// and '"'. Any other byte becomes '_'; the result is cut to 32 bytes; an
// empty name becomes "_".
func appendSDName(dst, s []byte) []byte {
	if len(s) > 0 && len(s) <= 32 && validSDName(s) {
		return append(dst, s...) // the usual key, as it stands
	}
	start := len(dst)
	for _, c := range unescape(s) {
		if len(dst)-start == 32 {
			break
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
func validSDName[T string | []byte](s T) bool {
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
	src := r.src
	for _, f := range r.fields {
		k, v := src[f.k0:f.k1], src[f.v0:f.v1]
		dst = append(dst, ' ')
		if f.name {
			dst = append(dst, k...)
		} else {
			dst = appendSDName(dst, k)
		}
		dst = append(dst, '=', '"')
		if f.plain {
			dst = append(dst, v...)
		} else {
			dst = appendSDValue(dst, v, f.str)
		}
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

// appendJSONString appends s as JSON string content (without quotes), as
// encoding/json writes it (without HTML escaping). Only rare paths use it.
func appendJSONString(dst, s []byte) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(string(s))
	q := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return append(dst, q[1:len(q)-1]...)
}
