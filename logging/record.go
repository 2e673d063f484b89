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
// array) otherwise. plain says the value holds no backslash and no ']', so
// it goes into every format as it stands (the parse found that out; the
// renderers need not scan it again).
type field struct {
	k0, k1, v0, v1 uint32
	str, plain     bool
}

// key returns the JSON-escaped key of f.
func (r *record) key(f field) []byte { return r.src[f.k0:f.k1] }

// val returns the value of f as described at field.
func (r *record) val(f field) []byte { return r.src[f.v0:f.v1] }

// parseEvent decodes a zerolog JSON object such as
// {"k":"v","n":5,"message":"text"}\n into its message and fields (appended
// to fields). Input that is not such an object becomes the message,
// unescaped (raw), so nothing is ever lost. It returns rather than stores
// through a pointer so a caller's field array can stay on the stack.
func parseEvent(p []byte, fields []field) (msg []byte, raw, plain bool, out []field) {
	msg, plain, out, ok := parseObject(p, fields)
	if !ok {
		return trimNewline(p), true, true, fields[:0]
	}
	return msg, false, plain, out
}

func parseObject(p []byte, fields []field) ([]byte, bool, []field, bool) {
	var msg []byte
	msgPlain := true
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '{' {
		return nil, false, fields, false
	}
	for i++; ; {
		i = skipSpace(p, i)
		if i >= len(p) {
			return nil, false, fields, false
		}
		switch p[i] {
		case '}':
			return msg, msgPlain, fields, skipSpace(p, i+1) == len(p)
		case ',':
			i++
			continue
		case '"':
		default:
			return nil, false, fields, false
		}
		ke, _ := stringEnd(p, i)
		if ke < 0 {
			return nil, false, fields, false
		}
		ks := i + 1
		i = skipSpace(p, ke+1)
		if i >= len(p) || p[i] != ':' {
			return nil, false, fields, false
		}
		i = skipSpace(p, i+1)
		if i < len(p) && p[i] == '"' {
			ve, plain := stringEnd(p, i)
			if ve < 0 {
				return nil, false, fields, false
			}
			if string(p[ks:ke]) == zerolog.MessageFieldName {
				msg, msgPlain = p[i+1:ve], plain
			} else {
				fields = append(fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(i + 1), v1: uint32(ve), str: true, plain: plain})
			}
			i = ve + 1
			continue
		}
		ve := valueEnd(p, i)
		if ve < 0 {
			return nil, false, fields, false
		}
		fields = append(fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(i), v1: uint32(ve), plain: plainSD(p[i:ve])})
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
// p[i], or -1, and whether the string holds neither a backslash nor a ']'.
func stringEnd(p []byte, i int) (int, bool) {
	plain := true
	for j := i + 1; j < len(p); j++ {
		switch p[j] {
		case '\\':
			j++
			plain = false
		case ']':
			plain = false
		case '"':
			return j, plain
		}
	}
	return -1, false
}

// valueEnd returns the index just past the JSON value starting at p[i], or -1.
func valueEnd(p []byte, i int) int {
	if i >= len(p) {
		return -1
	}
	switch p[i] {
	case '"':
		if e, _ := stringEnd(p, i); e >= 0 {
			return e + 1
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(p); j++ {
			switch p[j] {
			case '"':
				if j, _ = stringEnd(p, j); j < 0 {
					return -1
				}
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
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
