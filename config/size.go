package config

import (
	"math"
	"strconv"
	"strings"
)

// sizeUnit returns the multiplier of a size suffix: those of ASAB's
// convert_to_bytes (decimal: k, K and kB are 1000) and the binary KiB, MiB,
// GiB and TiB (1024), which ASAB lacks. "" is bytes.
func sizeUnit(u string) (float64, bool) {
	switch u {
	case "", "B":
		return 1, true
	case "k", "K", "kB":
		return 1e3, true
	case "M", "MB":
		return 1e6, true
	case "G", "GB":
		return 1e9, true
	case "T", "TB":
		return 1e12, true
	case "KiB":
		return 1 << 10, true
	case "MiB":
		return 1 << 20, true
	case "GiB":
		return 1 << 30, true
	case "TiB":
		return 1 << 40, true
	}
	return 0, false
}

// ParseBytes parses a size in bytes as ASAB's convert_to_bytes does: digits
// alone are bytes; otherwise a decimal number followed by a unit B, kB, MB, GB,
// TB or k, K, M, G, T (powers of 1000), or KiB, MiB, GiB, TiB (powers of
// 1024), with optional space between; the result is truncated to whole bytes.
// Surrounding space is ignored. Negative and overflowing sizes are errors.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimFunc(s, isSpace)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.TrimFunc(t[i:], isSpace)
	mult, ok := sizeUnit(unit)
	if !ok || !isPlainNumber(num) {
		return 0, notA(s, "not a size: want a number of bytes with an optional unit B, kB, MB, GB, TB, K, M, G, T, KiB, MiB, GiB or TiB")
	}
	if unit == "" && !strings.Contains(num, ".") {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0, notA(s, "not a size: too large")
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, notA(s, "not a size")
	}
	f = math.Trunc(f * mult)
	if f >= math.MaxInt64 {
		return 0, notA(s, "not a size: too large")
	}
	return int64(f), nil
}
