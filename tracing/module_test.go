package tracing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/internal/otlptest"
	"github.com/asabgo/asab/tracing"
)

// traced runs an application with the tracing module and returns it with
// its service.
func traced(t *testing.T, conf string, opts ...app.Option) (*asabtest.App, *tracing.Service) {
	t.Helper()
	conf = asabtest.JSONLogConfig(t.TempDir()+"/log.json") + conf
	r := asabtest.New(t, conf, opts...).AddModule(tracing.Module).Start()
	return r, asabtest.Service[*tracing.Service](t, r)
}

// echoServer serves GET /items/:id through the service's middleware.
func echoServer(t *testing.T, s *tracing.Service) string {
	t.Helper()
	e := echo.New()
	e.HideBanner = true
	e.Use(s.EchoMiddleware())
	e.GET("/items/:id", func(c echo.Context) error {
		_, sp := s.Tracer("test").Start(c.Request().Context(), "lookup")
		sp.End()
		return c.String(http.StatusOK, "ok")
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, url string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
}

// Spans of a real application go over OTLP/HTTP to a real receiver, with
// the resource attributes, and are flushed at exit (the batch timeout is
// far longer than the test).
func TestExportOverOTLPHTTP(t *testing.T) {
	recv := otlptest.Start(t)
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "from.env=yes,deployment.environment=from-env")
	r, s := traced(t, fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\nbatch_timeout=1h\n"+
		"resource_attributes=deployment.environment=test, team=billing\n", recv.URL()),
		app.WithName("orders"), app.WithVersion("2.1.0"))
	if !s.Enabled() {
		t.Fatal("exporter otlp-http, but the service is off")
	}
	get(t, echoServer(t, s)+"/items/7")
	if n := len(recv.Spans()); n != 0 {
		t.Fatalf("%d spans arrived before the flush at exit", n)
	}
	if code := r.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	spans := recv.Wait(t, 2, 5*time.Second)
	byName := map[string]otlptest.Span{}
	for _, sp := range spans {
		byName[sp.Name] = sp
	}
	server, lookup := byName["GET /items/:id"], byName["lookup"]
	if server.Name == "" || lookup.Name == "" {
		t.Fatalf("spans %v, want GET /items/:id and lookup", spans)
	}
	if lookup.TraceID != server.TraceID || lookup.ParentSpanID != server.SpanID || server.ParentSpanID != "" {
		t.Errorf("server %+v, lookup %+v: want lookup a child of the root server span", server, lookup)
	}
	if server.Kind != "SPAN_KIND_SERVER" || server.Scope != tracing.ScopeName || server.Attributes["http.route"] != "/items/:id" {
		t.Errorf("server span %+v", server)
	}
	host, _ := os.Hostname()
	for k, want := range map[string]string{
		"service.name": "orders", "service.version": "2.1.0", "host.name": host,
		"process.pid": strconv.Itoa(os.Getpid()), "team": "billing", "from.env": "yes",
		"deployment.environment": "test", // the configuration wins over the environment
		"telemetry.sdk.language": "go",
	} {
		if got := server.Resource[k]; got != want {
			t.Errorf("resource %s = %q, want %q", k, got, want)
		}
	}
	if _, exported, _ := s.SpanCounts(); exported != 2 {
		t.Errorf("exported count %d, want 2", exported)
	}
}

