package amqp_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom/amqp"
)

// declares, defaults included.
func TestDocsKeyTableMatchesSettings(t *testing.T) {
	asabtest.CheckKeyTable(t, "../../docs/mom.md", "`[asab:mom:amqp]`\n", amqp.Settings{})
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
