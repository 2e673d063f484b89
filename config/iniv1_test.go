package config

import (
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// TestAgreesWithIniV1 cross-checks the parser against gopkg.in/ini.v1 on
// files where configparser's rules and ini.v1's (configured as close to them as
// it goes) coincide: no quoting, no indented comments, no blank lines in values.
// ini.v1 keeps the indentation of continuation lines, so lines are compared
// trimmed.
func TestAgreesWithIniV1(t *testing.T) {
	corpus := []string{
		"[s]\na = 1\nB = 2\nc: 3\n",
		"[DEFAULT]\nd = x\n[One]\nk = v # not a comment\nk2 = v ; neither\n[two]\nk = w\n",
		"[s]\nmulti = first\n  second\n  third line\nnext = 1\n",
		"# comment\n; comment\n[logging:file]\npath = /var/log/x.log\n[web]\nlisten = 0.0.0.0 8080\n",
		"[s]\nurl = http://host:80/?a=b\nempty =\nspaces   =   x   y   \n",
		"[s]\nMixed Case Key = 1\n[S]\nk = 2\n",
	}
	opts := ini.LoadOptions{
		InsensitiveKeys:            true,
		IgnoreInlineComment:        true,
		AllowPythonMultilineValues: true,
		KeyValueDelimiters:         "=:",
		PreserveSurroundedQuote:    true,
		IgnoreContinuation:         true,
	}
	norm := func(v string) string {
		lines := strings.Split(v, "\n")
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		return strings.Join(lines, "\n")
	}
	for _, text := range corpus {
		ours := load(t, text)
		theirs, err := ini.LoadSources(opts, []byte(text))
		if err != nil {
			t.Fatalf("ini.v1: %v", err)
		}
		var theirSecs []string
		for _, s := range theirs.Sections() {
			if s.Name() != ini.DefaultSection {
				theirSecs = append(theirSecs, s.Name())
			}
		}
		if got := ours.Sections(); strings.Join(got, "|") != strings.Join(theirSecs, "|") {
			t.Errorf("%q: sections %q, ini.v1 %q", text, got, theirSecs)
		}
		for _, s := range theirs.Sections() {
			for _, k := range s.Keys() {
				v, err := ours.Get(s.Name(), k.Name())
				if err != nil {
					t.Errorf("%q: ini.v1 has [%s] %s, we: %v", text, s.Name(), k.Name(), err)
				} else if norm(v) != norm(k.Value()) {
					t.Errorf("%q: [%s] %s = %q, ini.v1 %q", text, s.Name(), k.Name(), v, k.Value())
				}
			}
			if n := len(theirs.Section(s.Name()).Keys()); s.Name() != ini.DefaultSection && n > len(ours.Keys(s.Name())) {
				t.Errorf("%q: [%s] we have fewer keys than ini.v1", text, s.Name())
			}
		}
	}
}
