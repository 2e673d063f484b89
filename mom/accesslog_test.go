package mom_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/mom"
)

// accessLines runs an app on the in-process broker with logging (extra
// lines in [logging]) to a JSON file, asks "t.ok" and "t.fail" once each,
// and returns the lines of the MOM access log.
func accessLines(t *testing.T, levels string) []asabtest.LogLine {
	path := filepath.Join(t.TempDir(), "log.json")
	ta := asabtest.New(t, asabtest.JSONLogConfig(path)+"[logging]\n"+levels).AddModule(mom.Module)
	for target, h := range map[string]mom.Handler{
		"t.ok":   func(context.Context, *mom.Message) ([]byte, error) { return []byte("fine"), nil },
		"t.fail": func(context.Context, *mom.Message) ([]byte, error) { return nil, errors.New("boom") },
	} {
		if err := mom.Serve(ta.Application, target, h); err != nil {
			t.Fatal(err)
		}
	}
	ta.Start()
	ctx := context.Background()
	if body, err := mom.Ask(ctx, ta.Application, "t.ok", []byte("x")); err != nil || string(body) != "fine" {
		t.Fatalf("t.ok: %q, %v", body, err)
	}
	var remote *mom.RemoteError
	if _, err := mom.Ask(ctx, ta.Application, "t.fail", []byte("x")); !errors.As(err, &remote) {
		t.Fatalf("t.fail: %v, want a RemoteError", err)
	}
	ta.Stop()
	return asabtest.ReadLog(t, path, mom.AccessLogger)
}

// With [logging] levels = asab.mom.al INFO, every handled message has one
// access-log line naming its target and the handler's outcome, with the
// duration and a failed handler's error.
func TestAccessLogLinePerHandledMessage(t *testing.T) {
	lines := accessLines(t, "levels = asab.mom.al INFO\n")
	if len(lines) != 2 {
		t.Fatalf("%d access-log lines, want 2: %+v", len(lines), lines)
	}
	got := map[string]map[string]any{}
	for _, l := range lines {
		if l.Level != "INFO" {
			t.Errorf("level %s, want INFO: %+v", l.Level, l)
		}
		got[l.Fields["target"].(string)] = l.Fields
	}
	if f := got["t.ok"]; f["outcome"] != "ack" || f["error"] != nil {
		t.Errorf("t.ok line: %v", f)
	}
	if f := got["t.fail"]; f["outcome"] != "reject" || f["error"] != "boom" {
		t.Errorf("t.fail line: %v", f)
	}
	for target, f := range got {
		if d, ok := f["duration"].(float64); !ok || d < 0 {
			t.Errorf("%s: duration %v", target, f["duration"])
		}
	}
}

// At the default threshold (NOTICE) the access log writes nothing.
func TestAccessLogHiddenByDefault(t *testing.T) {
	if lines := accessLines(t, ""); len(lines) != 0 {
		t.Fatalf("access-log lines at the default threshold: %+v", lines)
	}
}
