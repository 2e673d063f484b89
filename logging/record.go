package logging

import (
	"time"

	"github.com/rs/zerolog"
)

// record is one log line as every renderer takes it: time, level, logger
// name, message and structured fields. An output fills it from the JSON of
// a Logger's zerolog event (parse); the slog handler and the access log write
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

// byteClass holds the classes of every byte; it is built once and only
// read.
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
// to fields); see (*record).parse.
func parseEvent(p []byte, fields []field) (msg []byte, raw, plain bool, out []field) {
	r := record{src: p, fields: fields}
	r.parse()
	return r.msg, r.msgRaw, r.msgPlain, r.fields
}

// parse decodes r.src, a zerolog event, into r's message and fields
// (appended to r.fields). The decoder knows the shape zerolog writes: one
// flat object with no white space between its tokens, keys and string
// values escaped by zerolog, nested values only from Interface, Dict,
// arrays or RawJSON, a newline at the end. Input of any other shape
// becomes the message as it stands (msgRaw), so nothing is ever lost.
func (r *record) parse() {
	if !r.parseObject() {
		r.msg, r.msgRaw, r.msgPlain, r.fields = trimNewline(r.src), true, true, r.fields[:0]
	}
}

// parseObject does parse's work. Few values stay live across its loops,
// so that the compiler keeps them in registers (with more, it reloads
// spilled ones once per byte): the fields go straight into r.
func (r *record) parseObject() bool {
	p := trimNewline(r.src)
	r.msg, r.msgRaw, r.msgPlain = nil, false, true
	if len(p) < 2 || p[0] != '{' {
		return false
	}
	if len(p) == 2 {
		return p[1] == '}'
	}
	for i := 1; i < len(p) && p[i] == '"'; {
		ks := i + 1
		ke, kc := stringEnd(p, ks)
		if ke < 0 || ke+2 >= len(p) || p[ke+1] != ':' {
			return false
		}
		i = ke + 2
		f := field{k0: uint32(ks), k1: uint32(ke), name: kc&(cName|cEnd) == 0 && ke > ks && ke-ks <= 32}
		var vc uint8
		if f.str = p[i] == '"'; f.str {
			ve, c := stringEnd(p, i+1)
			f.v0, f.v1, i, vc = uint32(i+1), uint32(ve), ve+1, c
		} else if c := p[i]; c == '{' || c == '[' {
			ve, c := valueEnd(p, i)
			f.v0, f.v1, i, vc = uint32(i), uint32(ve), ve, c
		} else { // a number, true, false or null, scanned here: no call
			f.v0 = uint32(i)
			for i < len(p) && byteClass[p[i]]&cStop == 0 {
				vc |= byteClass[p[i]]
				i++
			}
			if f.v1 = uint32(i); f.v1 == f.v0 {
				return false
			}
		}
		if i <= 0 || i >= len(p) {
			return false
		}
		f.plain = vc&cSD == 0
		if f.str && string(p[ks:ke]) == zerolog.MessageFieldName {
			r.msg, r.msgPlain = p[f.v0:f.v1], vc&cEnd == 0
		} else {
			r.fields = append(r.fields, f)
		}
		if p[i] == ',' {
			i++
			continue
		}
		return p[i] == '}' && i == len(p)-1
	}
	return false
}

// stringEnd returns the index of the quote closing the string whose
// content starts at p[i], or -1, and the byte classes found in it (an
// escape counts as cEnd and cSD).
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

// valueEnd returns the index just past the JSON object or array that
// starts at p[i], or -1, and the byte classes found in it.
func valueEnd(p []byte, i int) (int, uint8) {
	var cl uint8
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
