package mom_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom"
)

// The key table of [asab:mom:local] in docs/mom.md lists what LocalSettings
// declares, defaults included.
func TestDocsLocalKeyTableMatchesSettings(t *testing.T) {
	asabtest.CheckKeyTable(t, "../docs/mom.md", "`[asab:mom:local]`", mom.LocalSettings{})
}

// A typo in [asab:mom:local] is a WARNING naming file:line and the known
// keys; the broker is made with the defaults.
func TestLocalUnknownKeyWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	if err := os.WriteFile(path, []byte("[asab:mom:local]\nprefetch = 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p, err := logging.Setup(config.New(), logging.Options{Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	a := app.New(app.WithName("t"), app.WithArgs("-c", path))
	t.Cleanup(a.Release)
	if _, err := mom.NewService(a); err != nil {
		t.Fatal(err)
	}
	p.Flush()
	for _, want := range []string{"WARNING", "asab.mom", `app.conf:2: [asab:mom:local] unknown key "prefetch"`, "known keys: prefetch_count, request_timeout, exchange, reply_exchange"} {
		if !strings.Contains(out.String(), want) && !strings.Contains(out.String(), strings.ReplaceAll(want, `"`, `\"`)) {
			t.Errorf("log %q lacks %q", out.String(), want)
		}
	}
}

// NewService builds and does not register: a program can register a second
// service under a name of its own; ModuleWith registers under ServiceName.
func TestNewServiceDoesNotRegister(t *testing.T) {
	a := newApp(t, "")
	svc, err := mom.NewService(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Service[*mom.Service](a); err == nil {
		t.Fatal("NewService registered the service")
	}
	if err := a.RegisterService("other.MOM", svc); err != nil {
		t.Fatal(err)
	}
	if err := a.AddModule(mom.Module); err != nil {
		t.Fatal(err)
	}
	if _, err := app.ServiceNamed[*mom.Service](a, mom.ServiceName); err != nil {
		t.Fatal(err)
	}
}
