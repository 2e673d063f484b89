package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReplaceWith(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "new.conf")
	if err := os.WriteFile(file, []byte("[b]\ny = 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, other := New(), New()
	if err := c.LoadString("old.conf", "[a]\nx = 1\n"); err != nil {
		t.Fatal(err)
	}
	if err := other.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	c.ReplaceWith(other)
	if c.HasSection("a") || valueOf(c, "b", "y") != "2" {
		t.Fatalf("after ReplaceWith: sections %q", c.Sections())
	}
	if _, ok := c.Files()[file]; !ok || len(c.Files()) != 1 {
		t.Fatalf("Files after ReplaceWith: %v", c.Files())
	}
	// The two stay independent.
	c.Set("b", "y", "3")
	other.Set("b", "z", "4")
	if valueOf(other, "b", "y") != "2" || c.Has("b", "z") {
		t.Fatal("a write after ReplaceWith shows in the other Config")
	}
	c.ReplaceWith(c) // no deadlock, no change
	if valueOf(c, "b", "y") != "3" {
		t.Fatal("ReplaceWith(itself) changed it")
	}
}

func TestCopyValue(t *testing.T) {
	from, c := New(), New()
	if err := from.LoadString("from.conf", "[DEFAULT]\nd = inherited\n[s]\nk = ${d}-old\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadString("c.conf", "[DEFAULT]\nd = other\n[s]\nk = new\ngone = 1\nkeep = 2\n"); err != nil {
		t.Fatal(err)
	}
	c.CopyValue(from, "s", "K")        // the stored (uninterpolated) value
	c.CopyValue(from, "s", "d")        // inherited in from: becomes c's own
	c.CopyValue(from, "s", "gone")     // absent in from: removed from c
	c.CopyValue(from, "new", "absent") // absent in both: nothing happens
	if got := valueOf(c, "s", "k"); got != "inherited-old" {
		t.Errorf("[s] k = %q", got)
	}
	if got := valueOf(c, "DEFAULT", "d"); got != "other" {
		t.Errorf("[DEFAULT] d changed: %q", got)
	}
	if got := c.Keys("s"); !reflect.DeepEqual(got, []string{"k", "keep", "d"}) {
		t.Errorf("keys of [s]: %q", got)
	}
	if c.HasSection("new") {
		t.Error("copying an absent key created its section")
	}
}

// valueOf is c's value of section and key, "" when Get fails.
func valueOf(c *Config, section, key string) string {
	v, err := c.Get(section, key)
	if err != nil {
		return ""
	}
	return v
}

func TestAddDefaultsOf(t *testing.T) {
	from := New()
	from.AddDefaults(map[string]map[string]any{"a": {"x": 1, "y": "one"}})
	if err := from.LoadString("from.conf", "[a]\ny = file\n"); err != nil {
		t.Fatal(err)
	}
	from.AddDefaults(map[string]map[string]any{"a": {"y": "two", "z": true}, "b": {"k": "v"}})
	c := New()
	if err := c.LoadString("c.conf", "[a]\nx = 5\n"); err != nil {
		t.Fatal(err)
	}
	c.AddDefaultsOf(from)
	for _, tc := range []struct{ section, key, want string }{
		{"a", "x", "5"},   // c's own value wins
		{"a", "y", "one"}, // the first layer's default, not from's file value
		{"a", "z", "true"},
		{"b", "k", "v"},
	} {
		if got := valueOf(c, tc.section, tc.key); got != tc.want {
			t.Errorf("[%s] %s = %q, want %q", tc.section, tc.key, got, tc.want)
		}
	}
	// The layers are c's now: a Config built from c gets them again.
	d := New()
	d.AddDefaultsOf(c)
	if valueOf(d, "b", "k") != "v" || valueOf(d, "a", "x") != "1" {
		t.Error("AddDefaultsOf did not record the layers it added")
	}
}

// TestDecodeDuringReplaceIsNotMixed: Decode reads a whole struct from one
// state of the Config, so a Decode that runs while ReplaceWith swaps
// configurations in gets every key of the old one or every key of the new
// one, never some of each.
func TestDecodeDuringReplaceIsNotMixed(t *testing.T) {
	type pair struct {
		A string `ini:"a"`
		B string `ini:"b"`
		C string `ini:"c"`
		D string `ini:"d"`
	}
	var states [2]*Config
	for i := range states {
		states[i] = New()
		if err := states[i].LoadString("s.conf", fmt.Sprintf("[s]\na = %d\nb = %d\nc = %d\nd = %d\n", i, i, i, i)); err != nil {
			t.Fatal(err)
		}
	}
	c := New()
	c.ReplaceWith(states[0])
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200000 {
			c.ReplaceWith(states[i%2])
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		var p pair
		if err := Decode(c, "s", &p); err != nil {
			t.Fatal(err)
		}
		if p.A != p.B || p.B != p.C || p.C != p.D {
			<-done
			t.Fatalf("Decode during ReplaceWith read a mix: %+v", p)
		}
	}
}
