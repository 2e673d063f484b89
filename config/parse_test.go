package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSyntax(t *testing.T) {
	tests := []struct {
		name, text, section, key, want string
	}{
		{"equals", "[s]\na = 1\n", "s", "a", "1"},
		{"colon", "[s]\na: 1\n", "s", "a", "1"},
		{"first delimiter wins", "[s]\na = b: c = d\n", "s", "a", "b: c = d"},
		{"colon first", "[s]\nurl: http://x=y\n", "s", "url", "http://x=y"},
		{"key lowercased", "[s]\nMyKey = v\n", "s", "mykey", "v"},
		{"get key any case", "[s]\nMyKey = v\n", "s", "MYKEY", "v"},
		{"spaces around", "[s]\n  a   =   spaced value  \n", "s", "a", "spaced value"},
		{"key with inner space", "[s]\nmy key = v\n", "s", "my key", "v"},
		{"no inline comment hash", "[s]\na = 1 # x\n", "s", "a", "1 # x"},
		{"no inline comment semicolon", "[s]\na = 1 ; x\n", "s", "a", "1 ; x"},
		{"hash comment line", "[s]\n# a = 2\na = 1\n", "s", "a", "1"},
		{"semicolon comment line", "[s]\n; a = 2\na = 1\n", "s", "a", "1"},
		{"indented comment line", "[s]\na = 1\n  # not part\n", "s", "a", "1"},
		{"empty value", "[s]\na =\n", "s", "a", ""},
		{"quotes kept", "[s]\na = \"q\"\n", "s", "a", "\"q\""},
		{"backtick kept", "[s]\na = `q`\n", "s", "a", "`q`"},
		{"backslash kept", "[s]\na = x\\\nb = y\n", "s", "a", "x\\"},
		{"continuation", "[s]\na = one\n  two\n\tthree\n", "s", "a", "one\ntwo\nthree"},
		{"multiline from empty first line", "[s]\nk =\n  one\n  two three\n", "s", "k", "\none\ntwo three"},
		{"blank line inside value", "[s]\na = one\n\n  two\nb = 2\n", "s", "a", "one\n\ntwo"},
		{"trailing blank lines dropped", "[s]\na = one\n  two\n\n\n[t]\n", "s", "a", "one\ntwo"},
		{"comment inside value skipped", "[s]\na = one\n  ; c\n  two\n", "s", "a", "one\ntwo"},
		{"indented key after indented key", "[s]\n  a = 1\n  b = 2\n", "s", "b", "2"},
		{"indent deeper than key continues", "[s]\n  a = 1\n    b = 2\n", "s", "a", "1\nb = 2"},
		{"percent", "[s]\na = 100%\n", "s", "a", "100%"},
		{"section name case kept", "[MySection]\na = 1\n", "MySection", "a", "1"},
		{"section name with colon", "[logging:file]\npath = /x\n", "logging:file", "path", "/x"},
		{"section header trailing text ignored", "[s] trailing\na = 1\n", "s", "a", "1"},
		{"section with bracket", "[a]b]\nk = v\n", "a]b", "k", "v"},
		{"default feeds", "[DEFAULT]\nd = dv\n[s]\na = 1\n", "s", "d", "dv"},
		{"section beats default", "[DEFAULT]\na = d\n[s]\na = s\n", "s", "a", "s"},
		{"crlf", "[s]\r\na = 1\r\n  2\r\n", "s", "a", "1\n2"},
		{"bom", "\uFEFF[s]\na = 1\n", "s", "a", "1"},
		{"no final newline", "[s]\na = 1", "s", "a", "1"},
		{"unicode key lowercased", "[s]\nÄpfel = 1\n", "s", "äpfel", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := load(t, tt.text)
			if got := mustGet(t, c, tt.section, tt.key); got != tt.want {
				t.Errorf("Get(%q, %q) = %q, want %q", tt.section, tt.key, got, tt.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // substrings of the error
	}{
		{"duplicate key", "[s]\na = 1\nb = 2\nA = 3\n", []string{"bad.conf:4:", "[s]", `duplicate key "a"`, "line 2"}},
		{"duplicate key default", "[DEFAULT]\nx = 1\nx = 2\n", []string{"bad.conf:3:", "[DEFAULT]", `"x"`}},
		{"duplicate section", "[s]\na = 1\n[t]\n[s]\nb = 2\n", []string{"bad.conf:4:", "[s]", "twice", "line 1"}},
		{"key outside section", "a = 1\n[s]\n", []string{"bad.conf:1:", `"a = 1"`, "outside"}},
		{"no delimiter", "[s]\n\njust words\n", []string{"bad.conf:3:", "[s]", `"just words"`}},
		{"empty key", "[s]\n= v\n", []string{"bad.conf:2:", "empty key"}},
		{"empty section name", "[s]\na=1\n[]\n", []string{"bad.conf:3:", `"[]"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New().LoadString("bad.conf", tt.text)
			if err == nil {
				t.Fatal("want an error")
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("error %v does not wrap ErrSyntax", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestSameKeyInTwoSectionsIsFine(t *testing.T) {
	c := load(t, "[a]\nk = 1\n[b]\nk = 2\n")
	if mustGet(t, c, "a", "k") != "1" || mustGet(t, c, "b", "k") != "2" {
		t.Fatal("keys of different sections mixed up")
	}
}

func TestSectionsAndKeys(t *testing.T) {
	c := load(t, "[DEFAULT]\nd = 1\n[zeta]\nb = 1\na = 2\n[Alpha]\n[zeta2]\nd = own\n")
	if got, want := c.Sections(), []string{"zeta", "Alpha", "zeta2"}; !slices.Equal(got, want) {
		t.Errorf("Sections() = %v, want %v", got, want)
	}
	if got, want := c.Keys("zeta"), []string{"b", "a", "d"}; !slices.Equal(got, want) {
		t.Errorf("Keys(zeta) = %v, want %v", got, want)
	}
	if got, want := c.Keys("zeta2"), []string{"d"}; !slices.Equal(got, want) {
		t.Errorf("Keys(zeta2) = %v, want %v", got, want)
	}
	if got, want := c.Keys("DEFAULT"), []string{"d"}; !slices.Equal(got, want) {
		t.Errorf("Keys(DEFAULT) = %v, want %v", got, want)
	}
	if c.Keys("missing") != nil {
		t.Error("Keys of a missing section should be nil")
	}
	for _, tc := range []struct {
		sec, key string
		want     bool
	}{{"zeta", "a", true}, {"zeta", "A", true}, {"zeta", "d", true}, {"Alpha", "d", true}, {"alpha", "d", false}, {"zeta", "x", false}, {"missing", "d", false}} {
		if got := c.Has(tc.sec, tc.key); got != tc.want {
			t.Errorf("Has(%q, %q) = %v, want %v", tc.sec, tc.key, got, tc.want)
		}
	}
	if !c.HasSection("Alpha") || c.HasSection("alpha") || c.HasSection("DEFAULT") {
		t.Error("HasSection: want case-sensitive names and DEFAULT not counted")
	}
}

func TestGetMissing(t *testing.T) {
	c := load(t, "[s]\na = 1\n")
	for _, tc := range [][2]string{{"s", "b"}, {"t", "a"}} {
		_, err := c.Get(tc[0], tc[1])
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get(%q, %q) error = %v, want ErrNotFound", tc[0], tc[1], err)
		}
		if !strings.Contains(err.Error(), "["+tc[0]+"] "+tc[1]) {
			t.Errorf("error %q does not name section and key", err)
		}
	}
	if got, err := c.GetOr("s", "b", "fb"); got != "fb" || err != nil {
		t.Errorf("GetOr = %q, %v, want fb", got, err)
	}
	if got, err := c.GetOr("s", "a", "fb"); got != "1" || err != nil {
		t.Errorf("GetOr = %q, %v, want 1", got, err)
	}
}

func TestLaterLoadOverrides(t *testing.T) {
	c := load(t, "[s]\na = 1\nb = 1\n")
	if err := c.LoadString("second.conf", "[s]\na = 2\n"); err != nil {
		t.Fatal(err)
	}
	if mustGet(t, c, "s", "a") != "2" || mustGet(t, c, "s", "b") != "1" {
		t.Fatal("second load should override a and keep b")
	}
}

func TestSetAndConcurrentUse(t *testing.T) {
	c := New()
	c.Set("s", "Key", "${other}")
	c.Set("s", "other", "v")
	if got := mustGet(t, c, "s", "key"); got != "v" {
		t.Fatalf("Get = %q, want v", got)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 1000; i++ {
			c.Set("s", "other", "w")
		}
	}()
	for i := 0; i < 1000; i++ {
		if _, err := c.Get("s", "key"); err != nil {
			t.Error(err)
			break
		}
	}
	<-done
}

func TestLoadFileMissing(t *testing.T) {
	err := New().LoadFile("/nonexistent/dir/app.conf")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/dir/app.conf") {
		t.Fatalf("error = %v, want one naming the file", err)
	}
}

func TestZeroValueConfig(t *testing.T) {
	var c Config
	if _, err := c.Get("s", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on zero Config: %v", err)
	}
	if c.Sections() != nil || c.Keys("s") != nil || c.HasSection("s") || c.Has("s", "k") {
		t.Fatal("zero Config should be empty")
	}
	c.Set("s", "k", "v")
	if err := c.LoadString("z.conf", "[t]\nk = w\n"); err != nil {
		t.Fatal(err)
	}
	if mustGet(t, &c, "s", "k") != "v" || mustGet(t, &c, "t", "k") != "w" {
		t.Fatal("zero Config did not store values")
	}
}

func TestSnapshotsAreNotShared(t *testing.T) {
	c := load(t, "[s]\na = 1\n")
	before := c.snap.Load()
	c.Set("s", "a", "2")
	c.Set("s", "b", "3")
	if v, _ := before.lookup("s", "a"); v.raw != "1" {
		t.Fatalf("a published snapshot changed: a = %q", v.raw)
	}
	if _, ok := before.lookup("s", "b"); ok {
		t.Fatal("a published snapshot gained a key")
	}
	if mustGet(t, c, "s", "a") != "2" || mustGet(t, c, "s", "b") != "3" {
		t.Fatal("Set lost")
	}
}
