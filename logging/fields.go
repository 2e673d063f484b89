package logging

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Fields is a reusable set of typed fields for Logger.LogFields, the fast
// path for a component that logs many lines of the same shape (the web
// access log). The fields are kept as given and rendered straight into
// text and syslog lines; the JSON line output and loggers made by With get
// them encoded as zerolog would encode them, once per line. Either way the
// lines written are byte for byte those of the equivalent zerolog calls.
//
// The zero value is ready to use; Reset empties it for the next line. A
// Fields is not safe for concurrent use.
type Fields struct {
	vals []fieldVal
	// keys holds, per position, the last key used there with its
	// renderings: a component that logs lines of one shape adds the same
	// keys in the same order, and then renders each key only once.
	keys []fieldKey

	// src and fields are the JSON encoding of vals (as in a zerolog
	// event, members separated by commas) when encoded is true.
	src     []byte
	fields  []field
	encoded bool
}

// fieldVal is one field as given.
type fieldVal struct {
	key  string
	kind uint8
	s    string // kindStr
	n    int64  // kindInt: the value; kindSeconds: nanoseconds; kindFloat: the bits
}

// Kinds of fieldVal.
const (
	kindStr uint8 = iota
	kindInt
	kindSeconds // a time.Duration from 1 µs to under 1 s, see Seconds
	kindFloat   // finite
)

// fieldKey is a key as given, with its JSON encoding (quoted, escaped and
// followed by the colon), the classes of the encoded content, and its SD
// rendering ` key="` when the key is an SD-NAME as it stands.
type fieldKey struct {
	key     string
	encoded []byte
	cl      uint8
	sd      []byte // nil when the key is not a plain SD-NAME
}

// Reset empties f, keeping its memory (and the keys it has rendered).
func (f *Fields) Reset() {
	f.vals = f.vals[:0]
	f.src = f.src[:0]
	f.fields = f.fields[:0]
	f.encoded = false
}

// Str adds a string field, as zerolog's Event.Str.
func (f *Fields) Str(key, val string) *Fields {
	f.add(fieldVal{key: key, kind: kindStr, s: val})
	return f
}

// Int64 adds an integer field, as zerolog's Event.Int64 (and Int).
func (f *Fields) Int64(key string, val int64) *Fields {
	f.add(fieldVal{key: key, kind: kindInt, n: val})
	return f
}

// Float64 adds a floating-point field, as zerolog's Event.Float64 with its
// default precision: the shortest representation, exponent form below 1e-6
// and from 1e21, NaN and infinities as the strings "NaN", "+Inf", "-Inf".
func (f *Fields) Float64(key string, val float64) *Fields {
	switch {
	case math.IsNaN(val):
		return f.Str(key, "NaN")
	case math.IsInf(val, 1):
		return f.Str(key, "+Inf")
	case math.IsInf(val, -1):
		return f.Str(key, "-Inf")
	}
	f.add(fieldVal{key: key, kind: kindFloat, n: int64(math.Float64bits(val))})
	return f
}

// Seconds adds a duration in seconds, the same text as
// Float64(key, d.Seconds()). Durations from 1 µs to under 1 s, the usual
// request times, are written from the integer nanoseconds without
// floating-point formatting: below one second Seconds() is the double
// nearest to d/1e9, whose shortest form is those nine digits without
// trailing zeros.
func (f *Fields) Seconds(key string, d time.Duration) *Fields {
	if d < time.Microsecond || d >= time.Second {
		return f.Float64(key, d.Seconds())
	}
	f.add(fieldVal{key: key, kind: kindSeconds, n: int64(d)})
	return f
}

// add appends v; an encoding made for an earlier line is out of date.
func (f *Fields) add(v fieldVal) {
	f.vals = append(f.vals, v)
	f.encoded = false
}

// appendValue appends a non-string value's text, the same in JSON and in
// an SD-PARAM.
func appendValue(dst []byte, v *fieldVal) []byte {
	switch v.kind {
	case kindInt:
		if v.n >= 0 && v.n < 10000 {
			return appendSmall(dst, uint32(v.n))
		}
		return strconv.AppendInt(dst, v.n, 10)
	case kindSeconds:
		return appendSeconds(dst, v.n)
	}
	return appendFloat(dst, math.Float64frombits(uint64(v.n)))
}

