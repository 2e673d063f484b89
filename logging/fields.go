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
// access log). The fields are encoded as zerolog would encode them and
// indexed as they are added, so the pipeline renders them without building
// a zerolog event and without decoding its JSON again; the lines written
// are byte for byte those of the equivalent zerolog calls.
//
// The zero value is ready to use; Reset empties it for the next line. A
// Fields is not safe for concurrent use.
type Fields struct {
	src    []byte
	fields []field
	// keys holds, per position, the last key added there, as given (for a
	// logger made by With) and encoded: a component that logs lines of one
	// shape adds the same keys in the same order, and then encodes each
	// key only once.
	keys []fieldKey
}

// fieldKey is a key as given, and quoted, escaped and followed by the
// colon as it goes into src, with the classes of its content.
type fieldKey struct {
	key     string
	encoded []byte
	cl      uint8
}

// Reset empties f, keeping its memory (and the keys it has encoded).
func (f *Fields) Reset() {
	f.src = f.src[:0]
	f.fields = f.fields[:0]
}

// Str adds a string field, as zerolog's Event.Str.
func (f *Fields) Str(key, val string) *Fields {
	ks, ke, kcl := f.key(key)
	vs := len(f.src)
	var vcl uint8
	f.src, vcl = f.appendString(f.src, val)
	f.fields = append(f.fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(vs + 1),
		v1: uint32(len(f.src) - 1), str: true, kcl: kcl, vcl: vcl})
	return f
}

// Int64 adds an integer field, as zerolog's Event.Int64 (and Int).
func (f *Fields) Int64(key string, val int64) *Fields {
	ks, ke, kcl := f.key(key)
	vs := len(f.src)
	f.src = strconv.AppendInt(f.src, val, 10)
	f.fields = append(f.fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(vs),
		v1: uint32(len(f.src)), kcl: kcl})
	return f
}

// Float64 adds a floating-point field, as zerolog's Event.Float64 with its
// default precision: the shortest representation, exponent form below 1e-6
// and from 1e21, NaN and infinities as the strings "NaN", "+Inf", "-Inf".
func (f *Fields) Float64(key string, val float64) *Fields {
	var special string
	switch {
	case math.IsNaN(val):
		special = "NaN"
	case math.IsInf(val, 1):
		special = "+Inf"
	case math.IsInf(val, -1):
		special = "-Inf"
	}
	if special != "" {
		return f.Str(key, special)
	}
	ks, ke, kcl := f.key(key)
	vs := len(f.src)
	format := byte('f')
	if abs := math.Abs(val); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	f.src = strconv.AppendFloat(f.src, val, format, -1, 64)
	if n := len(f.src); format == 'e' && f.src[n-4] == 'e' && f.src[n-3] == '-' && f.src[n-2] == '0' {
		f.src[n-2] = f.src[n-1] // e-07 -> e-7, as zerolog writes it
		f.src = f.src[:n-1]
	}
	f.fields = append(f.fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(vs),
		v1: uint32(len(f.src)), kcl: kcl})
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
	ks, ke, kcl := f.key(key)
	vs := len(f.src)
	var digits [11]byte // "0." and nine digits
	digits[0], digits[1] = '0', '.'
	n := uint32(d) // below 1e9
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
	f.src = append(f.src, digits[:end]...)
	f.fields = append(f.fields, field{k0: uint32(ks), k1: uint32(ke), v0: uint32(vs),
		v1: uint32(len(f.src)), kcl: kcl})
	return f
}

// key appends a comma after a previous field, the quoted, escaped key and
// a colon, and returns where the key's content starts and ends and its
// byte classes.
func (f *Fields) key(key string) (int, int, uint8) {
	i := len(f.fields)
	if i > 0 {
		f.src = append(f.src, ',') // as in an object: the JSON line output copies the members whole
	}
	s := len(f.src)
	if i < len(f.keys) {
		k := &f.keys[i]
		// A key from the same call site is the same string: compare the
		// pointers before the bytes.
		if len(k.key) == len(key) && (unsafe.StringData(k.key) == unsafe.StringData(key) || k.key == key) {
			f.src = append(f.src, k.encoded...)
			return s + 1, len(f.src) - 2, k.cl
		}
	} else {
		f.keys = append(f.keys, fieldKey{})
	}
	var cl uint8
	f.src, cl = f.appendString(f.src, key)
	f.src = append(f.src, ':')
	k := &f.keys[i]
	k.key, k.encoded, k.cl = key, append(k.encoded[:0], f.src[s:]...), cl
	return s + 1, len(f.src) - 2, cl
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
	mark := len(f.src)
	var m []byte
	if msg != "" {
		f.src = appendZerologString(f.src, msg)
		m = f.src[mark+1 : len(f.src)-1]
	}
	current.Load().writeRecord(record{src: f.src, t: t, level: lv, name: l.name, msg: m, fields: f.fields})
	f.src = f.src[:mark]
}

// logFieldsEvent writes f through a zerolog event of l, for a logger with
// context fields.
func (l *Logger) logFieldsEvent(lv Level, msg string, f *Fields) {
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
