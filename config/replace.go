package config

import "strings"

// ReplaceWith makes c hold other's configuration: its sections and values,
// the files it read, the includes it missed, its load warnings and the defaults it was given. The values change in one atomic
// step, so one Get or one Decode of c sees either all the old values or all
// the new ones, never a mix (separate Gets may straddle the swap); code that holds the *Config pointer reads the new values from
// then on. other is not changed and stays usable on its own (the two share
// immutable state; a later write to either does not show in the other).
// Application.Reload uses it to swap a re-read configuration in.
func (c *Config) ReplaceWith(other *Config) {
	if c == other {
		return
	}
	other.mu.Lock()
	snap := other.snap.Load()
	warnings := append([]string(nil), other.warnings...)
	included := make(map[string]string, len(other.included))
	for p, by := range other.included {
		included[p] = by
	}
	defaults := append([]map[string]map[string]any(nil), other.defaults...)
	missing := append([]MissingInclude(nil), other.missing...)
	other.mu.Unlock()

	c.mu.Lock()
	defer c.mu.Unlock()
	c.snap.Store(snap)
	c.warnings = warnings
	c.included = included
	c.defaults = defaults
	c.missing = missing
}

// AddDefaultsOf gives c every set of defaults from was given with
// AddDefaults, in the same order, as if AddDefaults had been called on c
// with each. A reload starts its new Config with it, so that the defaults
// a module added at init-time (to the old Config) hold in the new one too.
// The maps are used as AddDefaults was given them, so a caller must not
// change a map after giving it to AddDefaults.
func (c *Config) AddDefaultsOf(from *Config) {
	from.mu.Lock()
	layers := append([]map[string]map[string]any(nil), from.defaults...)
	from.mu.Unlock()
	for _, d := range layers {
		c.AddDefaults(d)
	}
}

// CopyValue makes key in section of c hold what it holds in from: from's
// stored value (its own or the one it inherits from [DEFAULT]) becomes c's
// own value of section and key, stored as from stores it (environment
// variables already expanded, ${...} references still to be interpolated).
// When from has no such key, c's own value of it is removed (a value c
// inherits from [DEFAULT] then still shows through). A reload uses
// it to keep the old value of a key that cannot change at run time.
func (c *Config) CopyValue(from *Config, section, key string) {
	key = strings.ToLower(key)
	v, ok := from.snap.Load().lookup(section, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write(func(e *edit) {
		if ok {
			s := e.section(section)
			if !hasOwn(s, key) {
				s.keys = append(s.keys, key)
			}
			s.vals[key] = v
			return
		}
		if s := e.next.sections[section]; s == nil || !hasOwn(s, key) {
			return
		}
		s := e.section(section)
		delete(s.vals, key)
		for i, k := range s.keys {
			if k == key {
				s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
				break
			}
		}
	})
}

func hasOwn(s *section, key string) bool {
	_, ok := s.vals[key]
	return ok
}
