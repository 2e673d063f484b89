package metrics_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
)

// newService returns the metrics service of an application that is never
// run.
func newService(t testing.TB, conf string) *metrics.Service {
	t.Helper()
	a := app.New(app.WithName("t"), app.WithArgs(), app.WithConfigString(conf))
	t.Cleanup(a.Release)
	if err := a.AddModule(metrics.Module); err != nil {
		t.Fatal(err)
	}
	m, err := app.Service[*metrics.Service](a)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSameDefinitionReturnsSameMetric(t *testing.T) {
	m := newService(t, "")
	o := metrics.Opts{Help: "h", ConstLabels: map[string]string{"a": "1"}, Labels: []string{"x"}}
	c1, err := m.Counter("test_c_total", o)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := m.Counter("test_c_total", metrics.Opts{Help: "h", ConstLabels: map[string]string{"a": "1"}, Labels: []string{"x"}})
	if err != nil || c1 != c2 {
		t.Fatalf("second request: %p %v, want the first counter %p", c2, err, c1)
	}
	o.Labels[0] = "changed" // the service kept its own copy
	if _, err := m.Counter("test_c_total", metrics.Opts{Help: "h", ConstLabels: map[string]string{"a": "1"}, Labels: []string{"x"}}); err != nil {
		t.Fatalf("after the caller changed its Opts: %v", err)
	}
	h1, _ := m.Histogram("test_h_seconds", metrics.Opts{}, nil)
	h2, err := m.Histogram("test_h_seconds", metrics.Opts{}, nil)
	if err != nil || h1 != h2 {
		t.Fatalf("histogram again: %v", err)
	}
}

func TestBadDefinitionsAreErrors(t *testing.T) {
	m := newService(t, "")
	if _, err := m.Counter("test_x_total", metrics.Opts{Labels: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		do   func() error
		want string
	}{
		{"other labels", func() error { _, err := m.Counter("test_x_total", metrics.Opts{Labels: []string{"b"}}); return err }, `counter "test_x_total": already defined as a counter`},
		{"other kind", func() error { _, err := m.Gauge("test_x_total", metrics.Opts{Labels: []string{"a"}}); return err }, `gauge "test_x_total": already defined as a counter`},
		{"bad name", func() error { _, err := m.Gauge("9 lives", metrics.Opts{}); return err }, `gauge "9 lives"`},
		{"bad label", func() error { _, err := m.Gauge("test_g", metrics.Opts{Labels: []string{"__reserved"}}); return err }, `gauge "test_g"`},
		{"bad static label", func() error {
			_, err := m.Counter("test_s_total", metrics.Opts{ConstLabels: map[string]string{"bad-label": "x"}})
			return err
		}, `static label name "bad-label"`},
		{"repeated label", func() error { _, err := m.Gauge("test_g2", metrics.Opts{Labels: []string{"a", "a"}}); return err }, `gauge "test_g2"`},
		{"clash with built-in", func() error { _, err := m.Gauge("asab_uptime_seconds", metrics.Opts{}); return err }, `gauge "asab_uptime_seconds"`},
		{"unsorted buckets", func() error { _, err := m.Histogram("test_h", metrics.Opts{}, []float64{1, 0.5}); return err }, "not in increasing order"},
	}
	for _, c := range cases {
		err := c.do()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestMisuseOfLabelsPanics(t *testing.T) {
	m := newService(t, "")
	c, _ := m.Counter("test_l_total", metrics.Opts{Labels: []string{"a", "b"}})
	g, _ := m.Gauge("test_l_gauge", metrics.Opts{Labels: []string{"a"}})
	h, _ := m.Histogram("test_l_hist", metrics.Opts{Labels: []string{"a"}}, nil)
	for name, fn := range map[string]func(){
		"Inc on labelled counter":   func() { c.Inc() },
		"Set on labelled gauge":     func() { g.Set(1) },
		"Observe on labelled histo": func() { h.Observe(1) },
		"With with too few values":  func() { c.With("only-one") },
		"With with too many values": func() { g.With("x", "y") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			fn()
		}()
	}
}

func TestConcurrentUpdates(t *testing.T) {
	m := newService(t, "")
	c, _ := m.Counter("test_cc_total", metrics.Opts{Labels: []string{"w"}})
	g, _ := m.Gauge("test_cg", metrics.Opts{})
	h, _ := m.Histogram("test_ch", metrics.Opts{}, []float64{1})
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := c.With(string(rune('a' + w%2)))
			for range each {
				mine.Inc()
				g.Add(1)
				h.Observe(0.5)
				// Creating the same metric concurrently returns the same one.
				if again, err := m.Counter("test_cc_total", metrics.Opts{Labels: []string{"w"}}); err != nil || again != c {
					t.Error("concurrent lookup returned another counter", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := testutil.ToFloat64(c.With("a")) + testutil.ToFloat64(c.With("b")); got != workers*each {
		t.Errorf("counter total %v, want %d", got, workers*each)
	}
	if got := testutil.ToFloat64(g.With()); got != workers*each {
		t.Errorf("gauge %v, want %d", got, workers*each)
	}
	if n := testutil.CollectAndCount(m.Registry(), "test_ch"); n != 1 {
		t.Errorf("histogram series %d, want 1", n)
	}
}

func TestBadSettings(t *testing.T) {
	for conf, want := range map[string]string{
		"[asab:metrics]\npath=metrics\n":           `[asab:metrics] path = "metrics": must start with /`,
		"[asab:metrics]\njson_path=x.json\n":       `[asab:metrics] json_path = "x.json"`,
		"[asab:metrics]\npath=/m\njson_path=/m\n":  `path and json_path are both "/m"`,
		"[asab:metrics]\nlog_every_minute=often\n": "log_every_minute",
		"[asab:metrics]\ngo_runtime=perhaps\n":     "go_runtime",
	} {
		a := app.New(app.WithName("t"), app.WithArgs(), app.WithConfigString(conf))
		err := a.AddModule(metrics.Module)
		a.Release()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", conf, err, want)
		}
	}
}

func TestEndpointsCanBeMovedOrTurnedOff(t *testing.T) {
	r := start(t, setup{conf: "[asab:metrics]\npath=/metrics\njson_path=\n"})
	if _, body := get(t, r.url("/metrics"), ""); !strings.Contains(body, "asab_uptime_seconds") {
		t.Errorf("/metrics: %q", body)
	}
	for _, p := range []string{"/asab/v1/metrics", "/asab/v1/metrics.json"} {
		res, err := http.Get(r.url(p))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, res.StatusCode)
		}
	}
}
