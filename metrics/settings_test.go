package metrics_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/metrics"
)

// docKeyTable returns the rows of the first "| Key | Default | Meaning |"
// table after marker in the doc file: key → the default cell's first
// `literal` ("" for a cell without one, such as "(empty)").
func docKeyTable(t *testing.T, path, marker string) map[string]string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), marker)
	if !ok {
		t.Fatalf("%s has no %q", path, marker)
	}
	_, after, ok = strings.Cut(after, "| Key | Default | Meaning |")
	if !ok {
		t.Fatalf("%s has no key table after %q", path, marker)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(after, "\n")[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		def := ""
		if f := strings.Split(cells[1], "`"); len(f) >= 3 {
			def = f[1]
		}
		rows[strings.Trim(strings.TrimSpace(cells[0]), "`")] = def
	}
	return rows
}

// The key table of docs/metrics.md is the one metrics.Settings declares,
// defaults included.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	rows := docKeyTable(t, "../docs/metrics.md", "## Configuration")
	keys, err := config.KeysOf(metrics.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(keys) {
		t.Errorf("docs list %d keys, Settings %d", len(rows), len(keys))
	}
	for _, k := range keys {
		def, ok := rows[k.Key]
		if !ok {
			t.Errorf("docs lack key %q", k.Key)
		} else if def != k.Default {
			t.Errorf("docs give %q the default %q, Settings %q", k.Key, def, k.Default)
		}
	}
}

// A typo in [asab:metrics] is a WARNING naming file:line and the known keys;
// the service is built all the same.
func TestUnknownKeyWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	if err := os.WriteFile(path, []byte("[asab:metrics]\njson_path = /m.json\npaht = /m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := app.New(app.WithName("t"), app.WithArgs("-c", path))
	defer a.Release()
	var out bytes.Buffer
	p, err := logging.Setup(a.Config(), logging.Options{Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	if _, err := metrics.NewService(a); err != nil {
		t.Fatal(err)
	}
	p.Flush()
	for _, want := range []string{"WARNING", "asab.metrics", `app.conf:3: [asab:metrics] unknown key "paht"`, "known keys: path, json_path, go_runtime, log_every_minute"} {
		if !strings.Contains(out.String(), want) && !strings.Contains(out.String(), strings.ReplaceAll(want, `"`, `\"`)) {
			t.Errorf("log %q lacks %q", out.String(), want)
		}
	}
}
