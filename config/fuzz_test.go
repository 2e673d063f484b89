package config

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"[s]\na = 1\n", "[DEFAULT]\nd=1\n[s]\nk = ${d}\n  more\n\n  lines\n", "[general]\ninclude = nothere.conf\n",
		"a = 1", "[s]\na = 1\nA = 2\n", "[s]\nk = $$ ${x:y} $HOME 100%\n", "\uFEFF[x]\r\n; c\r\n# c\r\nk: v\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Contains(text, "include") {
			return // keep the fuzzer off the file system
		}
		c := New()
		err := c.LoadString("fuzz.conf", text)
		if err != nil {
			if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "fuzz.conf:") {
				t.Fatalf("load error without file:line or ErrSyntax: %v", err)
			}
			if len(c.Sections()) != 0 {
				t.Fatal("a failed load changed the config")
			}
			return
		}
		for _, s := range append(c.Sections(), "DEFAULT") {
			for _, k := range c.Keys(s) {
				if k != strings.ToLower(k) {
					t.Fatalf("key %q not lowercased", k)
				}
				if !c.Has(s, k) {
					t.Fatalf("Keys lists %q but Has is false", k)
				}
				v, err := c.Get(s, k)
				if err != nil && !errors.Is(err, ErrInterpolation) {
					t.Fatalf("Get(%q, %q): %v", s, k, err)
				}
				if err == nil && v != strings.TrimRight(v, " \t\n\r") && !strings.ContainsAny(v, "$") {
					t.Fatalf("value %q has trailing space", v)
				}
			}
		}
	})
}

func FuzzSplitIncludes(f *testing.F) {
	for _, s := range []string{"a.conf:b.conf", "a b\nc\t d", "::", "", "x/*.conf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items := splitIncludes(s)
		for _, it := range items {
			if it == "" || strings.ContainsAny(it, ": \t\n\r\v\f") {
				t.Fatalf("bad item %q from %q", it, s)
			}
		}
		if got := splitIncludes(strings.Join(items, "\n")); strings.Join(got, "\x00") != strings.Join(items, "\x00") {
			t.Fatalf("not stable: %q -> %q", items, got)
		}
	})
}

func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{"${a}", "${s:b}", "$$", "${", "$x", "100%", "${a}${b}", "${self}", "$$$", "${x:y:z}"} {
		f.Add(s, "plain", "${a}")
	}
	f.Fuzz(func(t *testing.T, v, a, b string) {
		c := New()
		c.Set("s", "v", v)
		c.Set("s", "a", a)
		c.Set("s", "b", b)
		c.Set("s", "self", "${self}")
		got, err := c.Get("s", "v")
		if err != nil {
			if !errors.Is(err, ErrInterpolation) {
				t.Fatalf("error %v is not ErrInterpolation", err)
			}
			return
		}
		if !strings.Contains(v, "$") && got != v {
			t.Fatalf("value without $ changed: %q -> %q", v, got)
		}
		// Escaping every $ gives the text back literally.
		c.Set("s", "lit", strings.ReplaceAll(v, "$", "$$"))
		if lit, err := c.Get("s", "lit"); err != nil || lit != v {
			t.Fatalf("escaped %q came back as %q, %v", v, lit, err)
		}
		// Read-time expansion keeps literal "$$" and undefined names for get time.
		if e := expandEnv(strings.ReplaceAll(v, "$", "$$"), "/d"); e != strings.ReplaceAll(v, "$", "$$") {
			t.Fatalf("expandEnv touched escaped text %q -> %q", v, e)
		}
	})
}

func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"2m", "1M", "500ms", "5 s", "1y", "1.5", "-1", "1e309", "0x1p3", "inf", "ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSeconds(s)
		if err != nil {
			if !errors.Is(err, ErrValue) {
				t.Fatalf("error %v is not ErrValue", err)
			}
			return
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseSeconds(%q) = %v", s, v)
		}
		d, err := ParseDuration(s)
		if err == nil && math.Abs(d.Seconds()-v) > 1e-6*math.Max(1, v) {
			t.Fatalf("ParseDuration(%q) = %v, ParseSeconds = %v", s, d, v)
		}
	})
}

func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"0", "10MB", "1.5 KiB", "2K", "-1", "1e3", "99999999999999999999", "1..5M", " 7 B "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseBytes(s)
		if err != nil {
			if !errors.Is(err, ErrValue) || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("error %v is not a quoted ErrValue", err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseBytes(%q) = %d", s, n)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"HTTP://x/", "http://x/?q=1", "http://x/p/#frag/", "amqp://u:p@h:5672/%2F", "x", "://", "1a://b", "http://x y/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrValue) {
				t.Fatalf("error %v is not ErrValue", err)
			}
			return
		}
		scheme, _, _ := strings.Cut(u, "://")
		if scheme != strings.ToLower(scheme) {
			t.Fatalf("ParseURL(%q) = %q: scheme not lowercased", s, u)
		}
		// Normalizing is idempotent except for the one "/" dropped per call.
		again, err := ParseURL(u)
		if err != nil {
			t.Fatalf("ParseURL(%q) = %q, which does not parse again: %v", s, u, err)
		}
		p := strings.SplitN(strings.SplitN(u, "?", 2)[0], "#", 2)[0]
		if !strings.HasSuffix(p, "/") && u == strings.TrimFunc(u, isSpace) && again != u {
			t.Fatalf("ParseURL(%q) = %q, then %q", s, u, again)
		}
	})
}

// fuzzSettings has one field of each decoded kind.
type fuzzSettings struct {
	S  string        `ini:"s" oneof:"a b"`
	B  bool          `ini:"b"`
	I  int8          `ini:"i" min:"-5" max:"5"`
	U  uint16        `ini:"u" unit:"bytes"`
	F  float32       `ini:"f"`
	Se float64       `ini:"se" unit:"s"`
	D  time.Duration `ini:"d" max:"1h"`
	L  []string      `ini:"l" split:"comma"`
	R  *url.URL      `ini:"r"`
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"a", "yes", "5", "64kB", "1.5", "2m", "1h", "x, y", "http://h/", "${s}", "", "-6", "1e40"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, key := range []string{"s", "b", "i", "u", "f", "se", "d", "l", "r"} {
			c := New()
			c.Set("x", key, v)
			var s fuzzSettings
			err := Decode(c, "x", &s)
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrValue) && !errors.Is(err, ErrInterpolation) {
				t.Fatalf("[x] %s = %q: error %v is neither ErrValue nor ErrInterpolation", key, v, err)
			}
			if !strings.Contains(err.Error(), "[x] "+key+" = "+strconv.Quote(v)) {
				t.Fatalf("[x] %s = %q: error %q does not name the key and the quoted value", key, v, err)
			}
		}
	})
}
