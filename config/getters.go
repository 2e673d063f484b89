package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// get reads a value with Get and converts it with parse; a conversion error
// names section, key and value.
func get[T any](c *Config, section, key string, parse func(string) (T, error)) (T, error) {
	var zero T
	key = lowerKey(key)
	s, v, err := c.get(section, key)
	if err != nil {
		return zero, err
	}
	t, err := parse(s)
	if err != nil {
		return zero, badValue(v.pos(), section, key, v.raw, s, err)
	}
	return t, nil
}

// getOr is get with a fallback used only when the key is missing.
func getOr[T any](c *Config, section, key string, fallback T, parse func(string) (T, error)) (T, error) {
	t, err := get(c, section, key, parse)
	if errors.Is(err, ErrNotFound) {
		return fallback, nil
	}
	return t, err
}

func parseInt(s string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 0)
	if err != nil {
		return 0, fmt.Errorf("not an integer: %w", ErrValue)
	}
	return int(n), nil
}

func parseFloat(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if !isPlainNumber(t) {
		return 0, fmt.Errorf("not a decimal number: %w", ErrValue)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("not a decimal number: %w", ErrValue)
	}
	return f, nil
}

// ParseBool parses configparser's booleans: 1, yes, true, on and 0, no, false,
// off, in any case, surrounding space ignored.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "true", "on":
		return true, nil
	case "0", "no", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean (want 1/yes/true/on or 0/no/false/off): %w", ErrValue)
}

func parseMultiline(s string) ([]string, error) {
	return strings.Fields(s), nil
}

// ParseURL reads a URL as ASAB's geturl does: it trims space, lowercases the
// scheme, drops one trailing "/" from the path (so "http://x/?q" becomes
// "http://x?q"), drops an empty query or fragment and leaves the fragment's
// text alone. The URL must have the form scheme://...; when schemes are
// given, the scheme must be one of them (compared without case).
func ParseURL(s string, schemes ...string) (string, error) {
	t := strings.TrimFunc(s, isSpace)
	scheme, rest, ok := strings.Cut(t, "://")
	if !ok || !validScheme(scheme) {
		return "", fmt.Errorf("not a URL: want scheme://...: %w", ErrValue)
	}
	scheme = strings.ToLower(scheme)
	rest, fragment, _ := strings.Cut(rest, "#")
	rest, query, _ := strings.Cut(rest, "?")
	path := ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest, path = rest[:i], rest[i:]
	}
	path = strings.TrimSuffix(path, "/")
	out := scheme + "://" + rest + path
	if query != "" {
		out += "?" + query
	}
	if fragment != "" {
		out += "#" + fragment
	}
	if _, err := url.Parse(out); err != nil {
		return "", fmt.Errorf("not a URL: %w: %w", err, ErrValue)
	}
	if len(schemes) > 0 && !slices.ContainsFunc(schemes, func(x string) bool { return strings.EqualFold(x, scheme) }) {
		return "", fmt.Errorf("URL scheme %q is not one of %q: %w", scheme, schemes, ErrValue)
	}
	return out, nil
}

// validScheme reports whether s is a URL scheme: a letter, then letters,
// digits, "+", "-" or ".".
func validScheme(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// GetInt returns the value as a decimal integer.
func (c *Config) GetInt(section, key string) (int, error) {
	return get(c, section, key, parseInt)
}

// GetIntOr is GetInt with a fallback for a missing key.
func (c *Config) GetIntOr(section, key string, fallback int) (int, error) {
	return getOr(c, section, key, fallback, parseInt)
}

// GetFloat returns the value as a decimal floating-point number.
func (c *Config) GetFloat(section, key string) (float64, error) {
	return get(c, section, key, parseFloat)
}

// GetFloatOr is GetFloat with a fallback for a missing key.
func (c *Config) GetFloatOr(section, key string, fallback float64) (float64, error) {
	return getOr(c, section, key, fallback, parseFloat)
}

// GetBool returns the value as a boolean (see [ParseBool]).
func (c *Config) GetBool(section, key string) (bool, error) {
	return get(c, section, key, ParseBool)
}

// GetBoolOr is GetBool with a fallback for a missing key.
func (c *Config) GetBoolOr(section, key string, fallback bool) (bool, error) {
	return getOr(c, section, key, fallback, ParseBool)
}

// GetSeconds returns the value as seconds (see [ParseSeconds]).
func (c *Config) GetSeconds(section, key string) (float64, error) {
	return get(c, section, key, ParseSeconds)
}

// GetSecondsOr is GetSeconds with a fallback for a missing key.
func (c *Config) GetSecondsOr(section, key string, fallback float64) (float64, error) {
	return getOr(c, section, key, fallback, ParseSeconds)
}

// GetDuration returns the value as a duration (see [ParseDuration]).
func (c *Config) GetDuration(section, key string) (time.Duration, error) {
	return get(c, section, key, ParseDuration)
}

// GetDurationOr is GetDuration with a fallback for a missing key.
func (c *Config) GetDurationOr(section, key string, fallback time.Duration) (time.Duration, error) {
	return getOr(c, section, key, fallback, ParseDuration)
}

// GetMultiline returns the value split on white space (newlines included), with
// empty items dropped. An empty value gives an empty list.
func (c *Config) GetMultiline(section, key string) ([]string, error) {
	return get(c, section, key, parseMultiline)
}

// GetMultilineOr is GetMultiline with a fallback for a missing key.
func (c *Config) GetMultilineOr(section, key string, fallback []string) ([]string, error) {
	return getOr(c, section, key, fallback, parseMultiline)
}

// GetURL returns the value as a URL (see [ParseURL]).
func (c *Config) GetURL(section, key string, schemes ...string) (string, error) {
	return get(c, section, key, func(s string) (string, error) { return ParseURL(s, schemes...) })
}

// GetURLOr is GetURL with a fallback for a missing key.
func (c *Config) GetURLOr(section, key, fallback string, schemes ...string) (string, error) {
	return getOr(c, section, key, fallback, func(s string) (string, error) { return ParseURL(s, schemes...) })
}
