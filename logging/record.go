package logging

import (
	"time"

	"github.com/rs/zerolog"
)

// field is one structured-data item of a record. key is the JSON-escaped
// key; val is the JSON-escaped string content when str is true and the raw
// JSON text (number, bool, null, object, array) otherwise.
// Offsets point into the record's src, keeping a field at 20 bytes so a
// stack array of them is cheap to clear.
type field struct {
	k0, k1, v0, v1 uint32
	str            bool
	// kcl and vcl are the byte classes (see scanString) found in the key
	// and in the value (a string's escaped content), so that rendering can
	// copy plain text without scanning it again.
	kcl, vcl uint8
}

// Byte classes gathered while a JSON string or value is scanned.
const (
	clEscape  uint8 = 1 << iota // a backslash: the text holds escapes
	clBracket                   // ']', escaped in an SD-PARAM value
	clNotName                   // a byte an RFC 5424 SD-NAME cannot hold
	clQuote                     // '"' (in a value other than a string), escaped in an SD-PARAM value
	clJSON                      // a byte zerolog escapes in a string (or checks as UTF-8): below 0x20, '"', '\\', 0x7f and up
)

// clSDValue are the classes that keep a value from being copied into an
// SD-PARAM value as it stands.
const clSDValue = clEscape | clBracket | clQuote

// byteClass maps a byte to its classes. It is a constant table, filled once.
var byteClass = func() (t [256]uint8) {
	for c := range t {
		if !sdNameByte(byte(c)) {
			t[c] |= clNotName
		}
		if c < 0x20 || c >= 0x7f {
			t[c] |= clJSON
		}
	}
	t['\\'] |= clEscape | clJSON
	t['"'] |= clQuote | clJSON
	t[']'] |= clBracket
	return t
}()

// bytesClass returns the classes of every byte of p.
func bytesClass(p []byte) uint8 {
	var cl uint8
	for _, c := range p {
		cl |= byteClass[c]
	}
	return cl
}

// scanString returns the index of the quote closing the string opening at
// p[i] (or -1) and the classes of the bytes before it. An escaped byte
// counts only as clEscape.
func scanString(p []byte, i int) (int, uint8) {
	var cl uint8
	for j := i + 1; j < len(p); j++ {
		c := p[j]
		if c == '"' {
			return j, cl
		}
		cl |= byteClass[c]
		if c == '\\' {
			j++
		}
	}
	return -1, cl
}

// record is one log line, decoded from zerolog's JSON once and rendered by
// every output. Its slices point into the event buffer, which is only valid
// during the write call.
type record struct {
	src   []byte // the event the fields point into
	t     time.Time
	level Level
	name  string
	// msg is the message; JSON-escaped unless msgRaw.
	msg    []byte
	msgRaw bool
	fields []field
	// undecoded: src is a zerolog event whose message and fields are not
	// split out yet (msg and fields are empty). Renderers that can work
	// from the event directly do; the others render a decoded copy.
	undecoded bool
	// typed: the fields are these, as given to Logger.LogFields, and src,
	// msg and fields are empty. The SD renderings take them as they are;
	// the others render a copy with them encoded (Fields.record).
	typed *Fields
}

// decoded returns r with its event split into message and fields
// (appended to fields), or r itself when it is decoded already or its
// fields are typed (every renderer takes those). It
// returns a copy rather than decoding in place so that the fields can stay
// in the caller's stack array: a store through r would move them to the
// heap.
func (r *record) decoded(fields []field) record {
	d := *r
	if d.undecoded {
		d.msg, d.msgRaw, d.fields = parseEvent(d.src, fields)
		d.undecoded = false
	}
	return d
}

// parseEvent decodes a zerolog JSON object such as
// {"k":"v","n":5,"message":"text"}\n into its message and fields (appended
// to fields). Input that is not such an object becomes the message,
// unescaped (raw), so nothing is ever lost. It returns rather than stores
// through a pointer so a caller's field array can stay on the stack.
func parseEvent(p []byte, fields []field) (msg []byte, raw bool, out []field) {
	msg, out, ok := parseObject(p, fields)
	if !ok {
		return trimNewline(p), true, fields[:0]
	}
	return msg, false, out
}

func parseObject(p []byte, fields []field) ([]byte, []field, bool) {
	var msg []byte
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '{' {
		return nil, fields, false
	}
	i++
	msgKey := zerolog.MessageFieldName
	for {
		i = skipSpace(p, i)
		if i >= len(p) {
			return nil, fields, false
		}
		switch p[i] {
		case '}':
			return msg, fields, skipSpace(p, i+1) == len(p)
		case ',':
			i++
			continue
		case '"':
		default:
			return nil, fields, false
		}
		ke, kcl := scanString(p, i)
		if ke < 0 {
			return nil, fields, false
		}
		ks := i + 1
		key := p[ks:ke]
		i = skipSpace(p, ke+1)
		if i >= len(p) || p[i] != ':' {
			return nil, fields, false
		}
		i = skipSpace(p, i+1)
		if i >= len(p) {
			return nil, fields, false
		}
		var vcl uint8
		var ve int
		if p[i] == '"' {
			ve, vcl = scanString(p, i)
			ve++ // past the quote; -1 stays below i
		} else {
			ve = valueEnd(p, i)
		}
		if ve <= i {
			return nil, fields, false
		}
		if p[i] == '"' {
			if string(key) == msgKey {
				msg = p[i+1 : ve-1]
			} else {
				fields = append(fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(i + 1), v1: uint32(ve - 1), str: true, kcl: kcl, vcl: vcl})
			}
		} else {
			fields = append(fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(i), v1: uint32(ve), kcl: kcl, vcl: bytesClass(p[i:ve])})
		}
		i = ve
	}
}

func skipSpace(p []byte, i int) int {
	for i < len(p) && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote closing the string opening at
// p[i], or -1.
func stringEnd(p []byte, i int) int {
	for j := i + 1; j < len(p); j++ {
		switch p[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at p[i], or -1.
func valueEnd(p []byte, i int) int {
	if i >= len(p) {
		return -1
	}
	switch p[i] {
	case '"':
		e := stringEnd(p, i)
		if e < 0 {
			return -1
		}
		return e + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(p); j++ {
			switch p[j] {
			case '"':
				j = stringEnd(p, j)
				if j < 0 {
					return -1
				}
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(p) && p[j] != ',' && p[j] != '}' && p[j] != ' ' && p[j] != '\n' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}

// key returns the JSON-escaped key of f.
func (r *record) key(f field) []byte { return r.src[f.k0:f.k1] }

// val returns the value of f: JSON-escaped string content when f.str, raw
// JSON text otherwise.
func (r *record) val(f field) []byte { return r.src[f.v0:f.v1] }

// fieldSpan returns the bounds of the fields' members in src when they
// stand there exactly as the JSON line output writes them, one after
// another with single commas between and nothing else (as zerolog encodes
// them: "k":"v","n":5), so the output can copy them in one piece.
func (r *record) fieldSpan() (start, end int, ok bool) {
	for i, f := range r.fields {
		s, vs := int(f.k0)-1, int(f.k1)+2 // opening quote of the key; the value after `":`
		e := int(f.v1)
		if f.str {
			vs++
			e++
		}
		if int(f.v0) != vs || (i > 0 && (s != end+1 || r.src[end] != ',')) {
			return 0, 0, false
		}
		if i == 0 {
			start = s
		}
		end = e
	}
	return start, end, len(r.fields) > 0
}
