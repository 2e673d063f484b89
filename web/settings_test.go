package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/web"
)

// included.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	asabtest.CheckKeyTable(t, "../docs/web.md", "## Configuration", web.Settings{})
}

// "lisen" for "listen" in [web] is a WARNING naming file:line and the known
// keys; the container is built all the same (on the default listen line).
func TestUnknownKeyWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	if err := os.WriteFile(path, []byte("[web]\nlisten = 127.0.0.1 0\nlisen = 127.0.0.1 0\n"), 0o600); err != nil {
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
	if _, err := web.NewService(a); err != nil {
		t.Fatal(err)
	}
	p.Flush()
	for _, want := range []string{"WARNING", "asab.web", `app.conf:3: [web] unknown key "lisen"`, "known keys: listen, shutdown_timeout,"} {
		if !strings.Contains(out.String(), want) && !strings.Contains(out.String(), strings.ReplaceAll(want, `"`, `\"`)) {
			t.Errorf("log %q lacks %q", out.String(), want)
		}
	}
}
