package logging

import "time"

const monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"

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
		dst = appendInt(dst, ns/1000, 6)
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
