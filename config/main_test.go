package config

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// load parses text into a new Config or fails the test.
func load(t testing.TB, text string) *Config {
	t.Helper()
	c := New()
	if err := c.LoadString("test.conf", text); err != nil {
		t.Fatalf("LoadString: %v", err)
	}
	return c
}

// mustGet returns Get's value or fails the test.
func mustGet(t testing.TB, c *Config, section, key string) string {
	t.Helper()
	v, err := c.Get(section, key)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", section, key, err)
	}
	return v
}
