package sock

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

// The key table of docs/sock.md is the one ServerSettings declares,
// defaults included.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	rows := docKeyTable(t, "../docs/sock.md", "## Configuration")
	keys, err := config.KeysOf(ServerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(keys) {
		t.Errorf("docs list %d keys, ServerSettings %d", len(rows), len(keys))
	}
	for _, k := range keys {
		def, ok := rows[k.Key]
		if !ok {
			t.Errorf("docs lack key %q", k.Key)
		} else if def != k.Default {
			t.Errorf("docs give %q the default %q, ServerSettings %q", k.Key, def, k.Default)
		}
	}
}

// A typo in a server's section is a WARNING naming file:line and the known
// keys; the settings are read all the same.
func TestUnknownKeyWarns(t *testing.T) {
	cfg := config.New()
	if err := cfg.LoadString(filepath.Join(t.TempDir(), "app.conf"), "[echo]\nlisten = 127.0.0.1 0\nmax_conections = 5\n"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p, err := logging.Setup(config.New(), logging.Options{Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	sc, err := ReadServerConfig(cfg, "echo")
	if err != nil || sc.MaxConnections != DefaultMaxConnections {
		t.Fatalf("ReadServerConfig: %+v, %v", sc, err)
	}
	p.Flush()
	for _, want := range []string{"WARNING", "asab.socket", `app.conf:3: [echo] unknown key "max_conections"`, "known keys: listen, max_connections,"} {
		if !strings.Contains(out.String(), want) && !strings.Contains(out.String(), strings.ReplaceAll(want, `"`, `\"`)) {
			t.Errorf("log %q lacks %q", out.String(), want)
		}
	}
}
