package apptest

import (
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/pubsub"
)

// StartTimeout and ExitTimeout are asabtest's.
const (
	StartTimeout = asabtest.StartTimeout
	ExitTimeout  = asabtest.ExitTimeout
)

// LogLine is asabtest.LogLine.
type LogLine = asabtest.LogLine

// Running is an application made by New for a test.
type Running struct {
	// App is the application.
	App *app.Application
	ta  *asabtest.App
}

// New is asabtest.New with the options in a slice, followed by AddModule for
// each factory; the application is named "apptest".
func New(t testing.TB, config string, opts []app.Option, modules ...app.ModuleFactory) *Running {
	t.Helper()
	ta := asabtest.New(t, config, append([]app.Option{app.WithName("apptest")}, opts...)...)
	for _, m := range modules {
		ta.AddModule(m)
	}
	return &Running{App: ta.Application, ta: ta}
}

// Start is New without options, followed by Run.
func Start(t testing.TB, config string, modules ...app.ModuleFactory) *Running {
	t.Helper()
	return New(t, config, nil, modules...).Run()
}

// Run is asabtest.App.Start.
func (r *Running) Run() *Running { r.ta.Start(); return r }

// RunUntil is asabtest.App.StartUntil.
func (r *Running) RunUntil(topic string, ready func(pubsub.Message) bool) *Running {
	r.ta.StartUntil(topic, ready)
	return r
}

// RunToExit is asabtest.App.RunToExit.
func (r *Running) RunToExit() int { return r.ta.RunToExit() }

// Stop is asabtest.App.Stop.
func (r *Running) Stop() int { return r.ta.Stop() }

// Wait is asabtest.App.Wait.
func (r *Running) Wait() int { return r.ta.Wait() }

// Service is app.ServiceNamed that fails the test on an error.
func Service[T any](t testing.TB, a *app.Application, name string) T {
	t.Helper()
	s, err := app.ServiceNamed[T](a, name)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	return s
}

// JSONLogConfig is asabtest.JSONLogConfig.
func JSONLogConfig(path string) string { return asabtest.JSONLogConfig(path) }

// ReadLog is asabtest.ReadLog.
func ReadLog(t testing.TB, path, logger string) []LogLine {
	t.Helper()
	return asabtest.ReadLog(t, path, logger)
}

// Scrape is asabtest.Scrape.
func Scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	return asabtest.Scrape(t, url)
}

// Lookup is asabtest.Lookup.
func Lookup(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, error) {
	return asabtest.Lookup(fams, name, want)
}

// Value is asabtest.Value.
func Value(t testing.TB, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	return asabtest.Value(t, fams, name, want)
}
