package mom_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/mom"
)

// TestBrokerSectionsAreStaticAtReload: the brokers are built once, so a
// reload that changes a broker section keeps its old values (the
// application's WARNING names each key) and does not count it as changed.
func TestBrokerSectionsAreStaticAtReload(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "app.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(conf, []byte("[logging:console]\nenabled = false\n"+text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[asab:mom:local:second]\nprefetch_count = 5\n")
	ta := asabtest.New(t, "", app.WithArgs("-c", conf)).AddModule(mom.Module).Start()
	write("[asab:mom:local:second]\nprefetch_count = 50\nexchange = x\n")
	changed, err := ta.Application.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(changed, "asab:mom:local:second") {
		t.Fatalf("changed = %q: a broker section counted as applied", changed)
	}
	cfg := ta.Application.Config()
	if v, _ := cfg.Get("asab:mom:local:second", "prefetch_count"); v != "5" {
		t.Errorf("[asab:mom:local:second] prefetch_count = %q after the reload, want the value in force, 5", v)
	}
	if cfg.Has("asab:mom:local:second", "exchange") {
		t.Error("a key added to a broker section at the reload shows in the configuration")
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
