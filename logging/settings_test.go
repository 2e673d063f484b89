package logging

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/asabgo/asab/config"
)

// Every key table of docs/logging.md is the one its settings struct
// declares: the same keys, the default where the struct has one, the
// Meaning column equal to the doc tag (backticks aside).
func TestDocsKeyTablesMatchSettings(t *testing.T) {
	doc, err := os.ReadFile("../docs/logging.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sections {
		head := "| Key (`[" + s.name + "]`) | Default | Meaning |"
		_, after, ok := strings.Cut(string(doc), head)
		if !ok {
			t.Errorf("docs/logging.md has no table %q", head)
			continue
		}
		rows := map[string][]string{}
		for _, line := range strings.Split(after, "\n")[2:] {
			if !strings.HasPrefix(line, "|") {
				break
			}
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.ReplaceAll(strings.TrimSpace(cells[i]), "`", "")
			}
			rows[cells[0]] = cells
		}
		keys, err := config.KeysOf(s.v)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(keys) {
			t.Errorf("[%s]: docs list %d keys, the struct %d", s.name, len(rows), len(keys))
		}
		for _, k := range keys {
			row, ok := rows[k.Key]
			switch {
			case !ok:
				t.Errorf("[%s]: docs lack key %q", s.name, k.Key)
			case k.HasDefault && row[1] != k.Default, row[2] != k.Doc:
				t.Errorf("[%s]: docs row %q does not match default %q, doc %q", s.name, row, k.Default, k.Doc)
			}
		}
	}
}

// A key the logging sections do not know is a WARNING naming file:line
// and the known keys; the pipeline is built all the same.
func TestSetupWarnsAboutUnknownKeys(t *testing.T) {
	cfg := config.New()
	if err := cfg.LoadString("app.conf", "[logging]\nlevel = NOTICE\nlevle = DEBUG\n[logging:file]\npaht = /x\n"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	p, err := Setup(cfg, Options{Stderr: &buf})
	if err != nil {
		t.Fatal(err)
	}
	closeSoon(p)
	out := buf.String()
	for _, want := range []string{
		`WARNING asab.logging app.conf:3: [logging] unknown key "levle" (known keys: level, verbose, levels, sd_id, app_name, flush_timeout)`,
		`app.conf:5: [logging:file] unknown key "paht" (known keys: path, format,`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
}

// The application's defaults (config.Defaults, as Python ASAB's: empty
// console enabled and rotate_every, console format "default") set up.
func TestSetupWithAppDefaults(t *testing.T) {
	cfg := config.New()
	cfg.AddDefaults(config.Defaults())
	var buf bytes.Buffer
	p, err := Setup(cfg, Options{Stderr: &buf})
	if err != nil {
		t.Fatal(err)
	}
	Get("t").Notice().Msg("hello")
	closeSoon(p)
	if !strings.Contains(buf.String(), "NOTICE t hello") {
		t.Errorf("console line missing: %q", buf.String())
	}
}