func TestServiceNamePrecedence(t *testing.T) {
	for _, c := range []struct{ conf, env, want string }{
		{"", "", "asabtest"},
		{"", "from-env", "from-env"},
		{"service_name=from-config\n", "from-env", "from-config"},
	} {
		recv := otlptest.Start(t)
		if c.env != "" {
			t.Setenv("OTEL_SERVICE_NAME", c.env)
		}
		r, s := traced(t, fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\n%s", recv.URL(), c.conf))
		_, sp := s.Tracer("t").Start(context.Background(), "x")
		sp.End()
		r.Stop()
		if got := recv.Wait(t, 1, 5*time.Second)[0].Resource["service.name"]; got != c.want {
			t.Errorf("config %q, OTEL_SERVICE_NAME %q: service.name %q, want %q", c.conf, c.env, got, c.want)
		}
		os.Unsetenv("OTEL_SERVICE_NAME")
	}
}

// An endpoint that accepts connections and never answers: requests are
// not held up, spans that find the queue full are dropped and counted, and
// the application exits at its shutdown deadline although the export
// timeout is a minute.
func TestUnansweringEndpointBlocksNothing(t *testing.T) {
	silent := otlptest.Silent(t)
	r, s := traced(t, fmt.Sprintf("[general]\nshutdown_timeout=1s\n[tracing]\nexporter=otlp-http\nendpoint=%s\n"+
		"queue_size=4\nbatch_size=1\nbatch_timeout=10ms\nexport_timeout=1m\n", silent.URL()))
	url := echoServer(t, s)
	for range 20 {
		get(t, url+"/items/1") // each returns although no export ever succeeds
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	dropped := gathered(t, reg, "asab_tracing_spans_dropped_total")
	if dropped == 0 {
		t.Errorf("asab_tracing_spans_dropped_total = 0 after 40 spans into a queue of 4 with the export hanging")
	}
	// The first export connects from the processor's goroutine, at its own
	// pace on a loaded machine.
	for wait := time.Now().Add(5 * time.Second); silent.Accepted() == 0 && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond)
	}
	if silent.Accepted() == 0 {
		t.Error("the exporter never connected to the endpoint within 5 s")
	}
	done := make(chan int, 1)
	go func() { done <- r.Stop() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // the deadline is 1 s; the export timeout 60 s
		t.Fatal("the application did not exit within 10 s of a 1 s shutdown deadline")
	}
	if d, e, f := s.SpanCounts(); e != 0 || d+f == 0 {
		t.Errorf("dropped %d exported %d failed %d: want nothing exported and the rest counted", d, e, f)
	}
}

func gathered(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestExporterNoneRecordsNothing(t *testing.T) {
	r, s := traced(t, "")
	if s.Enabled() || s.Resource() != nil {
		t.Error("the default configuration turned tracing on")
	}
	_, sp := s.Tracer("t").Start(context.Background(), "x")
	if sp.IsRecording() || sp.SpanContext().IsValid() {
		t.Error("a span of the disabled service records")
	}
	sp.End()
	if code := r.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestBadConfigurationStopsStartUp(t *testing.T) {
	r := asabtest.New(t, "[tracing]\nexporter=zipkin\n")
	err := r.Application.AddModule(tracing.Module)
	if err == nil || err.Error() != `add module tracing.Module: tracing: [tracing] exporter = "zipkin": unknown exporter (want otlp-http, otlp-grpc, stdout or none)` {
		t.Errorf("error %v", err)
	}
}

// A bad OTEL_RESOURCE_ATTRIBUTES stops start-up with an error that names
// the variable and quotes its value.
func TestBadResourceVariableStopsStartUp(t *testing.T) {
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team=billing,oops")
	r := asabtest.New(t, "[tracing]\nexporter=otlp-http\n")
	err := r.Application.AddModule(tracing.Module)
	if err == nil || !strings.Contains(err.Error(), `tracing: environment OTEL_RESOURCE_ATTRIBUTES = "team=billing,oops": `) {
		t.Errorf("error %v", err)
	}
}

// At exit, spans queued for an endpoint that never answers are cut off
// before the shutdown deadline, so the tracing service's Finalize returns
// in time and says how many spans it could not export, rather than being
// abandoned by the application at the deadline with no count.
func TestUnansweringEndpointAtExit(t *testing.T) {
	silent := otlptest.Silent(t)
	logPath := t.TempDir() + "/log.json"
	conf := asabtest.JSONLogConfig(logPath) + fmt.Sprintf("[general]\nshutdown_timeout=1s\n[tracing]\nexporter=otlp-http\nendpoint=%s\n"+
		"batch_timeout=1h\nexport_timeout=1m\n", silent.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module).Start()
	s := asabtest.Service[*tracing.Service](t, r)
	for range 3 {
		_, sp := s.Tracer("test").Start(context.Background(), "queued")
		sp.End()
	}
	start := time.Now()
	r.Stop()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the exit took %v with a 1 s shutdown deadline", took)
	}
	if silent.Accepted() == 0 {
		t.Error("the exporter never connected to the endpoint")
	}
	var failed []string
	for _, l := range asabtest.ReadLog(t, logPath, "asab.application") {
		if strings.Contains(l.Message, "abandoned") {
			t.Errorf("%s %s %v: the tracing service was abandoned at the deadline", l.Level, l.Message, l.Fields)
		}
		if l.Message == "Finalize failed" && l.Fields["what"] == "service "+tracing.ServiceName {
			failed = append(failed, fmt.Sprint(l.Fields["error"]))
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0], "3 spans not exported by the shutdown deadline") {
		t.Errorf("Finalize errors %q, want one naming the 3 spans not exported", failed)
	}
	if _, e, f := s.SpanCounts(); e != 0 || f != 3 {
		t.Errorf("exported %d failed %d, want 0 and 3", e, f)
	}
}