// appendSmall appends n, below 10000, in decimal (HTTP statuses, most
// response sizes).
func appendSmall(dst []byte, n uint32) []byte {
	switch {
	case n < 10:
		return append(dst, byte('0'+n))
	case n < 100:
		return append(dst, digitPairs[2*n], digitPairs[2*n+1])
	case n < 1000:
		q := n / 100
		r := 2 * (n - q*100)
		return append(dst, byte('0'+q), digitPairs[r], digitPairs[r+1])
	}
	q := n / 100
	h, r := 2*q, 2*(n-q*100)
	return append(dst, digitPairs[h], digitPairs[h+1], digitPairs[r], digitPairs[r+1])
}

// appendSeconds appends "0." and the nine digits of ns (below 1e9)
// without trailing zeros.
func appendSeconds(dst []byte, ns int64) []byte {
	var digits [11]byte // "0." and nine digits
	digits[0], digits[1] = '0', '.'
	n := uint32(ns)
	for i := 9; i >= 3; i -= 2 {
		q := n / 100
		r := 2 * (n - q*100)
		digits[i], digits[i+1] = digitPairs[r], digitPairs[r+1]
		n = q
	}
	digits[2] = byte('0' + n)
	end := len(digits)
	for digits[end-1] == '0' {
		end--
	}
	return append(dst, digits[:end]...)
}

// appendFloat appends a finite float as zerolog writes it.
func appendFloat(dst []byte, val float64) []byte {
	format := byte('f')
	if abs := math.Abs(val); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, val, format, -1, 64)
	if n := len(dst); format == 'e' && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1] // e-07 -> e-7, as zerolog writes it
		dst = dst[:n-1]
	}
	return dst
}

// key returns the renderings of the key at position i. A key from the
// same call site as the last line's is the same string, found by its
// pointer without calling newKey.
func (f *Fields) key(i int, key string) *fieldKey {
	if i < len(f.keys) {
		if k := &f.keys[i]; len(k.key) == len(key) && unsafe.StringData(k.key) == unsafe.StringData(key) && k.encoded != nil {
			return k
		}
	}
	return f.newKey(i, key)
}

// newKey returns the renderings of the key at position i, making them
// when the key there changed.
func (f *Fields) newKey(i int, key string) *fieldKey {
	for i >= len(f.keys) {
		f.keys = append(f.keys, fieldKey{})
	}
	k := &f.keys[i]
	if k.encoded != nil && k.key == key {
		k.key = key // the same text from elsewhere: its pointer next time
		return k
	}
	k.key = key
	k.encoded, k.cl = f.appendString(k.encoded[:0], key)
	k.encoded = append(k.encoded, ':')
	// The rule appendSD applies to an encoded key: plain, 1 to 32 bytes.
	if k.cl&(clEscape|clNotName) == 0 && len(key) > 0 && len(key) <= 32 {
		k.sd = append(append(append(k.sd[:0], ' '), key...), '=', '"')
	} else {
		k.sd = nil
	}
	return k
}

// encode fills src and fields with the JSON encoding of the values, once
// per line.
func (f *Fields) encode() {
	if f.encoded {
		return
	}
	f.encoded = true
	f.src, f.fields = f.src[:0], f.fields[:0]
	for i := range f.vals {
		v := &f.vals[i]
		if i > 0 {
			f.src = append(f.src, ',') // as in an object: the JSON line output copies the members whole
		}
		k := f.key(i, v.key)
		ks := len(f.src) + 1
		f.src = append(f.src, k.encoded...)
		fd := field{k0: uint32(ks), k1: uint32(len(f.src) - 2), kcl: k.cl}
		vs := len(f.src)
		if v.kind == kindStr {
			f.src, fd.vcl = f.appendString(f.src, v.s)
			fd.v0, fd.v1, fd.str = uint32(vs+1), uint32(len(f.src)-1), true
		} else {
			f.src = appendValue(f.src, v)
			fd.v0, fd.v1 = uint32(vs), uint32(len(f.src))
		}
		f.fields = append(f.fields, fd)
	}
}

