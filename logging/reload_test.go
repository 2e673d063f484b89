package logging_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/logging"
)

// A reload changes the thresholds of every logger at once; a bad level
// refuses the reload and changes nothing; -v keeps DEBUG.
func TestReloadChangesLevels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	logPath := filepath.Join(t.TempDir(), "log.json")
	base := asabtest.JSONLogConfig(logPath)
	write(base + "[logging]\nlevel = NOTICE\n")
	ta := asabtest.New(t, "", app.WithArgs("-c", path)).Start()
	lg := logging.Get("reload.test.worker")
	if lg.Enabled(logging.LevelInfo) {
		t.Fatal("INFO passes before the reload")
	}

	write(base + "[logging]\nlevel = NOTICE\nlevels = reload.test INFO\n")
	changed, err := ta.Application.Reload(context.Background())
	if err != nil || !strings.Contains(strings.Join(changed, " "), "logging") {
		t.Fatalf("reload: %v, changed %v", err, changed)
	}
	if !lg.Enabled(logging.LevelInfo) || lg.Enabled(logging.LevelDebug) {
		t.Fatal("after the reload reload.test.worker does not log at INFO (or logs DEBUG)")
	}
	if logging.Get("other").Enabled(logging.LevelInfo) {
		t.Fatal("the rule for reload.test reached another logger")
	}

	write(base + "[logging]\nlevel = LOUD\n")
	if _, err := ta.Application.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "LOUD") {
		t.Fatalf("a bad level was not refused: %v", err)
	}
	if !lg.Enabled(logging.LevelInfo) {
		t.Fatal("a refused reload changed the thresholds")
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestReloadKeepsVerbose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	if err := os.WriteFile(path, []byte("[logging]\nlevel = NOTICE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ta := asabtest.New(t, "", app.WithArgs("-v", "-c", path)).Start()
	if err := os.WriteFile(path, []byte("[logging]\nlevel = WARNING\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Application.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !logging.Get("any").Enabled(logging.LevelDebug) {
		t.Fatal("a reload took DEBUG away from -v")
	}
	ta.Stop()
}
