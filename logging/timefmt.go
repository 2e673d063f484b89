package logging

import "time"

const monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"

// digitPairs holds "00" to "99", for writing two digits at a time.
const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" +
	"60616263646566676869" + "70717273747576777879" + "80818283848586878889" + "90919293949596979899"

// appendMicros appends the microseconds of a second, ns/1000, as six
// digits, two at a time.
func appendMicros(dst []byte, ns int) []byte {
	var b [6]byte
	us := uint32(ns) / 1000 // below 1e6
	for i := 4; i >= 0; i -= 2 {
		q := us / 100
		r := 2 * (us - q*100)
		b[i], b[i+1] = digitPairs[r], digitPairs[r+1]
		us = q
	}
	return append(dst, b[:]...)
}

func appendInt(dst []byte, v, width int) []byte {
	var b [20]byte
	i := len(b)
	for v >= 10 || width > 1 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	b[i] = byte('0' + v)
	return append(dst, b[i:]...)
}

// appendConsoleTime appends "23-Nov-2026 00:01:12.593478" in t's location.
func appendConsoleTime(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendInt(dst, d, 2)
	dst = append(dst, '-')
	dst = append(dst, monthNames[(mo-1)*3:mo*3]...)
	dst = append(dst, '-')
	dst = appendInt(dst, y, 4)
	dst = append(dst, ' ')
	return appendClock(dst, h, mi, s, t.Nanosecond())
}

func appendClock(dst []byte, h, mi, s, ns int) []byte {
	dst = appendInt(dst, h, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, s, 2)
	if ns >= 0 {
		dst = append(dst, '.')
		dst = appendMicros(dst, ns)
	}
	return dst
}

// appendRFC3339Micro appends t in UTC as "2026-11-23T00:01:12.593478Z"
// (RFC 5424 TIMESTAMP, always six zero-padded fraction digits).
func appendRFC3339Micro(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendInt(dst, y, 4)
	dst = append(dst, '-')
	dst = appendInt(dst, int(mo), 2)
	dst = append(dst, '-')
	dst = appendInt(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendClock(dst, h, mi, s, t.Nanosecond())
	return append(dst, 'Z')
}

// appendBSDTime appends the RFC 3164 TIMESTAMP "Nov 23 00:01:12" (day
// space-padded) in t's location.
func appendBSDTime(dst []byte, t time.Time) []byte {
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append(dst, monthNames[(mo-1)*3:mo*3]...)
	dst = append(dst, ' ')
	if d < 10 {
		dst = append(dst, ' ')
	}
	dst = appendInt(dst, d, 1)
	dst = append(dst, ' ')
	return appendClock(dst, h, mi, s, -1)
}

// timeCache remembers a rendered time up to the second, so an output that
// writes many lines per second formats the date once. It belongs to one
// output and is used under that output's mutex.
type timeCache struct {
	sec int64
	// off is the zone offset the text was made with: a time's location
	// is told apart by its offset, as keeping its pointer would make
	// every record's contents escape to the heap.
	off  int
	utc  bool
	text []byte // up to and including the '.' before the microseconds
}

// appendTime appends t rendered by format (appendConsoleTime or
// appendRFC3339Micro), reusing the cached seconds part; a nil cache
// formats from scratch.
func (c *timeCache) appendTime(dst []byte, t time.Time, utc bool) []byte {
	if c == nil {
		if utc {
			return appendRFC3339Micro(dst, t)
		}
		return appendConsoleTime(dst, t)
	}
	_, off := t.Zone()
	if s := t.Unix(); s != c.sec || off != c.off || utc != c.utc || c.text == nil {
		if utc {
			c.text = appendRFC3339Micro(c.text[:0], t)
			c.text = c.text[:len(c.text)-7] // drop "593478Z"
		} else {
			c.text = appendConsoleTime(c.text[:0], t)
			c.text = c.text[:len(c.text)-6]
		}
		c.sec, c.off, c.utc = s, off, utc
	}
	dst = append(dst, c.text...)
	dst = appendMicros(dst, t.Nanosecond())
	if utc {
		dst = append(dst, 'Z')
	}
	return dst
}
