package pdict

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

func loadConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	c := config.New()
	if err := c.LoadString(filepath.Join(t.TempDir(), "app.conf"), text); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpenSection(t *testing.T) {
	dir := t.TempDir()
	c := loadConfig(t, "[general]\nvar_dir = "+dir+"\n[pdict:state]\npath = ${general:var_dir}/state.pdict\ncompact_threshold = 4 KiB\n")
	d, err := OpenSection(c, "pdict:state")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Path() != filepath.Join(dir, "state.pdict") || d.opts.CompactThreshold != 4096 {
		t.Errorf("path %q, threshold %d", d.Path(), d.opts.CompactThreshold)
	}
	if err := d.Set("k", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.pdict")); err != nil {
		t.Error(err)
	}
}

func TestSettingsOptions(t *testing.T) {
	var s Settings
	if err := config.Decode(config.New(), "pdict", &s); err == nil {
		t.Fatal("path is required")
	}
	c := loadConfig(t, "[pdict]\npath = /x\n")
	if err := config.Decode(c, "pdict", &s); err != nil {
		t.Fatal(err)
	}
	if s.Options().CompactThreshold != DefaultCompactThreshold {
		t.Errorf("default threshold: %+v", s.Options())
	}
	if o := (Settings{CompactThreshold: 0}).Options(); o.CompactThreshold >= 0 {
		t.Errorf("compact_threshold = 0 must turn compaction off: %+v", o)
	}
}

func TestOpenSectionErrors(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"missing path":    {"[pdict]\ncompact_threshold = 1\n", "[pdict] path: required key is missing"},
		"empty path":      {"[pdict]\npath =\n", `[pdict] path = "": must not be empty`},
		"bad size":        {"[pdict]\npath = /tmp/x\ncompact_threshold = lots\n", `app.conf:3: [pdict] compact_threshold = "lots"`},
		"unresolved path": {"[pdict]\npath = ${secrets:dir}/x\n", `app.conf:2: [pdict] path = "${secrets:dir}/x"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := OpenSection(loadConfig(t, tc.text), "pdict")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("OpenSection: %v, want %q", err, tc.want)
			}
		})
	}
}

// A typo in the section is a WARNING that names file:line and the known keys;
// the dictionary opens all the same.
func TestOpenSectionWarnsAboutUnknownKeys(t *testing.T) {
	var out bytes.Buffer
	p, err := logging.Setup(loadConfig(t, "[logging:console]\nenabled = true\n"), logging.Options{Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	c := loadConfig(t, "[pdict]\npath = "+filepath.Join(t.TempDir(), "d")+"\ncompact_treshold = 1\n")
	d, err := OpenSection(c, "pdict")
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	p.Flush()
	line := out.String()
	for _, want := range []string{"WARNING", "asab.pdict", `app.conf:3: [pdict] unknown key \"compact_treshold\"`, "known keys: path, compact_threshold"} {
		if !strings.Contains(line, want) && !strings.Contains(line, strings.ReplaceAll(want, `\"`, `"`)) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
}

// The key table of docs/pdict.md is the one Settings declares.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	doc, err := os.ReadFile("../docs/pdict.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "| Key | Default | Unit | Meaning |")
	if !ok {
		t.Fatal("docs/pdict.md has no key table")
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(after, "\n")[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.Trim(strings.TrimSpace(cells[i]), "`")
		}
		rows[cells[0]] = cells
	}
	keys, err := config.KeysOf(Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(keys) {
		t.Errorf("docs list %d keys, Settings %d", len(rows), len(keys))
	}
	for _, k := range keys {
		row, ok := rows[k.Key]
		if !ok {
			t.Errorf("docs lack key %q", k.Key)
			continue
		}
		def := k.Default
		if k.Required {
			def = "(required)"
		}
		unit := map[string]string{"bytes": "bytes", "s": "seconds"}[k.Unit]
		if row[1] != def || row[2] != unit || strings.ReplaceAll(row[3], "`", "") != k.Doc {
			t.Errorf("docs row %q does not match %+v", row, k)
		}
	}
}
