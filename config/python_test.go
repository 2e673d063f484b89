package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tests in this file pin the places where this package used to differ
// from Python ASAB's ConfigParser. Each comment states what Python 3.11's
// configparser (with ExtendedInterpolation, as ASAB uses it) or ASAB's own
// helpers do with the same input; the expectations were checked against
// python3 on this machine.

// Python ASAB's convert_to_seconds accepts "Y", "W" and "D" beside "y", "w"
// and "d" for backward compatibility; "M" stays a month and "m" a minute.
func TestPythonUpperCaseSecondsUnits(t *testing.T) {
	for in, want := range map[string]float64{
		"1Y": 365 * 86400, "2W": 14 * 86400, "3D": 3 * 86400,
		"1M": 31 * 86400, "1m": 60, "1y": 365 * 86400,
	} {
		if got, err := ParseSeconds(in); err != nil || math.Abs(got-want) > 1e-9 {
			t.Errorf("ParseSeconds(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"1H", "1S", "1MS"} { // ASAB has no upper-case h, s, ms
		if _, err := ParseSeconds(in); err == nil {
			t.Errorf("ParseSeconds(%q) accepted", in)
		}
	}
}

// Python reads files with universal newlines: "\r" alone ends a line, so a
// file written with CR-only line endings has its keys ({'a': '1\ntwo',
// 'b': '2'} for the text below).
func TestPythonCROnlyLineEndings(t *testing.T) {
	c := load(t, "[s]\ra = 1\r  two\r\rb = 2\r\nc = 3\n")
	for key, want := range map[string]string{"a": "1\ntwo", "b": "2", "c": "3"} {
		if got := mustGet(t, c, "s", key); got != want {
			t.Errorf("[s] %s = %q, want %q", key, got, want)
		}
	}
}

// Python's MAX_INTERPOLATION_DEPTH is 10: a chain of 10 references
// resolves, the 11th raises InterpolationDepthError.
func TestPythonInterpolationDepth(t *testing.T) {
	chain := func(n int) *Config {
		c := New()
		for i := 0; i < n; i++ {
			c.Set("s", fmt.Sprintf("k%d", i), fmt.Sprintf("${k%d}", i+1))
		}
		c.Set("s", fmt.Sprintf("k%d", n), "end")
		return c
	}
	for _, n := range []int{9, 10} {
		if got, err := chain(n).Get("s", "k0"); err != nil || got != "end" {
			t.Errorf("%d references: %q, %v; want end", n, got, err)
		}
	}
	_, err := chain(11).Get("s", "k0")
	if !errors.Is(err, ErrInterpolation) || !strings.Contains(err.Error(), "more than 10 deep") {
		t.Errorf("11 references: %v, want a depth error", err)
	}
}

// Python does not trim a reference: "${ a }" names the key " a ", which does
// not exist (InterpolationMissingOptionError).
func TestPythonReferenceWithSpaces(t *testing.T) {
	c := load(t, "[s]\na = 1\nb = ${ a }\n")
	_, err := c.Get("s", "b")
	if !errors.Is(err, ErrInterpolation) || !strings.Contains(err.Error(), `"${ a }"`) {
		t.Errorf("Get: %v, want an interpolation error quoting the reference", err)
	}
}

// Python merges a [DEFAULT] given twice in one file (strict mode refuses only
// other repeated sections), but a key given in both parts is still a
// DuplicateOptionError.
func TestPythonDefaultTwiceMerges(t *testing.T) {
	c := load(t, "[DEFAULT]\na = 1\n[s]\nx = 1\n[DEFAULT]\nb = 2\n")
	if a, b := mustGet(t, c, "s", "a"), mustGet(t, c, "s", "b"); a != "1" || b != "2" {
		t.Errorf("[s] a, b = %q, %q; want 1, 2", a, b)
	}
	err := New().LoadString("bad.conf", "[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n")
	if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "bad.conf:4:") {
		t.Errorf("duplicate key across two [DEFAULT]: %v", err)
	}
	if err := New().LoadString("bad.conf", "[s]\n[s]\n"); err == nil {
		t.Error("a repeated [s] must stay an error")
	}
}

// Python refuses a file that is not valid UTF-8 (UnicodeDecodeError); here it
// is an error naming the file and the line.
func TestPythonInvalidUTF8(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(p, []byte("[s]\na = 1\nb = \xff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := New()
	err := c.LoadFile(p)
	if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), p+":3:") || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("LoadFile: %v, want a UTF-8 error at line 3", err)
	}
	if len(c.Sections()) != 0 {
		t.Error("a failed load changed the config")
	}
}

