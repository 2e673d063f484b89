package logging

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzLevelRules feeds [logging] levels text to the parser. Whatever the
// input: no panic; an error names "levels line N" with N a line of the
// input; a success gives one rule per line that is not blank or a comment,
// each with a name without white space and one of the six levels, and
// writing the rules back out as "name LEVEL" lines parses to the same
// rules. Every rule's own name then resolves to a rule of that name.
func FuzzLevelRules(f *testing.F) {
	for _, s := range []string{
		"", "asab.web DEBUG", "a INFO\nb notice\n# c x\n; d y\n\n  e 25  ",
		"a.b.c WARNING\na.b ERROR\na CRIT", "x LOUD", "x", "x DEBUG extra", "x 15\ny 51", "\t a \t 10 \r",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := parseLevelRules(text)
		lines := strings.Split(text, "\n")
		if err != nil {
			msg := err.Error()
			i := strings.Index(msg, "levels line ")
			if i < 0 {
				t.Fatalf("error does not name the line: %v", err)
			}
			rest := msg[i+len("levels line "):]
			n, convErr := strconv.Atoi(rest[:strings.IndexByte(rest, ' ')])
			if convErr != nil || n < 1 || n > len(lines) {
				t.Fatalf("error names line %q of %d: %v", rest, len(lines), err)
			}
			return
		}
		want := 0
		for _, l := range lines {
			if l = strings.TrimSpace(l); l != "" && l[0] != '#' && l[0] != ';' {
				want++
			}
		}
		if len(rules) != want {
			t.Fatalf("%d rules from %d rule lines: %+v", len(rules), want, rules)
		}
		var out strings.Builder
		for _, r := range rules {
			if r.name == "" || strings.ContainsFunc(r.name, isSpace) || !r.level.valid() {
				t.Fatalf("bad rule %+v", r)
			}
			out.WriteString(r.name + " " + r.level.String() + "\n")
		}
		again, err := parseLevelRules(out.String())
		if err != nil {
			t.Fatalf("rules written back do not parse: %v\n%s", err, out.String())
		}
		if len(again) != len(rules) {
			t.Fatalf("round trip: %+v, want %+v", again, rules)
		}
		for i := range rules {
			if again[i] != rules[i] {
				t.Fatalf("round trip rule %d: %+v, want %+v", i, again[i], rules[i])
			}
		}
		p := newPipeline(LevelNotice, rules, fixedClock)
		for _, r := range rules {
			found := false
			for _, o := range rules {
				if o.name == r.name && p.threshold(r.name) == o.level {
					found = true
				}
			}
			if !found {
				t.Fatalf("logger %q resolves to %v, which no rule named %q gives", r.name, p.threshold(r.name), r.name)
			}
		}
	})
}

func isSpace(r rune) bool { return strings.TrimSpace(string(r)) == "" }
