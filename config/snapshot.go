package config

import "fmt"

// snapshot is one immutable state of a Config. Readers load it atomically and
// never lock; writers build the next snapshot with an edit and publish it.
type snapshot struct {
	order    []string // section names in first-seen order, DEFAULT excluded
	sections map[string]*section
}

// section is one section's keys in first-seen order. A published section is
// never changed; an edit copies it first.
type section struct {
	keys []string
	vals map[string]value
}

// value is one stored value; dollar records whether it needs interpolation, so
// that reading a plain value is two map lookups. file and line tell where it
// was read (file is "" for values set by code).
type value struct {
	raw    string
	dollar bool
	file   string
	line   int
}

func newValue(raw, file string, line int) value {
	return value{raw: raw, dollar: indexDollar(raw) >= 0, file: file, line: line}
}

// pos is "file:line: " for a value read from a file, else "".
func (v value) pos() string {
	if v.file == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", v.file, v.line)
}

func indexDollar(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '$' {
			return i
		}
	}
	return -1
}

// lookup finds the raw value of an already lowercased key in sec or, failing
// that, in DEFAULT. A missing section finds nothing.
func (s *snapshot) lookup(sec, key string) (value, bool) {
	if s == nil {
		return value{}, false
	}
	st := s.sections[sec]
	if st == nil {
		return value{}, false
	}
	if v, ok := st.vals[key]; ok {
		return v, true
	}
	if d := s.sections[defaultSection]; d != nil {
		v, ok := d.vals[key]
		return v, ok
	}
	return value{}, false
}

func (s *snapshot) lookupRaw(sec, key string) (string, bool) {
	v, ok := s.lookup(sec, key)
	return v.raw, ok
}

// edit builds the next snapshot from a base: the section map is copied once,
// each section the first time it is written to.
type edit struct {
	next  *snapshot
	owned map[string]bool
}

func newEdit(base *snapshot) *edit {
	next := &snapshot{sections: map[string]*section{}}
	if base != nil {
		next.order = append(next.order, base.order...)
		for name, s := range base.sections {
			next.sections[name] = s
		}
	}
	return &edit{next: next, owned: map[string]bool{}}
}

// section returns a writable copy of section sec, creating it if needed.
func (e *edit) section(sec string) *section {
	s := e.next.sections[sec]
	if e.owned[sec] {
		return s
	}
	c := &section{vals: map[string]value{}}
	if s != nil {
		c.keys = append(c.keys, s.keys...)
		for k, v := range s.vals {
			c.vals[k] = v
		}
	} else if sec != defaultSection {
		e.next.order = append(e.next.order, sec)
	}
	e.next.sections[sec] = c
	e.owned[sec] = true
	return c
}

// set stores a value; with onlyMissing it leaves an existing key alone.
func (e *edit) set(sec, key string, v value, onlyMissing bool) {
	if onlyMissing {
		if s := e.next.sections[sec]; s != nil {
			if _, exists := s.vals[key]; exists {
				return
			}
		}
	}
	s := e.section(sec)
	if _, exists := s.vals[key]; !exists {
		s.keys = append(s.keys, key)
	}
	s.vals[key] = v
}
