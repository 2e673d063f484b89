package config

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// unitSeconds returns the length in seconds of a one-letter unit suffix. "m" is
// a minute and "M" a month of 31 days, as in ASAB, which also accepts "Y", "W"
// and "D" for backward compatibility.
func unitSeconds(suffix byte) (float64, bool) {
	switch suffix {
	case 's':
		return 1, true
	case 'm':
		return 60, true
	case 'h':
		return 3600, true
	case 'd', 'D':
		return 86400, true
	case 'w', 'W':
		return 7 * 86400, true
	case 'M':
		return 31 * 86400, true
	case 'y', 'Y':
		return 365 * 86400, true
	}
	return 0, false
}

// ParseSeconds parses ASAB's time syntax into seconds: a number followed by an
// optional unit, ms, s, m (minutes), h, d, w, M (31 days) or y (365 days); a bare
// number is seconds. D, W and Y are accepted for d, w and y, as ASAB does. White space anywhere is ignored ("5 s" is 5). Negative, NaN
// and infinite values are errors.
func ParseSeconds(s string) (float64, error) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	num, mult, div := t, 1.0, 1.0
	if strings.HasSuffix(t, "ms") {
		num, div = t[:len(t)-2], 1000
	} else if t != "" {
		if u, ok := unitSeconds(t[len(t)-1]); ok {
			num, mult = t[:len(t)-1], u
		}
	}
	if !isPlainNumber(num) {
		return 0, notA(s, "not a time: want a number with an optional unit ms, s, m, h, d, w, M or y")
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, notA(s, "not a time")
	}
	f = f * mult / div
	if f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, notA(s, "not a time: negative or too large")
	}
	return f, nil
}

// ParseDuration parses ASAB's time syntax (see [ParseSeconds]) into a
// time.Duration, rounded to the nanosecond.
func ParseDuration(s string) (time.Duration, error) {
	f, err := ParseSeconds(s)
	if err != nil {
		return 0, err
	}
	ns := math.Round(f * 1e9)
	if ns >= math.MaxInt64 {
		return 0, notA(s, "not a time: too large for a duration")
	}
	return time.Duration(ns), nil
}

// isPlainNumber accepts decimal numbers only (digits, one point, an exponent),
// rejecting what strconv would also take: hex floats, "inf", "nan", "_".
func isPlainNumber(s string) bool {
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return digits
}
