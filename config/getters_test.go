package config

import (
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseSeconds(t *testing.T) {
	good := []struct {
		in   string
		want float64
	}{
		{"2m", 120}, {"1M", 2678400}, {"500ms", 0.5}, {"5 s", 5}, {"1y", 31536000},
		{"5s", 5}, {"1h", 3600}, {"1d", 86400}, {"1w", 604800}, {"1.5h", 5400},
		{"30", 30}, {"0.25", 0.25}, {" 1 0 m ", 600}, {"\t3\ts", 3}, {"0", 0}, {"1e3ms", 1}, {".5m", 30},
	}
	for _, tt := range good {
		got, err := ParseSeconds(tt.in)
		if err != nil || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("ParseSeconds(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{"", "s", "ms", "abc", "5x", "5 S", "-1s", "inf", "NaN", "0x10", "1_000", "5ss", "1e400", "5mss"}
	for _, in := range bad {
		if got, err := ParseSeconds(in); err == nil || !errors.Is(err, ErrValue) {
			t.Errorf("ParseSeconds(%q) = %v, %v; want an ErrValue error", in, got, err)
		} else if !strings.Contains(err.Error(), "\""+in+"\"") {
			t.Errorf("ParseSeconds(%q) error %q does not quote the value", in, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"500ms": 500 * time.Millisecond, "2m": 2 * time.Minute, "1.5": 1500 * time.Millisecond, "1y": 365 * 24 * time.Hour,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseDuration("1000y"); err == nil {
		t.Error("ParseDuration(1000y) should overflow time.Duration")
	}
}

func TestTypedGetters(t *testing.T) {
	c := load(t, `
[t]
int = 42
neg = -7
float = 2.5
yes = Yes
on = ON
one = 1
off = off
no = NO
zero = 0
secs = 2m
dur = 500ms
multi =
  one
  two three

empty =
url = http://example.com/api/
url2 =   amqp://guest:guest@localhost:5672//  
ref = ${int}0
bad_int = 4x
bad_float = 1,5
bad_bool = maybe
bad_secs = 5 parsecs
bad_url = example.com:8080
`)
	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if !equal(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	i, err := c.GetInt("t", "int")
	check("int", i, 42, err)
	i, err = c.GetInt("t", "neg")
	check("neg", i, -7, err)
	i, err = c.GetInt("t", "ref")
	check("interpolated int", i, 420, err)
	f, err := c.GetFloat("t", "float")
	check("float", f, 2.5, err)
	for key, want := range map[string]bool{"yes": true, "on": true, "one": true, "off": false, "no": false, "zero": false} {
		b, err := c.GetBool("t", key)
		check("bool "+key, b, want, err)
	}
	s, err := c.GetSeconds("t", "secs")
	check("seconds", s, 120.0, err)
	d, err := c.GetDuration("t", "dur")
	check("duration", d, 500*time.Millisecond, err)
	m, err := c.GetMultiline("t", "multi")
	check("multiline", m, []string{"one", "two", "three"}, err)
	m, err = c.GetMultiline("t", "empty")
	check("empty multiline", len(m), 0, err)
	u, err := c.GetURL("t", "url")
	check("url", u, "http://example.com/api", err)
	u, err = c.GetURL("t", "url2", "amqp", "amqps")
	check("url with scheme", u, "amqp://guest:guest@localhost:5672/", err)

	bad := []struct {
		key, value string
		get        func() error
	}{
		{"bad_int", "4x", func() error { _, err := c.GetInt("t", "bad_int"); return err }},
		{"bad_float", "1,5", func() error { _, err := c.GetFloat("t", "bad_float"); return err }},
		{"bad_bool", "maybe", func() error { _, err := c.GetBool("t", "bad_bool"); return err }},
		{"bad_secs", "5 parsecs", func() error { _, err := c.GetSeconds("t", "bad_secs"); return err }},
		{"bad_secs", "5 parsecs", func() error { _, err := c.GetDuration("t", "bad_secs"); return err }},
		{"bad_url", "example.com:8080", func() error { _, err := c.GetURL("t", "bad_url"); return err }},
		{"url", "http://example.com/api/", func() error { _, err := c.GetURL("t", "url", "amqp"); return err }},
		{"bad_int", "4x", func() error { _, err := c.GetIntOr("t", "bad_int", 1); return err }},
		{"bad_bool", "maybe", func() error { _, err := c.GetBoolOr("t", "bad_bool", true); return err }},
	}
	for _, b := range bad {
		err := b.get()
		if err == nil {
			t.Errorf("%s: want an error", b.key)
			continue
		}
		if !errors.Is(err, ErrValue) {
			t.Errorf("%s: error %v does not wrap ErrValue", b.key, err)
		}
		for _, part := range []string{"[t]", b.key, b.value} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s: error %q lacks %q", b.key, err, part)
			}
		}
	}
}

func TestOrGettersFallBackOnlyWhenMissing(t *testing.T) {
	c := load(t, "[t]\nint = 3\n")
	i, err := c.GetIntOr("t", "missing", 7)
	if err != nil || i != 7 {
		t.Errorf("GetIntOr(missing) = %v, %v", i, err)
	}
	i, err = c.GetIntOr("nosection", "int", 8)
	if err != nil || i != 8 {
		t.Errorf("GetIntOr(missing section) = %v, %v", i, err)
	}
	i, err = c.GetIntOr("t", "int", 7)
	if err != nil || i != 3 {
		t.Errorf("GetIntOr(present) = %v, %v", i, err)
	}
	if v, err := c.GetFloatOr("t", "x", 1.5); err != nil || v != 1.5 {
		t.Errorf("GetFloatOr = %v, %v", v, err)
	}
	if v, err := c.GetBoolOr("t", "x", true); err != nil || !v {
		t.Errorf("GetBoolOr = %v, %v", v, err)
	}
	if v, err := c.GetSecondsOr("t", "x", 9); err != nil || v != 9 {
		t.Errorf("GetSecondsOr = %v, %v", v, err)
	}
	if v, err := c.GetDurationOr("t", "x", time.Second); err != nil || v != time.Second {
		t.Errorf("GetDurationOr = %v, %v", v, err)
	}
	if v, err := c.GetMultilineOr("t", "x", []string{"a"}); err != nil || !slices.Equal(v, []string{"a"}) {
		t.Errorf("GetMultilineOr = %v, %v", v, err)
	}
	if v, err := c.GetURLOr("t", "x", "http://fb"); err != nil || v != "http://fb" {
		t.Errorf("GetURLOr = %v, %v", v, err)
	}
	if v, err := c.GetOr("t", "x", "fb"); err != nil || v != "fb" {
		t.Errorf("GetOr = %v, %v", v, err)
	}
}

func equal(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs, ok := b.([]string)
		return ok && slices.Equal(as, bs)
	}
	return a == b
}

// No getter hides an error: with `url = ${secrets:amqp_url}` unresolved,
// every getter, GetOr included, returns an interpolation error that names
// file:line, section, key and the quoted value, never its fallback.
func TestNoGetterHidesAnInterpolationError(t *testing.T) {
	c := New()
	if err := c.LoadString("app.conf", "[mom:amqp]\nurl = ${secrets:amqp_url}\n"); err != nil {
		t.Fatal(err)
	}
	const sec, key = "mom:amqp", "url"
	getters := map[string]func() error{
		"Get":            func() error { _, err := c.Get(sec, key); return err },
		"GetOr":          func() error { _, err := c.GetOr(sec, key, "fb"); return err },
		"GetInt":         func() error { _, err := c.GetInt(sec, key); return err },
		"GetIntOr":       func() error { _, err := c.GetIntOr(sec, key, 1); return err },
		"GetFloatOr":     func() error { _, err := c.GetFloatOr(sec, key, 1); return err },
		"GetBoolOr":      func() error { _, err := c.GetBoolOr(sec, key, true); return err },
		"GetSecondsOr":   func() error { _, err := c.GetSecondsOr(sec, key, 1); return err },
		"GetDurationOr":  func() error { _, err := c.GetDurationOr(sec, key, time.Second); return err },
		"GetMultilineOr": func() error { _, err := c.GetMultilineOr(sec, key, nil); return err },
		"GetURLOr":       func() error { _, err := c.GetURLOr(sec, key, "amqp://fb", "amqp"); return err },
		"Decode": func() error {
			var s struct {
				URL string `ini:"url" default:""`
			}
			return Decode(c, sec, &s)
		},
	}
	for name, get := range getters {
		err := get()
		if !errors.Is(err, ErrInterpolation) || errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want an interpolation error", name, err)
			continue
		}
		if want := `app.conf:2: [mom:amqp] url = "${secrets:amqp_url}"`; !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %q lacks %q", name, err, want)
		}
	}
}

func TestOrigin(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"main.conf": "[general]\ninclude = site.conf\n[DEFAULT]\nd = 1\n[s]\na = 1\n",
		"site.conf": "[s]\n\nb = x\n",
	})
	c := loadFile(t, filepath.Join(dir, "main.conf"))
	c.Set("s", "code", "1")
	for key, want := range map[string]string{"a": "main.conf:6", "b": "site.conf:3", "d": "main.conf:4", "code": ":0"} {
		file, line, ok := c.Origin("s", key)
		if got := filepath.Base(file) + ":" + strconv.Itoa(line); !ok || !strings.HasSuffix(got, want) {
			t.Errorf("Origin(s, %s) = %s, %v; want %s", key, got, ok, want)
		}
	}
	if _, _, ok := c.Origin("s", "missing"); ok {
		t.Error("Origin of a missing key")
	}
	_, err := c.GetInt("s", "b")
	if want := filepath.Join(dir, "site.conf") + `:3: [s] b = "x"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("GetInt error %v lacks %q", err, want)
	}
}
