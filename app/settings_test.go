package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/config"
)

// The key tables of docs/app.md ([general]) and docs/daemon.md ([daemon])
// list what the settings structs declare, defaults included.
func TestDocsKeyTablesMatchSettings(t *testing.T) {
	asabtest.CheckKeyTable(t, "../docs/app.md", "`[general]`\n", app.GeneralKeysForTest)
	asabtest.CheckKeyTable(t, "../docs/daemon.md", "`[daemon]`\n", app.DaemonKeysForTest)
}

// The default tags of the [general] and [daemon] structs agree with
// config.Defaults, which puts them into every configuration: each key there
// is declared, with the same default.
func TestSettingsDefaultsAgreeWithConfigDefaults(t *testing.T) {
	for section, v := range map[string]any{"general": app.GeneralKeysForTest, "daemon": app.DaemonKeysForTest} {
		keys, err := config.KeysOf(v)
		if err != nil {
			t.Fatal(err)
		}
		tags := map[string]config.KeySpec{}
		for _, k := range keys {
			tags[k.Key] = k
		}
		for key, d := range config.Defaults()[section] {
			k, ok := tags[key]
			if !ok || !k.HasDefault || k.Default != fmt.Sprint(d) {
				t.Errorf("[%s] %s: config.Defaults %q, the struct's default tag %q (declared %v)", section, key, fmt.Sprint(d), k.Default, ok)
			}
		}
	}
}

// A key that [general] or [daemon] does not know is a WARNING naming
// file:line and the known keys; the application still runs.
func TestUnknownGeneralAndDaemonKeysWarn(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "log.json")
	conf := filepath.Join(dir, "app.conf")
	text := "[general]\ntick_perod = 5\nshutdown_timeout = 5\n[daemon]\nkill_timout = 3\n" + asabtest.JSONLogConfig(logPath)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ta := asabtest.New(t, "", app.WithArgs("-c", conf),
		app.WithMain(func(_ context.Context, a *app.Application) error { a.Stop(); return nil }))
	if code := ta.RunToExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var warnings []string
	for _, l := range asabtest.ReadLog(t, logPath, "asab.application") {
		if l.Level == "WARNING" {
			warnings = append(warnings, l.Message)
		}
	}
	all := strings.Join(warnings, "\n")
	for _, want := range []string{
		conf + `:2: [general] unknown key "tick_perod" (known keys: tick_period, shutdown_timeout, watchdog_threshold,`,
		conf + `:5: [daemon] unknown key "kill_timout" (known keys: pidfile, uid, gid, working_dir, umask, kill_timeout, start_timeout)`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings %q lack %q", all, want)
		}
	}
}
