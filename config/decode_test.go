package config

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// allTypes has a field of every kind the decoder supports.
type allTypes struct {
	Name     string        `ini:"name" default:"anon" doc:"a name"`
	On       bool          `ini:"on" default:"no"`
	Count    int           `ini:"count" default:"3" min:"1" max:"10"`
	Small    uint8         `ini:"small" default:"7"`
	Ratio    float64       `ini:"ratio" default:"0.5" min:"0" max:"1"`
	Seconds  float64       `ini:"seconds" unit:"s" default:"2m"`
	Period   time.Duration `ini:"period" default:"500ms" min:"1ms" max:"1h"`
	Size     int64         `ini:"size" unit:"bytes" default:"1MiB" min:"1"`
	Words    []string      `ini:"words"`
	Lines    []string      `ini:"lines" split:"lines"`
	Comma    []string      `ini:"comma" split:"comma"`
	URL      *url.URL      `ini:"url" scheme:"amqp amqps"`
	URLValue url.URL       `ini:"url_value"`
	Mode     string        `ini:"mode" default:"prod" oneof:"full prod none"`
	IP       net.IP        `ini:"ip" default:"127.0.0.1"`
	Derived  string        // no ini tag: not a key
}

func TestDecodeDefaults(t *testing.T) {
	var s allTypes
	if err := Decode(New(), "x", &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "anon" || s.On || s.Count != 3 || s.Small != 7 || s.Ratio != 0.5 || s.Seconds != 120 ||
		s.Period != 500*time.Millisecond || s.Size != 1<<20 || s.Words != nil || s.URL != nil ||
		s.Mode != "prod" || !s.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("defaults: %+v", s)
	}
}

