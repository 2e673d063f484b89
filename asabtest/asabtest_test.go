package asabtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/pubsub"
)

const quietConf = "[logging:console]\nenabled=false\n"

// probe is a service that records its Initialize and runs until stopped.
type probe struct {
	mu               sync.Mutex
	initialized, ran bool
}

func (p *probe) Initialize(context.Context) error {
	p.mu.Lock()
	p.initialized = true
	p.mu.Unlock()
	return nil
}

func (p *probe) Run(ctx context.Context) error {
	p.mu.Lock()
	p.ran = true
	p.mu.Unlock()
	<-ctx.Done()
	return nil
}

func (p *probe) state() (initialized, ran bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.initialized, p.ran
}

// probeModule registers p and returns no module.
func probeModule(name string, p *probe) app.ModuleFactory {
	return func(a *app.Application) (any, error) { return nil, a.RegisterService(name, p) }
}

func TestStartStop(t *testing.T) {
	p := &probe{}
	ta := asabtest.Start(t, "[general]\nshutdown_timeout=5s\n"+quietConf, probeModule("test.Probe", p))
	if in, _ := p.state(); !in || ta.Application.Phase() != app.PhaseRunning || ta.Application.Name() != "asabtest" {
		t.Fatalf("after Start: initialized %v, phase %v, name %q", in, ta.Application.Phase(), ta.Application.Name())
	}
	if got, _ := ta.Application.Config().Get("general", "shutdown_timeout"); got != "5s" {
		t.Errorf("config not applied: shutdown_timeout %q", got)
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("Stop = %d", code)
	}
	if _, ran := p.state(); !ran {
		t.Fatal("the service's Run was not started")
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("second Stop = %d", code)
	}
	if ta.Application.Phase() != app.PhaseStopped {
		t.Fatalf("after Stop: phase %v", ta.Application.Phase())
	}
}

func TestWaitGivesTheExitCode(t *testing.T) {
	ta := asabtest.New(t, quietConf,
		app.WithName("coded"),
		app.WithMain(func(_ context.Context, a *app.Application) error { a.StopWithCode(3); return nil }),
	).Start()
	if code := ta.Wait(); code != 3 || ta.Application.Name() != "coded" {
		t.Fatalf("Wait = %d, name %q; want 3, coded", code, ta.Application.Name())
	}
}

// The cleanup stops an application the test left running, and releases one
// that never ran, so the next test can create its own.
func TestCleanupStopsAndReleases(t *testing.T) {
	var left *asabtest.App
	t.Run("left running", func(t *testing.T) { left = asabtest.Start(t, quietConf) })
	if left.Application.Phase() != app.PhaseStopped {
		t.Fatalf("after the subtest the app is %v", left.Application.Phase())
	}
	t.Run("never run", func(t *testing.T) { asabtest.New(t, "") })
	if code := asabtest.Start(t, quietConf).Stop(); code != 0 {
		t.Fatalf("a later app: exit code %d", code)
	}
}

func TestServiceByTypeAndByName(t *testing.T) {
	a, b := &probe{}, &probe{}
	ta := asabtest.New(t, quietConf).AddModule(probeModule("test.A", a))
	if got := asabtest.Service[*probe](t, ta); got != a {
		t.Fatalf("Service = %p, want %p", got, a)
	}
	ta.AddModule(probeModule("test.B", b))
	msg := fatal(t, func(tb testing.TB) { asabtest.Service[*probe](tb, ta) })
	if !strings.Contains(msg, `["test.A" "test.B"]`) {
		t.Errorf("two services of one type: %q", msg)
	}
	if got := asabtest.ServiceNamed[*probe](t, ta, "test.B"); got != b {
		t.Fatalf("ServiceNamed = %p, want %p", got, b)
	}
	if msg := fatal(t, func(tb testing.TB) { asabtest.ServiceNamed[*probe](tb, ta, "test.None") }); !strings.Contains(msg, "test.None") {
		t.Errorf("missing service: %q", msg)
	}
	if msg := fatal(t, func(tb testing.TB) { asabtest.Service[*strings.Builder](tb, ta) }); !strings.Contains(msg, "no service of type *strings.Builder") {
		t.Errorf("no service of the type: %q", msg)
	}
}

func TestWaitForPhaseAndMessages(t *testing.T) {
	ta := asabtest.New(t, "[general]\ntick_period = 10ms\n"+quietConf,
		app.WithMain(func(_ context.Context, a *app.Application) error {
			a.PubSub().Publish("Test.hello!", 1)
			a.PubSub().Publish("Test.hello!", 2)
			return nil
		}))
	hello := ta.Subscribe("Test.hello!")
	ticks := ta.Subscribe(pubsub.Tick)
	ta.Start()
	ta.WaitPhase(t.Context(), app.PhaseRunning)
	if m := hello.Wait(t.Context(), func(m pubsub.Message) bool { return m.Args[0] == 2 }); m.Args[0] != 2 {
		t.Fatalf("Wait returned %v", m)
	}
	for range 3 {
		ticks.Wait(t.Context(), nil)
	}
	if hello.Len() != 2 || ticks.Len() < 3 {
		t.Fatalf("collected %d hello, %d ticks", hello.Len(), ticks.Len())
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("Stop = %d", code)
	}
	ta.WaitPhase(t.Context(), app.PhaseStopped)
}

