package config

import (
	"fmt"
	"strings"
	"sync"
)

// value is one stored value; dollar records whether it needs interpolation, so
// that reading a plain value is two map lookups.
type value struct {
	raw    string
	dollar bool
}

func newValue(raw string) value {
	return value{raw: raw, dollar: strings.IndexByte(raw, '$') >= 0}
}

// section is one section's keys in first-seen order.
type section struct {
	keys []string
	vals map[string]value
}

// Config is a parsed configuration: sections of keys with string values. The zero
// value is not ready for use; call [New]. A Config is safe for concurrent use.
type Config struct {
	mu       sync.RWMutex
	order    []string // section names in first-seen order, DEFAULT excluded
	sections map[string]*section
	warnings []string
	included map[string]string // absolute path of every loaded file -> who loaded it
}

// New returns an empty Config.
func New() *Config {
	return &Config{sections: map[string]*section{}, included: map[string]string{}}
}

// set stores a value; the caller holds the write lock. With onlyMissing it leaves
// an existing key alone.
func (c *Config) set(sec, key, raw string, onlyMissing bool) {
	s := c.sections[sec]
	if s == nil {
		s = &section{vals: map[string]value{}}
		c.sections[sec] = s
		if sec != defaultSection {
			c.order = append(c.order, sec)
		}
	}
	if _, exists := s.vals[key]; exists {
		if onlyMissing {
			return
		}
	} else {
		s.keys = append(s.keys, key)
	}
	s.vals[key] = newValue(raw)
}

// ensureSection creates an empty section; the caller holds the write lock.
func (c *Config) ensureSection(sec string) {
	if c.sections[sec] == nil {
		c.sections[sec] = &section{vals: map[string]value{}}
		if sec != defaultSection {
			c.order = append(c.order, sec)
		}
	}
}

// lookup finds the raw value of an already lowercased key in sec or, failing
// that, in DEFAULT. A missing section finds nothing. The caller holds a lock.
func (c *Config) lookup(sec, key string) (value, bool) {
	s := c.sections[sec]
	if s == nil {
		return value{}, false
	}
	if v, ok := s.vals[key]; ok {
		return v, true
	}
	if d := c.sections[defaultSection]; d != nil {
		v, ok := d.vals[key]
		return v, ok
	}
	return value{}, false
}

func (c *Config) lookupRaw(sec, key string) (string, bool) {
	v, ok := c.lookup(sec, key)
	return v.raw, ok
}

// Set stores value under section and key (lowercased), creating the section if
// needed. The value is stored as given: no environment expansion, while ${...}
// references are still interpolated when it is read.
func (c *Config) Set(section, key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set(section, strings.ToLower(key), value, false)
}

// Get returns the interpolated value of key in section, or of key in [DEFAULT]
// when the section lacks it. A missing section or key is an error wrapping
// [ErrNotFound]; a reference that cannot be resolved is an error wrapping
// [ErrInterpolation]. Both name the section and key.
func (c *Config) Get(section, key string) (string, error) {
	key = strings.ToLower(key)
	c.mu.RLock()
	v, ok := c.lookup(section, key)
	if !ok {
		c.mu.RUnlock()
		return "", notFound(section, key)
	}
	if !v.dollar {
		c.mu.RUnlock()
		return v.raw, nil
	}
	s, err := interpolate(c.lookupRaw, section, v.raw, 0)
	c.mu.RUnlock()
	if err != nil {
		return "", fmt.Errorf("config: [%s] %s = %q: %w", section, key, v.raw, err)
	}
	return s, nil
}

// GetOr returns the value of Get, or fallback when Get fails (a missing key or a
// reference that cannot be resolved). Use [Config.GetStringOr] to see the latter.
func (c *Config) GetOr(section, key, fallback string) string {
	v, err := c.Get(section, key)
	if err != nil {
		return fallback
	}
	return v
}

// GetStringOr returns the value of Get, or fallback with a nil error only when
// the key is missing; an interpolation error is returned.
func (c *Config) GetStringOr(section, key, fallback string) (string, error) {
	return getOr(c, section, key, fallback, func(s string) (string, error) { return s, nil })
}

// Has reports whether key exists in section, directly or through [DEFAULT].
func (c *Config) Has(section, key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.lookup(section, strings.ToLower(key))
	return ok
}

// HasSection reports whether section exists. As in Python's configparser,
// [DEFAULT] is not counted as a section.
func (c *Config) HasSection(section string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return section != defaultSection && c.sections[section] != nil
}

// Sections lists the section names in first-seen order, without [DEFAULT].
func (c *Config) Sections() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]string(nil), c.order...)
}

// Keys lists the keys of section in first-seen order, followed by the keys it
// inherits from [DEFAULT]. Keys("DEFAULT") lists [DEFAULT]'s own keys. A missing
// section has no keys.
func (c *Config) Keys(section string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.sections[section]
	if s == nil {
		return nil
	}
	keys := append([]string(nil), s.keys...)
	if d := c.sections[defaultSection]; d != nil && section != defaultSection {
		for _, k := range d.keys {
			if _, own := s.vals[k]; !own {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// Warnings returns what loading noticed but did not fail on, such as a file
// included more than once. The application logs them (config does not log).
func (c *Config) Warnings() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]string(nil), c.warnings...)
}
