package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

func TestMain(m *testing.M) {
	if os.Getenv(reloadChildEnv) != "" { // the child of TestSIGHUPReloadsContainer (reload_test.go)
		os.Exit(reloadChild())
	}
	goleak.VerifyTestMain(m)
}

// server is one running application with the web module, for a test.
type server struct {
	*asabtest.App
	t       *testing.T
	a       *app.Application
	svc     *web.Service
	logPath string
}

// startServer runs an application with conf (a [web] section at least) and
// the web module, calls setup at init-time (to add routes), and returns
// once the default container serves. Lines are logged as JSON to a file.
func startServer(t *testing.T, conf string, setup func(a *app.Application, svc *web.Service)) *server {
	t.Helper()
	s := &server{t: t, logPath: filepath.Join(t.TempDir(), "log.json")}
	// Cleanups run last-in first-out: this one, after the app has stopped.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("application log:\n%s", s.logText())
		}
	})
	conf = asabtest.JSONLogConfig(s.logPath) + conf
	s.App = asabtest.New(t, conf, app.WithName("webtest"), app.WithVersion("9.9"),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			if setup != nil {
				setup(a, s.svc)
			}
			return nil
		})).AddModule(web.Module)
	s.a = s.Application
	s.svc = asabtest.Service[*web.Service](t, s.App)
	s.StartUntil(web.StartedMessage, func(m pubsub.Message) bool { return m.Args[0] == s.svc.Container })
	return s
}

// stop stops the application and returns its exit code.
func (s *server) stop() int {
	s.t.Helper()
	return s.Stop()
}

// wait waits for the application's Run to return and gives its code.
func (s *server) wait() int {
	s.t.Helper()
	return s.Wait()
}

// url is the base URL of the default container's i-th listener.
func (s *server) url(i int) string { return s.svc.URL(i) }

func (s *server) logText() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// logLine is one JSON log line.
type logLine = asabtest.LogLine

// logLines returns the JSON log lines of logger name (after the app ended,
// when the log is flushed).
func (s *server) logLines(name string) []logLine {
	s.t.Helper()
	return asabtest.ReadLog(s.t, s.logPath, name)
}

// get does a GET and returns status and body.
func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return res.StatusCode, strings.TrimSpace(string(b))
}
