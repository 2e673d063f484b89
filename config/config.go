package config

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Config is a parsed configuration: sections of keys with string values. The zero
// value is an empty Config ready for use, as is [New]'s result. A Config is safe
// for concurrent use: reads take no lock (they see an immutable snapshot), writes
// are serialized and publish a new snapshot.
type Config struct {
	snap     atomic.Pointer[snapshot]
	mu       sync.Mutex        // serializes writers; guards the fields below
	warnings []string          // from loads
	included map[string]string // absolute path of every loaded file -> who loaded it
	missing  []MissingInclude  // literal includes that did not exist

	// defaults is every map given to AddDefaults, in order (see AddDefaultsOf).
	defaults []map[string]map[string]any
}

// New returns an empty Config.
func New() *Config {
	return &Config{}
}

// write runs fn on an edit of the current snapshot and publishes the result.
// The caller holds c.mu.
func (c *Config) write(fn func(e *edit)) {
	e := newEdit(c.snap.Load())
	fn(e)
	c.snap.Store(e.next)
}

// Set stores value under section and key (lowercased), creating the section if
// needed. The value is stored as given: no environment expansion, while ${...}
// references are still interpolated when it is read.
func (c *Config) Set(section, key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write(func(e *edit) { e.set(section, lowerKey(key), newValue(value, "", 0), false) })
}

// Get returns the interpolated value of key in section, or of key in [DEFAULT]
// when the section lacks it. A missing section or key is an error wrapping
// [ErrNotFound]; a reference that cannot be resolved is an error wrapping
// [ErrInterpolation]. Both name the section and key.
func (c *Config) Get(section, key string) (string, error) {
	s, _, err := c.get(section, lowerKey(key))
	return s, err
}

// get is Get for a lowercased key; it also returns the stored value, for its
// position in error messages.
func (c *Config) get(section, key string) (string, value, error) {
	return c.snap.Load().get(section, key)
}

// get is Config.get on one state of a Config, so that a caller reading
// several keys (Decode) sees them all from the same state.
func (snap *snapshot) get(section, key string) (string, value, error) {
	v, ok := snap.lookup(section, key)
	if !ok {
		return "", v, notFound(section, key)
	}
	if !v.dollar {
		return v.raw, v, nil
	}
	s, err := interpolate(snap.lookupRaw, section, v.raw, 0)
	if err != nil {
		return "", v, fmt.Errorf("config: %s[%s] %s = %q: %w", v.pos(), section, key, v.raw, err)
	}
	return s, v, nil
}

// GetOr returns the value of Get, or fallback with a nil error when the key is
// missing. Any other error (a reference that cannot be resolved) is returned:
// a fallback never hides a bad value.
func (c *Config) GetOr(section, key, fallback string) (string, error) {
	return getOr(c, section, key, fallback, func(s string) (string, error) { return s, nil })
}

// Origin returns the file and line a key's value was read from (through
// [DEFAULT] when the section lacks the key). ok is false for a missing key;
// file is "" for a value that code set (Set, AddDefaults).
func (c *Config) Origin(section, key string) (file string, line int, ok bool) {
	v, ok := c.snap.Load().lookup(section, lowerKey(key))
	return v.file, v.line, ok
}

// Has reports whether key exists in section, directly or through [DEFAULT].
func (c *Config) Has(section, key string) bool {
	_, ok := c.snap.Load().lookup(section, lowerKey(key))
	return ok
}

// HasSection reports whether section exists. As in Python's configparser,
// [DEFAULT] is not counted as a section.
func (c *Config) HasSection(section string) bool {
	snap := c.snap.Load()
	return snap != nil && section != defaultSection && snap.sections[section] != nil
}

// Sections lists the section names in first-seen order, without [DEFAULT].
func (c *Config) Sections() []string {
	snap := c.snap.Load()
	if snap == nil {
		return nil
	}
	return append([]string(nil), snap.order...)
}

// Keys lists the keys of section in first-seen order, followed by the keys it
// inherits from [DEFAULT]. Keys("DEFAULT") lists [DEFAULT]'s own keys. A missing
// section has no keys.
func (c *Config) Keys(section string) []string {
	snap := c.snap.Load()
	if snap == nil || snap.sections[section] == nil {
		return nil
	}
	s := snap.sections[section]
	keys := append([]string(nil), s.keys...)
	if d := snap.sections[defaultSection]; d != nil && section != defaultSection {
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
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.warnings...)
}
