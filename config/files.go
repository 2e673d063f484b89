package config

import "fmt"

// Files returns the absolute path of every configuration file loaded so far,
// each mapped to what loaded it: "the caller" for a file given to LoadFile,
// otherwise the file whose [general] include named it.
func (c *Config) Files() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]string, len(c.included))
	for p, by := range c.included {
		out[p] = by
	}
	return out
}

// MissingInclude is a file that a [general] include names by its exact
// path (no wildcard) and that did not exist when the Config was loaded. The
// load ignores it, as Python's configparser-based ASAB does.
type MissingInclude struct {
	// Path is the file's absolute path.
	Path string
	// From is the file whose [general] include names it, as loaded.
	From string
	// Line is the line of that [general] include in From.
	Line int
}

// String is "FROM:LINE: include PATH: no such file".
func (m MissingInclude) String() string {
	return fmt.Sprintf("%s:%d: include %s: no such file", m.From, m.Line, m.Path)
}

// MissingIncludes returns the files that a [general] include named without
// a wildcard and that did not exist when they were to be read, in the
// order of the load. A glob that matches nothing is not listed: with a
// wildcard, no match is a matter of course. A live reconfiguration uses it
// to refuse a configuration that lost a file the running one was read
// from.
func (c *Config) MissingIncludes() []MissingInclude {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]MissingInclude(nil), c.missing...)
}
