package logging

import (
	"time"

	"github.com/rs/zerolog"
)

// record is one log line as every renderer takes it: time, level, logger
// name, message and structured fields. Logger fills it from the JSON of a
// zerolog event (parseEvent); the slog handler and the access log write
// zerolog events too, so this is the one way a line comes in. Its slices
// point into the event's buffer and are valid only during the write call.
type record struct {
	src   []byte // the event the fields point into
	t     time.Time
	level Level
	name  string
	// msg is the message, JSON-escaped unless msgRaw (input that was not
	// a JSON object becomes the message as it stands).
	msg      []byte
	msgRaw   bool
	msgPlain bool // msg holds no backslash: nothing to decode
	fields   []field
}

// field is one structured field: offsets into the record's src of the
// JSON-escaped key and of the value, which is the JSON-escaped content of
// a string when str is true and raw JSON text (number, bool, null, object,
// array) otherwise. The parse also finds out what the renderers would
// otherwise scan for again: plain says the value holds no backslash and
// no '"' or ']' (it goes into every format as it stands), name that the
// key is a valid RFC 5424 SD-NAME as it stands.
type field struct {
	k0, k1, v0, v1 uint32
	str, plain     bool
	name           bool
}

// key returns the JSON-escaped key of f.
func (r *record) key(f field) []byte { return r.src[f.k0:f.k1] }

// val returns the value of f as described at field.
func (r *record) val(f field) []byte { return r.src[f.v0:f.v1] }

// Byte classes, for the one scan of an event that finds where its strings
// end and what its keys and values would need in the formats.
const (
	cEnd  = 1 << iota // '"' or '\\': ends a string's plain run
	cSD               // '"', '\\' or ']': escaped in an RFC 5424 PARAM-VALUE
	cName             // not allowed in an SD-NAME: space, control, non-ASCII, '=', ']', '"'
	cStop             // ',', '}', ']', whitespace: ends a number, true, false or null
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		if c <= ' ' || c >= 0x7f || c == '=' || c == ']' || c == '"' {
			t[c] |= cName
		}
		if c <= ' ' || c == ',' || c == '}' || c == ']' {
			t[c] |= cStop
		}
	}
	t['"'] |= cEnd | cSD
	t['\\'] |= cEnd | cSD
	t[']'] |= cSD
	return t
}()

// parseEvent decodes a zerolog event such as
// {"k":"v","n":5,"message":"text"}\n into its message and fields (appended
// to fields). The decoder knows the shape zerolog writes (one flat object,
// keys and string values escaped by zerolog, nested values only from
// Interface, Dict, arrays or RawJSON) and is lenient about white space.
// Input that is not such an object becomes the message as it stands
// (raw), so nothing is ever lost. It returns rather than stores through a
// pointer so a caller's field array can stay on the stack.
func parseEvent(p []byte, fields []field) (msg []byte, raw, plain bool, out []field) {
	msg, plain, out, ok := parseObject(p, fields)
	if !ok {
		return trimNewline(p), true, true, fields[:0]
	}
	return msg, false, plain, out
}

func parseObject(p []byte, fields []field) ([]byte, bool, []field, bool) {
	m0, m1, mc := 0, 0, uint8(0) // the message, p[m0:m1], and its byte classes
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '{' {
		return nil, false, fields, false
	}
	if i = skipSpace(p, i+1); i < len(p) && p[i] == '}' {
		return nil, true, fields, skipSpace(p, i+1) == len(p)
	}
	for i < len(p) && p[i] == '"' {
		ks := i + 1
		ke, kc := stringEnd(p, ks)
		if ke < 0 {
			break
		}
		if i = skipSpace(p, ke+1); i >= len(p) || p[i] != ':' {
			break
		}
		if i = skipSpace(p, i+1); i >= len(p) {
			break
		}
		vs, ve, vc, str := i, 0, uint8(0), p[i] == '"'
		if str {
			vs++
			ve, vc = stringEnd(p, vs)
			i = ve + 1
		} else {
			ve, vc = valueEnd(p, vs)
			i = ve
		}
		if ve < 0 {
			break
		}
		if str && string(p[ks:ke]) == zerolog.MessageFieldName {
			m0, m1, mc = vs, ve, vc
		} else {
			fields = append(fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(vs), v1: uint32(ve),
				str: str, plain: vc&cSD == 0, name: kc&(cName|cEnd) == 0 && ke > ks && ke-ks <= 32})
		}
		if i = skipSpace(p, i); i < len(p) && p[i] == ',' {
			i = skipSpace(p, i+1)
			continue
		}
		if i < len(p) && p[i] == '}' && skipSpace(p, i+1) == len(p) {
			return p[m0:m1], mc&cEnd == 0, fields, true
		}
		break
	}
	return nil, false, fields, false
}

// skipSpace returns the index of the first byte from p[i] on that is not
// white space (or a control character, which zerolog never writes there).
func skipSpace(p []byte, i int) int {
	for i < len(p) && p[i] <= ' ' {
		i++
	}
	return i
}

// stringEnd returns the index of the quote closing the string whose
// content starts at p[i], or -1, and the byte classes found in it (an
// escape counts as cEnd and cSD). It stays out of line: inlined into
// parseObject, its loop reloads the caller's spilled values per byte.
//
//go:noinline
func stringEnd(p []byte, i int) (int, uint8) {
	var cl uint8
	for ; i < len(p); i++ {
		c := byteClass[p[i]]
		if c&cEnd != 0 {
			if p[i] == '"' {
				return i, cl
			}
			i++ // the escaped byte
		}
		cl |= c
	}
	return -1, cl
}

// valueEnd returns the index just past the JSON value other than a string
// that starts at p[i], or -1, and the byte classes found in it.
func valueEnd(p []byte, i int) (int, uint8) {
	var cl uint8
	if c := p[i]; c != '{' && c != '[' {
		j := i
		for j < len(p) && byteClass[p[j]]&cStop == 0 {
			cl |= byteClass[p[j]]
			j++
		}
		if j == i {
			return -1, cl
		}
		return j, cl
	}
	depth := 0
	for j := i; j < len(p); j++ {
		switch c := p[j]; c {
		case '"':
			e, sc := stringEnd(p, j+1)
			if e < 0 {
				return -1, cl
			}
			cl |= sc | cSD
			j = e
		case '{', '[':
			depth++
		case '}', ']':
			cl |= byteClass[c]
			if depth--; depth == 0 {
				return j + 1, cl
			}
		}
	}
	return -1, cl
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}
