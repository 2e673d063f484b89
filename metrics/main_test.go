package metrics_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// running is one application under test.
type running struct {
	t       *testing.T
	a       *app.Application
	m       *metrics.Service
	web     *web.Service // nil without the web module
	code    chan int
	logPath string
	done    bool
	exit    int
}

// config of a test application.
type setup struct {
	conf     string                                       // extra configuration
	webFirst bool                                         // add web.Module before metrics.Module
	noWeb    bool                                         // no web module at all
	modules  []app.ModuleFactory                          // added after web and metrics
	before   func(a *app.Application, m *metrics.Service) // after the modules, before Run
}

// start runs an application with the metrics module (and the web module on
// 127.0.0.1 port 0 unless noWeb) and returns once run-time has begun and
// the web container serves. Logs go as JSON lines to a file.
func start(t *testing.T, s setup) *running {
	t.Helper()
	r := &running{t: t, code: make(chan int, 1), logPath: filepath.Join(t.TempDir(), "log.json")}
	conf := "[logging:file]\npath=" + r.logPath + "\nformat=json\n[logging:console]\nenabled=false\n" +
		"[web]\nlisten=127.0.0.1 0\naccess_log=false\n" + s.conf
	r.a = app.New(app.WithName("metricstest"), app.WithVersion("1.2.3"), app.WithArgs(), app.WithConfigString(conf))
	var mods []app.ModuleFactory
	switch {
	case s.noWeb:
		mods = []app.ModuleFactory{metrics.Module}
	case s.webFirst:
		mods = []app.ModuleFactory{web.Module, metrics.Module}
	default:
		mods = []app.ModuleFactory{metrics.Module, web.Module}
	}
	for _, f := range append(mods, s.modules...) {
		if err := r.a.AddModule(f); err != nil {
			r.a.Release()
			t.Fatalf("add module: %v", err)
		}
	}
	var err error
	if r.m, err = app.Service[*metrics.Service](r.a); err != nil {
		r.a.Release()
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var once sync.Once
	if s.noWeb {
		r.a.PubSub().Subscribe(pubsub.Run, func(pubsub.Message) error { once.Do(func() { close(ready) }); return nil })
	} else {
		r.web, _ = app.Service[*web.Service](r.a)
		r.a.PubSub().Subscribe(web.StartedMessage, func(pubsub.Message) error { once.Do(func() { close(ready) }); return nil })
	}
	if s.before != nil {
		s.before(r.a, r.m)
	}
	go func() { r.code <- r.a.Run() }()
	select {
	case <-ready:
	case code := <-r.code:
		t.Fatalf("application ended with code %d before it was ready; log:\n%s", code, r.logText())
	case <-time.After(10 * time.Second):
		t.Fatal("the application did not get ready within 10 s")
	}
	t.Cleanup(func() { r.stop() })
	return r
}

// stop stops the application (once) and returns its exit code.
func (r *running) stop() int {
	r.t.Helper()
	if r.done {
		return r.exit
	}
	r.a.Stop()
	select {
	case r.exit = <-r.code:
		r.done = true
	case <-time.After(15 * time.Second):
		r.t.Fatal("the application did not exit within 15 s")
	}
	return r.exit
}

func (r *running) url(path string) string { return r.web.URL(0) + path }

func (r *running) logText() string {
	b, _ := os.ReadFile(r.logPath)
	return string(b)
}

// logLine is one JSON log line.
type logLine struct {
	Level   string         `json:"level"`
	Logger  string         `json:"logger"`
	Message string         `json:"message"`
	Fields  map[string]any `json:"fields"`
}

// logLines returns the lines of logger name; call after stop (the log is
// flushed when the application ends).
func (r *running) logLines(name string) []logLine {
	r.t.Helper()
	f, err := os.Open(r.logPath)
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	var out []logLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			r.t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if l.Logger == name {
			out = append(out, l)
		}
	}
	return out
}

// get does a GET with the given Accept header ("" for none) and returns the
// response with its body read.
func get(t *testing.T, url, accept string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %q", url, res.StatusCode, b)
	}
	return res, string(b)
}
