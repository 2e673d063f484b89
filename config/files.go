package config

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