// appendSD appends the SD element "[id k="v" ...]" of the fields, preceded
// by a space when spaced, straight from the values, and reports whether it
// could: keys that are not SD-NAMEs as they stand and strings with bytes
// that zerolog escapes or that an SD-PARAM value escapes go the long way,
// through the JSON encoding (then nothing is appended).
func (f *Fields) appendSD(dst []byte, id string, spaced bool) ([]byte, bool) {
	if len(f.vals) == 0 {
		return dst, true
	}
	mark := len(dst)
	if spaced {
		dst = append(dst, ' ')
	}
	dst = append(dst, '[')
	dst = append(dst, id...)
	for i := range f.vals {
		v := &f.vals[i]
		k := f.key(i, v.key)
		if k.sd == nil {
			return dst[:mark], false
		}
		dst = append(dst, k.sd...)
		if v.kind == kindStr {
			s := v.s
			for j := 0; j < len(s); j++ {
				if byteClass[s[j]]&(clJSON|clBracket) != 0 {
					return dst[:mark], false
				}
			}
			dst = append(dst, s...)
		} else {
			dst = appendValue(dst, v)
		}
		dst = append(dst, '"')
	}
	return append(dst, ']'), true
}

// record returns r with the fields of f encoded as JSON in it.
func (f *Fields) record(r *record) record {
	f.encode()
	d := *r
	d.typed = nil
	d.src, d.fields = f.src, f.fields
	return d
}

// appendString appends s quoted and escaped as zerolog does, and returns
// the byte classes of the escaped content (see scanString). Plain ASCII,
// the usual case, is classed in the same pass that checks it.
func (f *Fields) appendString(dst []byte, s string) ([]byte, uint8) {
	var cl uint8
	for i := 0; i < len(s); i++ {
		t := byteClass[s[i]]
		if t&clJSON != 0 {
			start := len(dst)
			dst = appendZerologString(dst, s)
			_, cl = scanString(dst, start)
			return dst, cl
		}
		cl |= t
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), cl
}

// appendZerologString appends s as a quoted JSON string escaped exactly as
// zerolog escapes it: `"` and `\` with a backslash, \b \f \n \r \t, other
// bytes below 0x20 and 0x7f as \u00XX, invalid UTF-8 as \ufffd.
func appendZerologString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c >= utf8.RuneSelf {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// LogFields writes one line at level lv with the fields of f and the
// message msg (none when empty) when lv passes the threshold. The line is
// the one the equivalent zerolog calls (Str, Int64, Float64 in the same
// order, then Msg) would write. A logger made by With falls back to a
// zerolog event so that its context fields come first, as usual.
func (l *Logger) LogFields(lv Level, msg string, f *Fields) {
	l.LogFieldsAt(time.Time{}, lv, msg, f)
}

// LogFieldsAt is LogFields with the line's time stamp given: t instead of
// the pipeline's clock (the zero t means the clock). A component that
// writes lines after the fact, such as the web access log's batch writer,
// stamps each with the time of its event. A logger made by With stamps
// its lines from the clock.
func (l *Logger) LogFieldsAt(t time.Time, lv Level, msg string, f *Fields) {
	if !lv.valid() || !l.Enabled(lv) {
		return
	}
	if l.ctx {
		l.logFieldsEvent(lv, msg, f)
		return
	}
	if msg == "" {
		current.Load().writeRecord(record{t: t, level: lv, name: l.name, typed: f})
		return
	}
	f.encode()
	mark := len(f.src)
	f.src = appendZerologString(f.src, msg)
	current.Load().writeRecord(record{src: f.src, t: t, level: lv, name: l.name, msg: f.src[mark+1 : len(f.src)-1], fields: f.fields})
	f.src = f.src[:mark]
}

// logFieldsEvent writes f through a zerolog event of l, for a logger with
// context fields.
func (l *Logger) logFieldsEvent(lv Level, msg string, f *Fields) {
	f.encode()
	ev := l.zl[lv].Log()
	for i, fd := range f.fields {
		ev = ev.RawJSON(f.keys[i].key, rawValue(f.src, fd))
	}
	ev.Msg(msg)
}

// rawValue returns fd's value as JSON text (quoted when it is a string).
func rawValue(src []byte, fd field) []byte {
	if fd.str {
		return src[fd.v0-1 : fd.v1+1]
	}
	return src[fd.v0:fd.v1]
}
