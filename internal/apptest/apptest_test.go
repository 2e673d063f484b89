package apptest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/internal/apptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// probe is a module that records its Initialize and runs until stopped.
type probe struct{ initialized, ran bool }

func (p *probe) Initialize(context.Context) error { p.initialized = true; return nil }
func (p *probe) Run(ctx context.Context) error    { p.ran = true; <-ctx.Done(); return nil }

func TestStartStop(t *testing.T) {
	p := &probe{}
	r := apptest.Start(t, "[general]\nshutdown_timeout=5s\n[logging:console]\nenabled=false\n",
		func(*app.Application) (any, error) { return p, nil })
	if !p.initialized || r.App.Phase() != app.PhaseRunning || r.App.Name() != "apptest" {
		t.Fatalf("after Start: initialized %v, phase %v, name %q", p.initialized, r.App.Phase(), r.App.Name())
	}
	if got, _ := r.App.Config().Get("general", "shutdown_timeout"); got != "5s" {
		t.Errorf("config not applied: shutdown_timeout %q", got)
	}
	if code := r.Stop(); code != 0 || !p.ran {
		t.Fatalf("Stop = %d, ran %v", code, p.ran)
	}
	if code := r.Stop(); code != 0 {
		t.Fatalf("second Stop = %d", code)
	}
}

func TestWaitGivesTheExitCode(t *testing.T) {
	r := apptest.New(t, "[logging:console]\nenabled=false\n", []app.Option{
		app.WithName("coded"),
		app.WithMain(func(_ context.Context, a *app.Application) error { a.StopWithCode(3); return nil }),
	}).Run()
	if code := r.Wait(); code != 3 || r.App.Name() != "coded" {
		t.Fatalf("Wait = %d, name %q; want 3, coded", code, r.App.Name())
	}
}

// The cleanup stops an application the test left running, and releases one
// that never ran, so the next test can create its own.
func TestCleanupStopsAndReleases(t *testing.T) {
	var left *apptest.Running
	t.Run("left running", func(t *testing.T) {
		left = apptest.Start(t, "[logging:console]\nenabled=false\n")
	})
	if left.App.Phase() != app.PhaseStopped {
		t.Fatalf("after the subtest the app is %v", left.App.Phase())
	}
	t.Run("never run", func(t *testing.T) { apptest.New(t, "", nil) })
	if code := apptest.Start(t, "[logging:console]\nenabled=false\n").Stop(); code != 0 {
		t.Fatalf("a later app: exit code %d", code)
	}
}

// fatalRecorder is a testing.TB whose Fatal records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fatalRecorder) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// fatal runs fn with a recorder on its own goroutine and returns what it
// failed with ("" if it did not).
func fatal(t *testing.T, fn func(tb testing.TB)) string {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); fn(rec) }()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.msg
}

func TestFailures(t *testing.T) {
	msg := fatal(t, func(tb testing.TB) {
		apptest.New(tb, "[logging:console]\nenabled=false\n", []app.Option{
			app.WithInitialize(func(context.Context, *app.Application) error { return errors.New("no database") }),
		}).Run()
	})
	if !strings.Contains(msg, "exit code 1 before Application.run!") {
		t.Errorf("app failing at init-time: %q", msg)
	}
	msg = fatal(t, func(tb testing.TB) {
		apptest.New(tb, "", nil, func(*app.Application) (any, error) { return nil, errors.New("bad module") })
	})
	if !strings.Contains(msg, "bad module") {
		t.Errorf("module failing: %q", msg)
	}
}

const exposition = `# TYPE requests_total counter
requests_total{method="GET",route="/a"} 3
requests_total{method="GET",route="/b"} 1
# TYPE open gauge
open 2
# TYPE latency_seconds histogram
latency_seconds_bucket{le="1"} 4
latency_seconds_bucket{le="+Inf"} 5
latency_seconds_sum 2.5
latency_seconds_count 5
`

func TestScrape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.Error(w, "not here", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprint(w, exposition)
	}))
	defer srv.Close()
	fams := apptest.Scrape(t, srv.URL+"/metrics")
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"requests_total", map[string]string{"method": "GET", "route": "/a"}, 3},
		{"requests_total", map[string]string{"method": "GET", "route": "/b"}, 1},
		{"open", nil, 2},
		{"latency_seconds", nil, 5},
	} {
		if got := apptest.Value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		err    string
	}{
		{"missing_total", nil, `no metric family "missing_total"`},
		{"requests_total", map[string]string{"method": "GET"}, "no requests_total with labels"},
		{"requests_total", map[string]string{"method": "GET", "route": "/a", "x": "y"}, "no requests_total with labels"},
	} {
		if _, err := apptest.Lookup(fams, c.name, c.labels); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Lookup(%s%v) error %v, want %q", c.name, c.labels, err, c.err)
		}
	}
	if msg := fatal(t, func(tb testing.TB) { apptest.Scrape(tb, srv.URL+"/other") }); !strings.Contains(msg, "status 404") {
		t.Errorf("scraping a 404: %q", msg)
	}
	if msg := fatal(t, func(tb testing.TB) { apptest.Value(tb, fams, "nope", nil) }); !strings.Contains(msg, `"nope"`) {
		t.Errorf("Value of a missing family: %q", msg)
	}
}

func TestRunToExitAndReadLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	r := apptest.New(t, apptest.JSONLogConfig(path), []app.Option{
		app.WithInitialize(func(context.Context, *app.Application) error { return errors.New("no database") }),
	})
	if code := r.RunToExit(); code != 1 {
		t.Fatalf("RunToExit = %d, want 1", code)
	}
	all := apptest.ReadLog(t, path, "")
	appLines := apptest.ReadLog(t, path, "asab.application")
	if len(appLines) == 0 || len(all) < len(appLines) {
		t.Fatalf("%d lines, %d of asab.application", len(all), len(appLines))
	}
	found := false
	for _, l := range appLines {
		found = found || strings.Contains(l.Message+fmt.Sprint(l.Fields), "no database")
	}
	if !found {
		t.Errorf("no line names the failure: %+v", all)
	}
	if msg := fatal(t, func(tb testing.TB) { apptest.ReadLog(tb, path+".none", "") }); !strings.Contains(msg, "no such file") {
		t.Errorf("missing log: %q", msg)
	}
}

func TestService(t *testing.T) {
	p := &probe{}
	r := apptest.New(t, "", nil, func(a *app.Application) (any, error) {
		return p, a.RegisterService("test.Probe", p)
	})
	if got := apptest.Service[*probe](t, r.App, "test.Probe"); got != p {
		t.Fatalf("Service = %p, want %p", got, p)
	}
	if msg := fatal(t, func(tb testing.TB) { apptest.Service[*probe](tb, r.App, "test.None") }); !strings.Contains(msg, "test.None") {
		t.Errorf("missing service: %q", msg)
	}
	if msg := fatal(t, func(tb testing.TB) { apptest.Service[string](tb, r.App, "test.Probe") }); msg == "" {
		t.Error("a service of another type was returned")
	}
}
