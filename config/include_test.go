package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles writes name -> content under dir and returns dir.
func writeFiles(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadFile(t *testing.T, path string) *Config {
	t.Helper()
	c := New()
	if err := c.LoadFile(path); err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	return c
}

func TestIncludes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]string // "section.key" -> value ("" key absent check uses "<none>")
		warns int
	}{
		{
			name: "nested include wins",
			files: map[string]string{
				"main.conf":   "[general]\ninclude = a.conf\n[s]\nk = main\nonly_main = m\n",
				"a.conf":      "[general]\ninclude = nested.conf\n[s]\nk = from_a\nonly_a = a\n",
				"nested.conf": "[s]\nk = from_nested\n",
			},
			want: map[string]string{"s.k": "from_nested", "s.only_main": "m", "s.only_a": "a"},
		},
		{
			name: "depth first, later sibling beats earlier nested",
			files: map[string]string{
				"main.conf": "[general]\ninclude = a.conf b.conf\n[s]\nk = main\n",
				"a.conf":    "[general]\ninclude = a2.conf\n[s]\nk = a\n",
				"a2.conf":   "[s]\nk = a2\nx = a2\n",
				"b.conf":    "[s]\nk = b\n",
			},
			want: map[string]string{"s.k": "b", "s.x": "a2"},
		},
		{
			name: "newline, space, tab and colon separated",
			files: map[string]string{
				"main.conf": "[general]\ninclude =\n  one.conf two.conf\n  three.conf:four.conf\tfive.conf\n",
				"one.conf":  "[s]\none = 1\n", "two.conf": "[s]\ntwo = 2\n", "three.conf": "[s]\nthree = 3\n",
				"four.conf": "[s]\nfour = 4\n", "five.conf": "[s]\nfive = 5\n",
			},
			want: map[string]string{"s.one": "1", "s.two": "2", "s.three": "3", "s.four": "4", "s.five": "5"},
		},
		{
			name: "glob sorted",
			files: map[string]string{
				"main.conf":     "[general]\ninclude = site.d/*.conf\n",
				"site.d/b.conf": "[s]\nk = b\nb = 1\n",
				"site.d/a.conf": "[s]\nk = a\na = 1\n",
				"site.d/c.txt":  "[s]\nk = txt\n",
			},
			want: map[string]string{"s.k": "b", "s.a": "1", "s.b": "1"},
		},
		{
			name:  "missing files ignored",
			files: map[string]string{"main.conf": "[general]\ninclude = nothere.conf none/*.conf\n[s]\nk = main\n"},
			want:  map[string]string{"s.k": "main"},
		},
		{
			name: "repeat warns and is read once",
			files: map[string]string{
				"main.conf": "[general]\ninclude = a.conf b.conf a.conf\n",
				"a.conf":    "[s]\nk = a\n",
				"b.conf":    "[s]\nk = b\n",
			},
			want:  map[string]string{"s.k": "b"},
			warns: 1,
		},
		{
			name: "cycle terminates",
			files: map[string]string{
				"main.conf": "[general]\ninclude = a.conf\n[s]\nk = main\n",
				"a.conf":    "[general]\ninclude = b.conf\n[s]\nk = a\n",
				"b.conf":    "[general]\ninclude = a.conf main.conf\n[s]\nk = b\n",
			},
			want:  map[string]string{"s.k": "b"},
			warns: 2,
		},
		{
			name: "self include",
			files: map[string]string{
				"main.conf": "[general]\ninclude = main.conf\n[s]\nk = main\n",
			},
			want:  map[string]string{"s.k": "main"},
			warns: 1,
		},
		{
			name: "relative to the including file",
			files: map[string]string{
				"main.conf":      "[general]\ninclude = sub/a.conf\n",
				"sub/a.conf":     "[general]\ninclude = inner.conf\n[s]\nk = a\n",
				"sub/inner.conf": "[s]\nk = inner\n",
			},
			want: map[string]string{"s.k": "inner"},
		},
		{
			name: "THIS_DIR is the directory of the file being read",
			files: map[string]string{
				"main.conf":  "[general]\ninclude = ${THIS_DIR}/sub/a.conf\n[s]\nmain_dir = ${THIS_DIR}\n",
				"sub/a.conf": "[s]\na_dir = $THIS_DIR\n",
			},
			want: map[string]string{"s.main_dir": "{dir}", "s.a_dir": "{dir}/sub"},
		},
		{
			name: "include env-expanded",
			files: map[string]string{
				"main.conf":  "[general]\ninclude = $ASAB_TEST_INC_DIR/x.conf\n",
				"inc/x.conf": "[s]\nk = x\n",
			},
			want: map[string]string{"s.k": "x"},
		},
		{
			name:  "directory matched by a glob is skipped",
			files: map[string]string{"main.conf": "[general]\ninclude = *\n", "d/x.conf": "[s]\nk = no\n"},
			want:  map[string]string{"s.k": "<none>"},
			warns: 2, // main.conf again and the directory d
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), tt.files)
			t.Setenv("ASAB_TEST_INC_DIR", filepath.Join(dir, "inc"))
			c := loadFile(t, filepath.Join(dir, "main.conf"))
			for sk, want := range tt.want {
				sec, key, _ := strings.Cut(sk, ".")
				got, err := c.Get(sec, key)
				if want == "<none>" {
					if err == nil {
						t.Errorf("[%s] %s = %q, want none", sec, key, got)
					}
					continue
				}
				want = strings.ReplaceAll(want, "{dir}", dir)
				if err != nil || got != want {
					t.Errorf("[%s] %s = %q, %v; want %q", sec, key, got, err, want)
				}
			}
			if w := c.Warnings(); len(w) != tt.warns {
				t.Errorf("Warnings() = %q, want %d", w, tt.warns)
			}
		})
	}
}

