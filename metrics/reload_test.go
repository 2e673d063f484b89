package metrics_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// A reload turns the summary of log_every_minute on and off at run time;
// a changed path is a WARNING and the old path keeps serving; a bad value
// (log_every_minute = maybe) refuses the reload and changes nothing.
func TestReloadLogEveryMinute(t *testing.T) {
	dir := t.TempDir()
	confPath, logPath := filepath.Join(dir, "app.conf"), filepath.Join(dir, "log.json")
	write := func(metricsConf string) {
		t.Helper()
		text := asabtest.JSONLogConfig(logPath) + "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[asab:metrics]\ngo_runtime=no\n" + metricsConf
		if err := os.WriteFile(confPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("log_every_minute=no\n")
	ta := asabtest.New(t, "", app.WithArgs("-c", confPath)).AddModule(web.Module, metrics.Module)
	ws := asabtest.Service[*web.Service](t, ta)
	ta.StartUntil(web.StartedMessage, func(m pubsub.Message) bool { return m.Args[0] == ws.Container })
	marker := logging.Get("metricstest.marker")
	minute := func(step string) {
		ta.Application.PubSub().Publish(pubsub.Tick60)
		marker.Notice().Msg(step)
	}
	reload := func() ([]string, error) {
		t.Helper()
		return ta.Application.Reload(t.Context())
	}

	minute("off at start")
	write("log_every_minute=yes\npath=/other\n")
	if changed, err := reload(); err != nil || !slices.Contains(changed, metrics.Section) {
		t.Fatalf("reload: %v %v", changed, err)
	}
	minute("on after the reload")
	if res, _ := get(t, ws.URL(0)+"/asab/v1/metrics", ""); res.StatusCode != 200 {
		t.Fatalf("the old path: %d", res.StatusCode)
	}
	if res, err := http.Get(ws.URL(0) + "/other"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("the new path serves: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	write("log_every_minute=maybe\n")
	_, err := reload()
	if !errors.Is(err, app.ErrReloadRefused) || !strings.Contains(err.Error(), `[asab:metrics] log_every_minute = "maybe"`) {
		t.Fatalf("a bad log_every_minute: %v", err)
	}
	minute("still on after the refused reload")
	write("log_every_minute=no\n")
	if _, err := reload(); err != nil {
		t.Fatal(err)
	}
	minute("off after the second reload")
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	summaries := map[string]int{} // by the marker of the minute, logged after its summary
	pending := 0
	var warned, applied bool
	for _, l := range asabtest.ReadLog(t, logPath, "") {
		switch {
		case l.Logger == "metricstest.marker":
			summaries[l.Message], pending = pending, 0
		case l.Message == "Metrics summary":
			pending++
		case l.Level == "WARNING" && l.Fields["key"] == "path":
			warned = l.Fields["section"] == metrics.Section && l.Fields["running"] == "/asab/v1/metrics" && l.Fields["ignored"] == "/other"
		case l.Message == "Metrics settings applied at run time":
			applied = true
		}
	}
	if summaries["off at start"] != 0 || summaries["on after the reload"] == 0 ||
		summaries["still on after the refused reload"] == 0 || summaries["off after the second reload"] != 0 {
		t.Errorf("summary lines per minute (by the marker before them): %v", summaries)
	}
	if !warned || !applied {
		t.Errorf("WARNING for path %v, NOTICE of the change %v", warned, applied)
	}
}
