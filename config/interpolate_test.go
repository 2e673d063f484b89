package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestEnvExpansion(t *testing.T) {
	t.Setenv("ASAB_TEST_VAR", "val")
	t.Setenv("ASAB_TEST_DOLLAR", "p$ss${x}")
	t.Setenv("ASAB_TEST_EMPTY", "")
	os.Unsetenv("ASAB_TEST_UNSET")
	home := os.Getenv("HOME")
	tests := []struct{ in, want string }{
		{"${HOME}/x", home + "/x"},
		{"$HOME/x", home + "/x"},
		{"a${ASAB_TEST_VAR}b", "avalb"},
		{"$ASAB_TEST_VAR.txt", "val.txt"},
		{"[$ASAB_TEST_EMPTY]", "[]"},
		{"env $ASAB_TEST_DOLLAR", "env p$ss${x}"}, // the environment's text is literal
		{"cost $$5", "cost $5"},
		{"$${HOME}", "${HOME}"}, // escaped, not expanded
		{"100%", "100%"},
		{"50% of $$", "50% of $"},
		{"a $ b", "a $ b"},
		{"ends in $", "ends in $"},
		{"$5", "$5"},
	}
	for _, tt := range tests {
		c := load(t, "[s]\nk = "+tt.in+"\n")
		if got := mustGet(t, c, "s", "k"); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInterpolation(t *testing.T) {
	t.Setenv("ASAB_TEST_VAR", "env")
	text := `
[DEFAULT]
base = /srv
[paths]
data = ${base}/data
logs = ${data}/logs
Mixed = ${BASE}
[logging:file]
path = ${paths:logs}/app.log
[other]
log = ${logging:file:path}
both = ${ASAB_TEST_VAR}-${paths:data}
default_via_section = ${paths:base}
dollar_ref = $${base}
`
	c := load(t, text)
	tests := []struct{ sec, key, want string }{
		{"paths", "data", "/srv/data"},
		{"paths", "logs", "/srv/data/logs"},
		{"paths", "mixed", "/srv"},
		{"logging:file", "path", "/srv/data/logs/app.log"},
		{"other", "log", "/srv/data/logs/app.log"},
		{"other", "both", "env-/srv/data"},
		{"other", "default_via_section", "/srv"},
		{"other", "dollar_ref", "${base}"},
	}
	for _, tt := range tests {
		if got := mustGet(t, c, tt.sec, tt.key); got != tt.want {
			t.Errorf("[%s] %s = %q, want %q", tt.sec, tt.key, got, tt.want)
		}
	}
}

func TestInterpolationErrors(t *testing.T) {
	os.Unsetenv("ASAB_TEST_UNSET")
	text := `
[s]
missing = x ${nowhere} y
missing_sec = ${nosuch:key}
cycle_a = ${cycle_b}
cycle_b = ${cycle_a}
self = ${self}
unterminated = ${abc
undefined_env = $ASAB_TEST_UNSET/x
via = ${missing}
`
	c := load(t, text)
	for _, key := range []string{"missing", "missing_sec", "cycle_a", "self", "unterminated", "undefined_env", "via"} {
		_, err := c.Get("s", key)
		if !errors.Is(err, ErrInterpolation) {
			t.Errorf("[s] %s: error %v, want ErrInterpolation", key, err)
			continue
		}
		if errors.Is(err, ErrNotFound) {
			t.Errorf("[s] %s: interpolation error must not look like a missing key: %v", key, err)
		}
		if !strings.Contains(err.Error(), "[s] "+key) {
			t.Errorf("[s] %s: error %q does not name section and key", key, err)
		}
		if _, err := c.GetOr("s", key, "fb"); err == nil {
			t.Errorf("[s] %s: GetOr hid the interpolation error", key)
		}
	}
	if _, err := c.Get("s", "missing"); !strings.Contains(err.Error(), "${nowhere}") {
		t.Errorf("error %q does not name the reference", err)
	}
}

func TestDefaultsAreInterpolatedInTheirSection(t *testing.T) {
	c := load(t, "[DEFAULT]\nurl = http://${host}/\n[a]\nhost = a.example\n[b]\nhost = b.example\n")
	if got := mustGet(t, c, "a", "url"); got != "http://a.example/" {
		t.Errorf("[a] url = %q", got)
	}
	if got := mustGet(t, c, "b", "url"); got != "http://b.example/" {
		t.Errorf("[b] url = %q", got)
	}
}
