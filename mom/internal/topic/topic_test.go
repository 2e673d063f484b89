package topic

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTopicMatch(t *testing.T) {
	cases := []struct {
		pattern, key string
		want         bool
	}{
		{"a.b", "a.b", true},
		{"a.b", "a.c", false},
		{"a.*", "a.b", true},
		{"a.*", "a", false},
		{"a.*", "a.b.c", false},
		{"a.#", "a", true},
		{"a.#", "a.b.c", true},
		{"#", "", true},
		{"#", "x.y", true},
		{"#.z", "z", true},
		{"#.z", "x.y.z", true},
		{"#.z", "x.y", false},
		{"*.*", "a.b", true},
		{"*", "", true}, // one empty word, as in RabbitMQ
		{"a.#.z", "a.z", true},
		{"a.#.z", "a.b.c.z", true},
		{"a.#.z", "a.b.c", false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.key); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.key, got, c.want)
		}
	}
}

// reference matches by a regular expression built from the pattern: the
// key is written with a dot before every word, "*" is one such word and "#"
// any number of them.
func reference(pattern, key string) bool {
	var re strings.Builder
	re.WriteString("^")
	for _, w := range strings.Split(pattern, ".") {
		switch w {
		case "#":
			re.WriteString(`(?:\.[^.]*)*`)
		case "*":
			re.WriteString(`\.[^.]*`)
		default:
			re.WriteString(`\.` + regexp.QuoteMeta(w))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString("." + key)
}

func TestTopicMatchAgreesWithReference(t *testing.T) {
	for _, p := range []string{"a.b", "a.*", "a.#", "#", "#.z", "*.*", "*", "a.#.z", "#.#", "*.#.*"} {
		for _, k := range []string{"", "a", "a.b", "a.z", "a.b.z", "x.y.z", "z", ".", "a..z"} {
			if got, want := Match(p, k), reference(p, k); got != want {
				t.Errorf("Match(%q, %q) = %v, reference %v", p, k, got, want)
			}
		}
	}
}

// FuzzTopicMatch compares the matcher with the regular-expression
// reference on arbitrary patterns and keys.
func FuzzTopicMatch(f *testing.F) {
	for _, s := range [][2]string{{"a.#", "a.b"}, {"#.z", "z"}, {"*.b", "a.b"}, {"a.#.#.z", "a.z"}, {"#", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, key string) {
		if len(pattern) > 64 || len(key) > 64 || strings.Count(pattern, "#") > 4 {
			return // keep the backtracking of both sides small
		}
		if !utf8.ValidString(pattern) || !utf8.ValidString(key) {
			return // the reference (regexp) needs UTF-8; the matcher does not care
		}
		if got, want := Match(pattern, key), reference(pattern, key); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference %v", pattern, key, got, want)
		}
	})
}
