package app

import (
	"reflect"
	"sort"
	"testing"

	"github.com/asabgo/asab/config"
)

func TestChangedSections(t *testing.T) {
	for _, tc := range []struct {
		name      string
		old, next string
		want      []string
	}{
		{"identical", "[a]\nx = 1\n[b]\ny = 2\n", "[a]\nx = 1\n[b]\ny = 2\n", nil},
		{"key order only", "[a]\nx = 1\ny = 2\n", "[a]\ny = 2\nx = 1\n", nil},
		{"changed value", "[a]\nx = 1\n[b]\ny = 2\n", "[a]\nx = 1\n[b]\ny = 3\n", []string{"b"}},
		{"added key", "[a]\nx = 1\n", "[a]\nx = 1\nz = 0\n", []string{"a"}},
		{"removed key", "[a]\nx = 1\nz = 0\n", "[a]\nx = 1\n", []string{"a"}},
		{"added section", "[a]\nx = 1\n", "[a]\nx = 1\n[c]\n", []string{"c"}},
		{"removed sections, in old order", "[a]\nx = 1\n[c]\n[d]\n", "[a]\nx = 1\n", []string{"c", "d"}},
		{"new order of next, then removed", "[a]\nx = 1\n[b]\ny = 2\n[gone]\n", "[b]\ny = 3\n[a]\nx = 2\n", []string{"b", "a", "gone"}},
		{"an interpolated value follows its reference", "[a]\nx = 1\n[b]\ny = ${a:x}\n", "[a]\nx = 2\n[b]\ny = ${a:x}\n", []string{"a", "b"}},
		{"DEFAULT changes what inherits it", "[DEFAULT]\nd = 1\n[a]\nx = 1\n[b]\nd = own\n", "[DEFAULT]\nd = 2\n[a]\nx = 1\n[b]\nd = own\n", []string{"DEFAULT", "a"}},
		{"same text, different unresolvable reference", "[a]\nx = ${nope:one}\n", "[a]\nx = ${nope:two}\n", []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			load := func(text string) *config.Config {
				c := config.New()
				if err := c.LoadString("test.conf", text); err != nil {
					t.Fatal(err)
				}
				return c
			}
			got := changedSections(load(tc.old), load(tc.next))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("changedSections = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestKeepStatic(t *testing.T) {
	old, next := config.New(), config.New()
	if err := old.LoadString("old.conf", "[web]\nlisten = 127.0.0.1 1\nmode = a\n[sock]\nport = 5\n"); err != nil {
		t.Fatal(err)
	}
	if err := next.LoadString("new.conf", "[web]\nlisten = 127.0.0.1 2\nmode = b\n[sock]\n"); err != nil {
		t.Fatal(err)
	}
	kept := keepStatic(old, next, []staticKey{{"web", "listen"}, {"web", "listen"}, {"sock", "port"}, {"web", "absent"}})
	want := []keptValue{{staticKey{"web", "listen"}, "127.0.0.1 1", "127.0.0.1 2"}, {staticKey{"sock", "port"}, "5", "(unset)"}}
	if !reflect.DeepEqual(kept, want) {
		t.Fatalf("kept %+v, want %+v", kept, want)
	}
	if v := valueOf(next, "web", "listen"); v != "127.0.0.1 1" {
		t.Errorf("[web] listen = %q, want the old value", v)
	}
	if v := valueOf(next, "sock", "port"); v != "5" {
		t.Errorf("[sock] port = %q, want the old value", v)
	}
	if v := valueOf(next, "web", "mode"); v != "b" {
		t.Errorf("[web] mode = %q: a key that is not static must take the new value", v)
	}
	if got := changedSections(old, next); !reflect.DeepEqual(got, []string{"web"}) {
		t.Errorf("after keeping the static keys, changed = %q, want [web]", got)
	}
}

// valueOf is cfg's value of section and key, "" when Get fails.
func valueOf(cfg *config.Config, section, key string) string {
	v, err := cfg.Get(section, key)
	if err != nil {
		return ""
	}
	return v
}

// FuzzChangedSections checks the diff on any two configurations that
// parse: a configuration does not differ from itself, the diff is the same
// set of sections both ways round, and once a ReplaceWith made the old one
// the new one, nothing differs.
func FuzzChangedSections(f *testing.F) {
	f.Add("[a]\nx = 1\n", "[a]\nx = 2\n")
	f.Add("[DEFAULT]\nd = 1\n[a]\n[b]\nd = 2\n", "[b]\nd = 2\n[a]\n")
	f.Add("[a]\nx = ${b:y}\n[b]\ny = 1\n", "[a]\nx = ${b:y}\n[b]\ny = ${a:x}\n")
	f.Fuzz(func(t *testing.T, oldText, nextText string) {
		old, next := config.New(), config.New()
		if old.LoadString("old.conf", oldText) != nil || next.LoadString("new.conf", nextText) != nil {
			return
		}
		if d := changedSections(old, old); len(d) != 0 {
			t.Fatalf("a configuration differs from itself in %q", d)
		}
		ab, ba := changedSections(old, next), changedSections(next, old)
		sort.Strings(ab)
		sort.Strings(ba)
		if !reflect.DeepEqual(ab, ba) {
			t.Fatalf("the diff depends on the direction: %q and %q", ab, ba)
		}
		old.ReplaceWith(next)
		if d := changedSections(old, next); len(d) != 0 {
			t.Fatalf("after ReplaceWith the configurations differ in %q", d)
		}
	})
}

// TestKeepStaticSection: a section declared static as a whole keeps every
// key as it was: a changed one, one added and one removed.
func TestKeepStaticSection(t *testing.T) {
	old, next := config.New(), config.New()
	if err := old.LoadString("old.conf", "[broker]\nurl = amqp://a\ngone = 1\n[other]\nx = 1\n"); err != nil {
		t.Fatal(err)
	}
	if err := next.LoadString("new.conf", "[broker]\nurl = amqp://b\nadded = 2\n[other]\nx = 2\n"); err != nil {
		t.Fatal(err)
	}
	kept := keepStatic(old, next, []staticKey{{"broker", ""}})
	want := []keptValue{
		{staticKey{"broker", "url"}, "amqp://a", "amqp://b"},
		{staticKey{"broker", "gone"}, "1", "(unset)"},
		{staticKey{"broker", "added"}, "(unset)", "2"},
	}
	if !reflect.DeepEqual(kept, want) {
		t.Fatalf("kept %+v, want %+v", kept, want)
	}
	if got := changedSections(old, next); !reflect.DeepEqual(got, []string{"other"}) {
		t.Errorf("after keeping [broker], changed = %q, want [other]", got)
	}
}