// Python measures indentation in characters with str.isspace, so U+00A0
// (no-break space) indents like a space: with the key indented by one
// U+00A0, a line indented by two spaces continues the value
// ({'a': 'one\ntwo'}). U+001C..U+001F are white space to Python too.
func TestPythonIndentationInCharacters(t *testing.T) {
	for name, text := range map[string]string{
		"nbsp key":          "[s]\n\u00a0a = one\n  two\n",
		"nbsp continuation": "[s]\na = one\n\u00a0two\n",
		"x1f continuation":  "[s]\na = one\n\x1ftwo\n",
	} {
		c := load(t, text)
		if got := mustGet(t, c, "s", "a"); got != "one\ntwo" {
			t.Errorf("%s: [s] a = %q, want %q", name, got, "one\ntwo")
		}
	}
}

// Python's glob, which ASAB uses for includes, does not match hidden files
// with a wildcard: "conf.d/*.conf" skips "conf.d/.x.conf"; a pattern element
// that starts with "." does match them.
func TestPythonIncludeGlobSkipsHiddenFiles(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"main.conf":        "[general]\ninclude = conf.d/*.conf\n[s]\na = main\n",
		"conf.d/.x.conf":   "[s]\na = hidden\n",
		"conf.d/y.conf":    "[s]\nb = visible\n",
		"dot.conf":         "[general]\ninclude = conf.d/.*.conf\n",
		"hidden/.d/z.conf": "[s]\nc = under a hidden directory\n",
		"star.conf":        "[general]\ninclude = hidden/*/z.conf\n",
	})
	c := loadFile(t, filepath.Join(dir, "main.conf"))
	if a, b := mustGet(t, c, "s", "a"), mustGet(t, c, "s", "b"); a != "main" || b != "visible" {
		t.Errorf("[s] a, b = %q, %q; want main, visible", a, b)
	}
	c = loadFile(t, filepath.Join(dir, "dot.conf"))
	if a := mustGet(t, c, "s", "a"); a != "hidden" {
		t.Errorf("with .*.conf: [s] a = %q, want hidden", a)
	}
	c = loadFile(t, filepath.Join(dir, "star.conf"))
	if c.Has("s", "c") {
		t.Error("* matched a hidden directory")
	}
}

// ASAB's geturl is urllib.parse.urlparse, one "/" dropped from the end of the
// path, then geturl(): the scheme comes out lowercased, "http://x/?q=1" as
// "http://x?q=1", a fragment is never edited, an empty query or fragment is
// dropped.
func TestPythonGetURL(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP://x/":                           "http://x",
		"http://x/?q=1":                       "http://x?q=1",
		"http://x/p/#frag/":                   "http://x/p#frag/",
		"http://X/a//":                        "http://X/a/",
		"http://x/?":                          "http://x",
		"http://x/?#":                         "http://x",
		" https://www.google.com/ ":           "https://www.google.com",
		"mongodb://LOCALHOST:27017/coolDB/":   "mongodb://LOCALHOST:27017/coolDB",
		"amqp://u:p@h:5672/%2F":               "amqp://u:p@h:5672/%2F",
		"http://x/;p?q":                       "http://x/;p?q",
		"http://x?a=/b/":                      "http://x?a=/b/",
		"AMQPS://guest:guest@127.0.0.1:5671/": "amqps://guest:guest@127.0.0.1:5671",
	} {
		if got, err := ParseURL(in); err != nil || got != want {
			t.Errorf("ParseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got, err := ParseURL("AMQP://h/", "amqp"); err != nil || got != "amqp://h" {
		t.Errorf("ParseURL with scheme: %q, %v", got, err)
	}
}

// Python's optionxform is str.lower, which applies Unicode's full lowercase
// mappings: "İ" (U+0130) becomes "i̇" (i + U+0307) and a capital sigma at
// the end of a word becomes "ς" ('ΑΣ'.lower() == 'ας', 'ΑΣ.'.lower() ==
// 'ας.', "ΑΣ'Α".lower() == "ασ'α", 'Σ'.lower() == 'σ').
func TestPythonKeyLowercasing(t *testing.T) {
	for in, want := range map[string]string{
		"ΑΣ": "ας", "Σ": "σ", "ΑΣΑ": "ασα", "İ": "i\u0307", "ΑΣ.": "ας.",
		"ΑΣ'Α": "ασ'α", "A\u0301Σ": "a\u0301ς", "Σ1": "σ1", "1Σ": "1σ",
		"ǅ": "ǆ", "ẞ": "ß", "K": "k", "Ω": "ω", "MixedCase": "mixedcase",
	} {
		if got := lowerKey(in); got != want {
			t.Errorf("lowerKey(%q) = %q, want %q", in, got, want)
		}
	}
	c := load(t, "[s]\nΟΔΟΣ = 1\n")
	if got := mustGet(t, c, "s", "οδος"); got != "1" {
		t.Errorf("Get(οδος) = %q", got)
	}
	if got := c.Keys("s"); len(got) != 1 || got[0] != "οδος" {
		t.Errorf("Keys = %q, want [οδος]", got)
	}
}