func TestDecodeValues(t *testing.T) {
	c := load(t, `
[DEFAULT]
on = yes
[x]
name = ${other:name}
count = 10
small = 255
ratio = 1
seconds = 1.5h
period = 2m
size = 64 kB
words = a b
  c
lines =
  one line
  two words
comma = a, b ,,c
url = AMQP://guest:guest@localhost:5672/
url_value = http://x/p/?q=1
mode = FULL
ip = ::1
[other]
name = from other
`)
	s := allTypes{Derived: "kept"}
	if err := Decode(c, "x", &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "from other" || !s.On || s.Count != 10 || s.Small != 255 || s.Ratio != 1 || s.Seconds != 5400 ||
		s.Period != 2*time.Minute || s.Size != 64000 || s.Mode != "full" || s.Derived != "kept" || !s.IP.Equal(net.IPv6loopback) {
		t.Errorf("values: %+v", s)
	}
	if !slices.Equal(s.Words, []string{"a", "b", "c"}) || !slices.Equal(s.Lines, []string{"one line", "two words"}) ||
		!slices.Equal(s.Comma, []string{"a", "b", "c"}) {
		t.Errorf("lists: %q %q %q", s.Words, s.Lines, s.Comma)
	}
	if s.URL == nil || s.URL.String() != "amqp://guest:guest@localhost:5672" || s.URLValue.String() != "http://x/p?q=1" {
		t.Errorf("urls: %v %v", s.URL, &s.URLValue)
	}
}

// A missing key without a default tag leaves the field as the caller set it.
func TestDecodeKeepsPresetFields(t *testing.T) {
	var s struct {
		Listen string `ini:"listen"`
	}
	s.Listen = "preset"
	if err := Decode(New(), "x", &s); err != nil || s.Listen != "preset" {
		t.Errorf("Decode = %v, Listen = %q", err, s.Listen)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"not an int", "[x]\ncount = many\n", []string{`app.conf:2: [x] count = "many"`, "not an integer"}},
		{"below min", "[x]\ncount = 0\n", []string{`app.conf:2: [x] count = "0"`, "minimum 1"}},
		{"above max", "[x]\nperiod = 2h\n", []string{`[x] period = "2h"`, "maximum 1h"}},
		{"uint overflow", "[x]\nsmall = 256\n", []string{`[x] small = "256"`, "out of range"}},
		{"negative uint", "[x]\nsmall = -1\n", []string{`[x] small = "-1"`}},
		{"bad bool", "[x]\non = maybe\n", []string{`[x] on = "maybe"`, "not a boolean"}},
		{"bad size", "[x]\nsize = 5 parsecs\n", []string{`[x] size = "5 parsecs"`, "not a size"}},
		{"oneof", "[x]\nmode = loud\n", []string{`[x] mode = "loud"`, "full, prod, none"}},
		{"scheme", "[x]\nurl = http://h/\n", []string{`[x] url = "http://h/"`, "amqp"}},
		{"text unmarshaler", "[x]\nip = 300.1.1.1\n", []string{`[x] ip = "300.1.1.1"`}},
		{"interpolation", "[x]\nurl = ${secrets:amqp_url}\n", []string{`app.conf:2: [x] url = "${secrets:amqp_url}"`, "secrets"}},
		{"through DEFAULT", "[DEFAULT]\ncount = x\n[x]\n", []string{`app.conf:2: [x] count = "x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New()
			if err := c.LoadString("app.conf", tt.text); err != nil {
				t.Fatal(err)
			}
			var s allTypes
			err := Decode(c, "x", &s)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// An unresolved reference is an error, never the default: the case of the
// AMQP url that used to be skipped silently.
func TestDecodeInterpolationErrorIsNotADefault(t *testing.T) {
	var s struct {
		URL string `ini:"url" default:""`
	}
	c := load(t, "[mom:amqp]\nurl = ${secrets:amqp_url}\n")
	err := Decode(c, "mom:amqp", &s)
	if !errors.Is(err, ErrInterpolation) {
		t.Fatalf("Decode = %v, want ErrInterpolation", err)
	}
}

func TestDecodeReportsAllErrors(t *testing.T) {
	c := load(t, "[x]\ncount = 0\nratio = 2\n")
	var s allTypes
	err := Decode(c, "x", &s)
	if err == nil || !strings.Contains(err.Error(), "count") || !strings.Contains(err.Error(), "ratio") {
		t.Errorf("Decode = %v, want both keys named", err)
	}
}

func TestDecodeRequired(t *testing.T) {
	var s struct {
		Path string `ini:"path" required:"true"`
	}
	err := Decode(New(), "pdict", &s)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "[pdict] path") {
		t.Errorf("missing: %v", err)
	}
	err = Decode(load(t, "[pdict]\npath =\n"), "pdict", &s)
	if !errors.Is(err, ErrValue) || !strings.Contains(err.Error(), `path = ""`) {
		t.Errorf("empty: %v", err)
	}
}

func TestBadSettingsStructs(t *testing.T) {
	for name, v := range map[string]any{
		"not a pointer": struct{}{},
		"unsupported": &struct {
			M map[string]int `ini:"m"`
		}{},
		"bad default": &struct {
			N int `ini:"n" default:"x"`
		}{},
		"default off min": &struct {
			N int `ini:"n" default:"0" min:"1"`
		}{},
		"bad unit": &struct {
			S string `ini:"s" unit:"bytes"`
		}{},
		"min on string": &struct {
			S string `ini:"s" min:"1"`
		}{},
		"oneof on int": &struct {
			N int `ini:"n" oneof:"1 2"`
		}{},
		"duplicate key": &struct {
			A, B string `ini:"a"`
		}{},
		"bad split": &struct {
			L []string `ini:"l" split:"tabs"`
		}{},
		"bad required": &struct {
			S string `ini:"s" required:"yes"`
		}{},
		"empty key": &struct {
			S string `ini:""`
		}{},
	} {
		if err := Decode(New(), "x", v); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestKeysOf(t *testing.T) {
	keys, err := KeysOf(allTypes{})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 15 {
		t.Fatalf("%d keys, want 15", len(keys))
	}
	k := keys[0]
	if k.Key != "name" || k.Field != "Name" || k.Default != "anon" || !k.HasDefault || k.Doc != "a name" || k.Type != "string" {
		t.Errorf("keys[0] = %+v", k)
	}
	types := map[string]string{}
	for _, k := range keys {
		types[k.Key] = k.Type
	}
	want := map[string]string{"seconds": "seconds", "period": "duration", "size": "size", "url": "url", "words": "list", "ip": "net.IP", "small": "int"}
	for key, typ := range want {
		if types[key] != typ {
			t.Errorf("Type of %s = %q, want %q", key, types[key], typ)
		}
	}
	d, err := DefaultsOf(&allTypes{})
	if err != nil || d["period"] != "500ms" || len(d) != 10 {
		t.Errorf("DefaultsOf = %v, %v", d, err)
	}
}

func TestUnknown(t *testing.T) {
	c := New()
	c.AddDefaults(map[string]map[string]any{"web": {"from_code": 1}})
	c.Set("web", "set_by_code", "1")
	if err := c.LoadString("app.conf", "[DEFAULT]\ninherited = 1\n[web]\nlisten = 8080\nlisen = 8081\n"); err != nil {
		t.Fatal(err)
	}
	var s struct {
		Listen  string `ini:"listen"`
		BodyMax int64  `ini:"body_max_size" unit:"bytes"`
	}
	u, err := Unknown(c, "web", &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(u) != 1 || u[0].Key != "lisen" || u[0].File != "app.conf" || u[0].Line != 5 {
		t.Fatalf("Unknown = %+v", u)
	}
	want := `app.conf:5: [web] unknown key "lisen" (known keys: listen, body_max_size)`
	if got := u[0].String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if u, err := Unknown(c, "nosuch", &s); err != nil || u != nil {
		t.Errorf("missing section: %v, %v", u, err)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1048576": 1 << 20, "10MB": 10e6, "10 MB": 10e6, "1.5kB": 1500, "2K": 2000, "2k": 2000,
		"1MiB": 1 << 20, "1.5 KiB": 1536, "3G": 3e9, "1TB": 1e12, "7B": 7, " 5 ": 5,
	} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1", "1 XB", "1e3", "1mb", "0x10", "99999999999999999999", "1..5M", "100000000 TB"} {
		if _, err := ParseBytes(in); !errors.Is(err, ErrValue) || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseBytes(%q) error = %v, want a quoted ErrValue", in, err)
		}
	}
}

// Keys of an embedded struct are keys of the section; a nil embedded pointer
// is an error, not a panic.
func TestDecodeEmbedded(t *testing.T) {
	type Common struct {
		Timeout time.Duration `ini:"timeout" default:"1s"`
	}
	var s struct {
		Common
		Name string `ini:"name"`
	}
	if err := Decode(load(t, "[x]\ntimeout = 2m\nname = n\n"), "x", &s); err != nil || s.Timeout != 2*time.Minute || s.Name != "n" {
		t.Errorf("Decode = %v, %+v", err, s)
	}
	var p struct {
		*Common
	}
	if err := Decode(New(), "x", &p); err == nil {
		t.Error("nil embedded pointer: no error")
	}
}
