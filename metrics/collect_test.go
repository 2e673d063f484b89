package metrics_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
)

// eventService is a service of another package that owns events and
// exposes them as a prometheus.Collector, without knowing the metrics
// service.
type eventService struct {
	events atomic.Uint64
	desc   *prometheus.Desc
}

func newEventService(metric string) *eventService {
	return &eventService{desc: prometheus.NewDesc(metric, "Events seen.", []string{"kind"}, nil)}
}

func (s *eventService) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }
func (s *eventService) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(s.desc, prometheus.CounterValue, float64(s.events.Load()), "x")
}

// moduleWith returns a module factory registering svc under name.
func moduleWith(name string, svc any) app.ModuleFactory {
	return func(a *app.Application) (any, error) { return struct{}{}, a.RegisterService(name, svc) }
}

// lateRegistrar is a service whose Initialize registers another service,
// i.e. after the metrics service's Initialize has run.
type lateRegistrar struct {
	a   *app.Application
	svc *eventService
}

func (l *lateRegistrar) Initialize(context.Context) error {
	return l.a.RegisterService("test.Late", l.svc)
}

func TestServicesThatAreCollectorsAreRegistered(t *testing.T) {
	for _, webFirst := range []bool{false, true} {
		early := newEventService("test_early_events_total")
		late := newEventService("test_late_events_total")
		r := start(t, setup{webFirst: webFirst, modules: []app.ModuleFactory{
			moduleWith("test.Early", early),
			func(x *app.Application) (any, error) {
				return struct{}{}, x.RegisterService("test.Registrar", &lateRegistrar{a: x, svc: late})
			},
		}})
		early.events.Add(3)
		late.events.Add(4)
		_, body := get(t, r.url("/asab/v1/metrics"), "")
		fams := parseText(t, body)
		if got := sample(t, fams, "test_early_events_total", map[string]string{"kind": "x"}); got != 3 {
			t.Errorf("webFirst=%v: early service's counter %v, want 3", webFirst, got)
		}
		if got := sample(t, fams, "test_late_events_total", map[string]string{"kind": "x"}); got != 4 {
			t.Errorf("webFirst=%v: service registered after metrics' Initialize: %v, want 4", webFirst, got)
		}
		// A collector registered by hand at run-time, twice: no error.
		own := newEventService("test_own_events_total")
		if err := r.m.Register(own); err != nil {
			t.Fatal(err)
		}
		if err := r.m.Register(own); err != nil {
			t.Fatalf("registering the same collector again: %v", err)
		}
		if err := r.m.Register(newEventService("test_own_events_total")); err == nil {
			t.Error("a second collector with the same metric registered without error")
		}
		if code := r.stop(); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	}
}

func TestClashingCollectorServiceStopsStartUp(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "log.json")
	a := app.New(app.WithName("clash"), app.WithArgs(), app.WithConfigString(
		"[logging:console]\nenabled=false\n[logging:file]\nformat=json\npath="+logPath+"\n"))
	for _, f := range []app.ModuleFactory{
		metrics.Module,
		moduleWith("test.One", newEventService("test_events_total")),
		moduleWith("test.Two", newEventService("test_events_total")),
	} {
		if err := a.AddModule(f); err != nil {
			a.Release()
			t.Fatal(err)
		}
	}
	m, err := app.Service[*metrics.Service](a)
	if err != nil {
		t.Fatal(err)
	}
	if code := a.Run(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	log, _ := os.ReadFile(logPath)
	if !strings.Contains(string(log), `service \"test.Two\"`) || !strings.Contains(string(log), "test_events_total") {
		t.Errorf("the start-up error does not name the service and the metric (%s):\n%s", logPath, log)
	}
	// The first one is registered, the second one was refused.
	fams, _ := m.Families()
	var names []string
	for _, f := range fams {
		names = append(names, f.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "test_events_total") {
		t.Errorf("first collector not registered: %v", names)
	}
}
