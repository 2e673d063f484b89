package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func BenchmarkGetPlain(b *testing.B) {
	c := New()
	c.AddDefaults(Defaults())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get("general", "var_dir"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetInt(b *testing.B) {
	c := New()
	c.AddDefaults(Defaults())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetInt("general", "shutdown_timeout"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetInterpolated(b *testing.B) {
	c := load(b, "[s]\nbase = /srv\npath = ${base}/data\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get("s", "path"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad1000Keys10Includes loads a main file that includes 10 files,
// 1,000 keys in all.
func BenchmarkLoad1000Keys10Includes(b *testing.B) {
	dir := b.TempDir()
	var inc []string
	for f := 0; f < 10; f++ {
		var sb strings.Builder
		fmt.Fprintf(&sb, "[section%d]\n", f)
		for k := 0; k < 90; k++ {
			fmt.Fprintf(&sb, "key%d = value %d of file %d with ${HOME}\n", k, k, f)
		}
		name := fmt.Sprintf("inc%02d.conf", f)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		inc = append(inc, name)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "[general]\ninclude =\n  %s\n[main]\n", strings.Join(inc, "\n  "))
	for k := 0; k < 99; k++ {
		fmt.Fprintf(&sb, "key%d = main value %d\n", k, k)
	}
	main := filepath.Join(dir, "main.conf")
	if err := os.WriteFile(main, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c := New()
		if err := c.LoadFile(main); err != nil {
			b.Fatal(err)
		}
	}
	c := New()
	_ = c.LoadFile(main)
	n := 0
	for _, s := range c.Sections() {
		n += len(c.Keys(s))
	}
	if n != 1000 {
		b.Fatalf("loaded %d keys, want 1000", n)
	}
}

// BenchmarkBaselineNestedMap is the floor for BenchmarkGetPlain: the same two
// map lookups with no locking, lowercasing or error handling, for comparing
// figures taken on a busy machine.
func BenchmarkBaselineNestedMap(b *testing.B) {
	m := map[string]map[string]string{}
	for s, keys := range Defaults() {
		m[s] = map[string]string{}
		for k, v := range keys {
			m[s][k] = Stringify(v)
		}
	}
	section, key := "general", "var_dir"
	b.ReportAllocs()
	for b.Loop() {
		if m[section][key] == "" {
			b.Fatal("missing")
		}
	}
}

func BenchmarkGetPlainParallel(b *testing.B) {
	c := New()
	c.AddDefaults(Defaults())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get("general", "var_dir"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
