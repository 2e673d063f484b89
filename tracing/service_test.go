package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/asabgo/asab/internal/otlptest"
)

// initialized returns a service with the given settings, initialized; the
// cleanup finalizes it.
func initialized(t testing.TB, set settings, stdout *bytes.Buffer) *Service {
	t.Helper()
	if set.sampler == "" {
		set.sampler = "parentbased_always_on"
	}
	if set.queueSize == 0 {
		set.queueSize, set.batchSize, set.batchTimeout, set.exportTimeout = 16, 8, time.Hour, 5*time.Second
	}
	s, err := newService(context.Background(), set, "svc", "0.1")
	if err != nil {
		t.Fatal(err)
	}
	if stdout != nil {
		s.stdout = stdout
	}
	if err := s.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Finalize(context.Background()) })
	return s
}

func TestStdoutExporter(t *testing.T) {
	var out bytes.Buffer
	s := initialized(t, settings{exporter: ExporterStdout}, &out)
	_, sp := s.Tracer("t").Start(context.Background(), "printed")
	sp.End()
	if err := s.Finalize(context.Background()); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Name string }
	if err := json.NewDecoder(&out).Decode(&doc); err != nil || doc.Name != "printed" {
		t.Errorf("stdout %q: %v, want a JSON span named printed", out.String(), err)
	}
}

func TestOTLPGRPCExporter(t *testing.T) {
	recv := otlptest.StartGRPC(t)
	s := initialized(t, settings{exporter: ExporterOTLPGRPC, endpoint: recv.URL()}, nil)
	_, sp := s.Tracer("t").Start(context.Background(), "over grpc")
	sp.End()
	if err := s.Finalize(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := recv.Wait(t, 1, 5*time.Second); got[0].Name != "over grpc" || got[0].Resource["service.name"] != "svc" {
		t.Errorf("received %+v", got)
	}
}

func TestSamplers(t *testing.T) {
	for name, want := range map[string]bool{
		"always_on": true, "always_off": false, "traceidratio": false, "parentbased_always_on": true,
		"parentbased_always_off": false, "parentbased_traceidratio": false,
	} {
		s, err := newService(context.Background(), settings{exporter: ExporterOTLPHTTP, sampler: name, ratio: 0}, "a", "")
		if err != nil {
			t.Fatal(err)
		}
		_, sp := s.Tracer("t").Start(context.Background(), "root")
		if sp.SpanContext().IsSampled() != want {
			t.Errorf("%s (ratio 0): sampled %v, want %v", name, sp.SpanContext().IsSampled(), want)
		}
		sp.End()
		// A sampled remote parent decides for the parent-based samplers.
		parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: [16]byte{1}, SpanID: [8]byte{1},
			TraceFlags: trace.FlagsSampled, Remote: true})
		_, child := s.Tracer("t").Start(trace.ContextWithRemoteSpanContext(context.Background(), parent), "child")
		if strings.HasPrefix(name, "parentbased") && !child.SpanContext().IsSampled() {
			t.Errorf("%s: the child of a sampled parent is not sampled", name)
		}
		child.End()
		s.sdk.Shutdown(context.Background())
	}
}

// set_global makes the provider and propagator otel's globals, so user code
// that calls otel.Tracer records into the application's provider.
func TestSetGlobal(t *testing.T) {
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetTextMapPropagator(prevProp) })
	s := initialized(t, settings{exporter: ExporterStdout, setGlobal: true}, &bytes.Buffer{})
	rec := tracetest.NewSpanRecorder()
	s.sdk.RegisterSpanProcessor(rec)
	_, sp := otel.Tracer("user").Start(context.Background(), "user span")
	sp.End()
	byName(t, rec, "user span")
	h := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(trace.ContextWithSpan(context.Background(), sp), h)
	if h["traceparent"] == "" {
		t.Error("the global propagator does not write traceparent")
	}
}
