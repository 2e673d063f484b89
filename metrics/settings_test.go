package metrics_test

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
	"github.com/asabgo/asab/metrics"
)

// defaults included.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	asabtest.CheckKeyTable(t, "../docs/metrics.md", "## Configuration", metrics.Settings{})
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
