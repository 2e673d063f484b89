package sock

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// defaults included.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	asabtest.CheckKeyTable(t, "../docs/sock.md", "## Configuration", ServerSettings{})
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
