package tracing

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// recorded returns a service that records every span in memory (the
// exporter setting only turns the SDK provider on; no exporter is made).
func recorded(t *testing.T) (*Service, *tracetest.SpanRecorder) {
	t.Helper()
	s, err := newService(context.Background(), settings{exporter: ExporterOTLPHTTP, sampler: "always_on"}, "testapp", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	s.sdk.RegisterSpanProcessor(rec)
	t.Cleanup(func() { _ = s.sdk.Shutdown(context.Background()) })
	return s, rec
}

// attrs returns a span's attributes as a map of their values' text.
func attrs(s sdktrace.ReadOnlySpan) map[string]string {
	m := map[string]string{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

// checkAttrs fails the test for every want entry the span does not carry.
func checkAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[string]string) {
	t.Helper()
	got := attrs(s)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("span %q: %s = %q, want %q (all: %v)", s.Name(), k, got[k], v, got)
		}
	}
}

// byName returns the ended span named name, failing the test when there is
// not exactly one.
func byName(t *testing.T, rec *tracetest.SpanRecorder, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
		if s.Name() == name {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d spans named %q among %q", len(found), name, names)
	}
	return found[0]
}