func TestIncludeWarningNamesFiles(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"main.conf": "[general]\ninclude = a.conf\n   a.conf\n",
		"a.conf":    "",
	})
	c := loadFile(t, filepath.Join(dir, "main.conf"))
	w := c.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], filepath.Join(dir, "a.conf")) || !strings.Contains(w[0], "main.conf:2") {
		t.Fatalf("Warnings() = %q, want one naming a.conf and main.conf:2", w)
	}
}

func TestIncludeErrorNamesFileAndLeavesConfigUnchanged(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"main.conf": "[general]\ninclude = bad.conf\n[s]\nk = main\n",
		"bad.conf":  "[s]\nk = 1\nk = 2\n",
	})
	c := New()
	c.Set("s", "k", "before")
	err := c.LoadFile(filepath.Join(dir, "main.conf"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "bad.conf")+":3:") {
		t.Fatalf("error = %v, want one naming bad.conf:3", err)
	}
	if got := mustGet(t, c, "s", "k"); got != "before" {
		t.Errorf("after a failed load [s] k = %q, want before", got)
	}
	if got := c.Sections(); !slices.Equal(got, []string{"s"}) {
		t.Errorf("after a failed load Sections() = %v", got)
	}
}

func TestIncludeBadGlob(t *testing.T) {
	err := New().LoadString("main.conf", "[general]\n\ninclude = [\n")
	if err == nil || !strings.Contains(err.Error(), "main.conf:3") {
		t.Fatalf("error = %v, want one naming main.conf:3", err)
	}
}

func TestSplitIncludes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a.conf", []string{"a.conf"}},
		{"a.conf:b.conf", []string{"a.conf", "b.conf"}},
		{"a.conf b.conf", []string{"a.conf", "b.conf"}},
		{"\na.conf\n  b.conf\n\n", []string{"a.conf", "b.conf"}},
		{"::a  :\t b::", []string{"a", "b"}},
		{"./etc/site.conf:./etc/site.d/*.conf", []string{"./etc/site.conf", "./etc/site.d/*.conf"}},
	}
	for _, tt := range tests {
		if got := splitIncludes(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitIncludes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoadStringNameIsBaseForIncludes(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{"inc.conf": "[s]\nk = inc\n"})
	c := New()
	// The name need not exist; its directory is where relative includes are found.
	if err := c.LoadString(filepath.Join(dir, "virtual.conf"), "[general]\ninclude = inc.conf\n[s]\nk = main\nd = ${THIS_DIR}\n"); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "s", "k"); got != "inc" {
		t.Errorf("[s] k = %q, want inc", got)
	}
	if got := mustGet(t, c, "s", "d"); got != dir {
		t.Errorf("${THIS_DIR} = %q, want %q", got, dir)
	}
}

// TestMissingIncludes: a file named without a wildcard that does not exist
// is listed, with the file and line of its include, and survives
// ReplaceWith; a glob that matches nothing and a file that exists are not.
func TestMissingIncludes(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"main.conf": "[general]\ninclude =\n  here.conf\n  gone.conf\n  conf.d/*.conf\n",
		"here.conf": "[s]\nk = 1\n",
	})
	main := filepath.Join(dir, "main.conf")
	c := loadFile(t, main)
	want := []MissingInclude{{Path: filepath.Join(dir, "gone.conf"), From: main, Line: 2}}
	if got := c.MissingIncludes(); !slices.Equal(got, want) {
		t.Fatalf("MissingIncludes() = %+v, want %+v", got, want)
	}
	if s := want[0].String(); !strings.Contains(s, main+":2: include "+filepath.Join(dir, "gone.conf")) {
		t.Errorf("String() = %q", s)
	}
	r := New()
	r.ReplaceWith(c)
	if got := r.MissingIncludes(); !slices.Equal(got, want) {
		t.Errorf("after ReplaceWith MissingIncludes() = %+v", got)
	}
}
