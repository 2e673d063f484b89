package amqp_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom/amqp"
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

// The [asab:mom:amqp] key table of docs/mom.md is the one amqp.Settings
// declares, defaults included.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	rows := docKeyTable(t, "../../docs/mom.md", "`[asab:mom:amqp]`\n")
	keys, err := config.KeysOf(amqp.Settings{})
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

// A typo in [asab:mom:amqp] is a WARNING naming file:line and the known
// keys, even in a section without url (which makes no broker).
func TestUnknownKeyWarns(t *testing.T) {
	cfg := config.New()
	if err := cfg.LoadString(filepath.Join(t.TempDir(), "app.conf"), "[asab:mom:amqp]\nappname = x\nprefetch = 5\n"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p, err := logging.Setup(config.New(), logging.Options{Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	if b, err := amqp.FromConfig(cfg, amqp.Section); b != nil || err != nil {
		t.Fatalf("FromConfig: %v, %v; want no broker", b, err)
	}
	p.Flush()
	for _, want := range []string{"WARNING", "asab.mom.amqp", `app.conf:3: [asab:mom:amqp] unknown key "prefetch"`, "known keys: url, appname,"} {
		if !strings.Contains(out.String(), want) && !strings.Contains(out.String(), strings.ReplaceAll(want, `"`, `\"`)) {
			t.Errorf("log %q lacks %q", out.String(), want)
		}
	}
}