// A wait that does not end fails the test with what it waited for.
func TestWaitsFailWhenNothingComes(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	msg := fatal(t, func(tb testing.TB) {
		ta := asabtest.New(tb, quietConf)
		ta.Subscribe("Test.never!").Wait(ctx, nil)
	})
	if !strings.Contains(msg, "no matching Test.never! before context deadline exceeded (0 seen)") {
		t.Errorf("waiting for a message that never comes: %q", msg)
	}
	msg = fatal(t, func(tb testing.TB) {
		asabtest.New(tb, quietConf).WaitPhase(ctx, app.PhaseRunning)
	})
	if !strings.Contains(msg, "the application is created, not yet running") {
		t.Errorf("waiting for a phase that never comes: %q", msg)
	}
}

func TestFailures(t *testing.T) {
	msg := fatal(t, func(tb testing.TB) {
		asabtest.New(tb, quietConf,
			app.WithInitialize(func(context.Context, *app.Application) error { return errors.New("no database") }),
		).Start()
	})
	if !strings.Contains(msg, "exit code 1 before Application.run!") {
		t.Errorf("app failing at init-time: %q", msg)
	}
	msg = fatal(t, func(tb testing.TB) {
		asabtest.New(tb, "").AddModule(func(*app.Application) (any, error) { return nil, errors.New("bad module") })
	})
	if !strings.Contains(msg, "bad module") {
		t.Errorf("module failing: %q", msg)
	}
}

func TestRunToExitAndReadLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	ta := asabtest.New(t, asabtest.JSONLogConfig(path),
		app.WithInitialize(func(context.Context, *app.Application) error { return errors.New("no database") }))
	if code := ta.RunToExit(); code != 1 {
		t.Fatalf("RunToExit = %d, want 1", code)
	}
	all := asabtest.ReadLog(t, path, "")
	appLines := asabtest.ReadLog(t, path, "asab.application")
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
	if msg := fatal(t, func(tb testing.TB) { asabtest.ReadLog(tb, path+".none", "") }); !strings.Contains(msg, "no such file") {
		t.Errorf("missing log: %q", msg)
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
	fams := asabtest.Scrape(t, srv.URL+"/metrics")
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
		if got := asabtest.Value(t, fams, c.name, c.labels); got != c.want {
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
		if _, err := asabtest.Lookup(fams, c.name, c.labels); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Lookup(%s%v) error %v, want %q", c.name, c.labels, err, c.err)
		}
	}
	if msg := fatal(t, func(tb testing.TB) { asabtest.Scrape(tb, srv.URL+"/other") }); !strings.Contains(msg, "status 404") {
		t.Errorf("scraping a 404: %q", msg)
	}
	if msg := fatal(t, func(tb testing.TB) { asabtest.Value(tb, fams, "nope", nil) }); !strings.Contains(msg, `"nope"`) {
		t.Errorf("Value of a missing family: %q", msg)
	}
}

func TestGather(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jobs_total", Help: "Jobs."}, []string{"kind"})
	reg.MustRegister(c)
	c.WithLabelValues("a").Add(2)
	if got := asabtest.Value(t, asabtest.Gather(t, reg), "jobs_total", map[string]string{"kind": "a"}); got != 2 {
		t.Fatalf("jobs_total{kind=a} = %v", got)
	}
	bad := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return nil, errors.New("collector broke") })
	if msg := fatal(t, func(tb testing.TB) { asabtest.Gather(tb, bad) }); !strings.Contains(msg, "collector broke") {
		t.Errorf("failing gatherer: %q", msg)
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

// keyTableSettings is a settings struct for TestCheckKeyTable.
type keyTableSettings struct {
	Listen string `ini:"listen" default:"0.0.0.0 8080"`
	Limit  int    `ini:"limit" default:"5"`
}

func TestCheckKeyTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.md")
	good := "## Configuration\n\n| Key | Default | Meaning |\n| --- | --- | --- |\n| `listen` | `0.0.0.0 8080` | where |\n| `limit` | `5` | how many |\n"
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	asabtest.CheckKeyTable(t, path, "## Configuration", keyTableSettings{})

	bad := strings.Replace(good, "`5`", "`6`", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := &recordingTB{TB: t}
	asabtest.CheckKeyTable(rec, path, "## Configuration", keyTableSettings{})
	if !strings.Contains(rec.errors, `gives "limit" the default "6"`) {
		t.Fatalf("a wrong default in the docs was not reported: %q", rec.errors)
	}
}

// recordingTB records Errorf instead of failing.
type recordingTB struct {
	testing.TB
	errors string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors += fmt.Sprintf(format, args...) + "\n"
}
