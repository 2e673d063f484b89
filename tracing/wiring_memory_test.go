package tracing

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/web"
)

// These tests run the framework's own instrumentation (web's container, the
// in-process broker) with the SDK's in-memory span recorder in place of an
// exporter, and check every attribute of the spans it makes.

// inMemory starts an application with the tracing module (exporter stdout,
// written to io.Discard) and the given modules, and records its spans.
func inMemory(t *testing.T, conf string, modules ...app.ModuleFactory) (*asabtest.App, *Service, *tracetest.SpanRecorder) {
	t.Helper()
	conf = asabtest.JSONLogConfig(t.TempDir()+"/log.json") + "[tracing]\nexporter=stdout\nsampler=always_on\n" + conf
	r := asabtest.New(t, conf).AddModule(append([]app.ModuleFactory{Module}, modules...)...)
	s := asabtest.Service[*Service](t, r)
	s.stdout = io.Discard
	rec := tracetest.NewSpanRecorder()
	s.sdk.RegisterSpanProcessor(rec)
	return r, s, rec
}

func TestWebServerSpanInMemory(t *testing.T) {
	r, _, rec := inMemory(t, "[web]\nlisten=127.0.0.1 0\n", web.Module)
	ws := asabtest.Service[*web.Service](t, r)
	var handlerSpan trace.SpanContext
	ws.Echo().GET("/things/:id", func(c echo.Context) error {
		handlerSpan = trace.SpanContextFromContext(c.Request().Context())
		return c.String(http.StatusOK, "ok")
	})
	ws.Echo().GET("/broken", func(echo.Context) error { return errors.New("disk on fire") })
	ws.Echo().GET("/panics", func(echo.Context) error { panic("out of cheese") })
	r.StartUntil(web.StartedMessage, nil)
	defer r.Stop()

	get := func(path string, header map[string]string) int {
		req, _ := http.NewRequest(http.MethodGet, ws.URL(0)+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	get("/things/9", map[string]string{
		"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		"User-Agent":  "wiring-test/1",
	})
	for _, path := range []string{"/broken", "/panics"} {
		if code := get(path, nil); code != http.StatusInternalServerError {
			t.Fatalf("%s answered %d", path, code)
		}
	}

	ok := byName(t, rec, "GET /things/:id")
	if ok.SpanKind() != trace.SpanKindServer {
		t.Errorf("kind %v, want server", ok.SpanKind())
	}
	if ok.SpanContext().TraceID().String() != "0af7651916cd43dd8448eb211c80319c" || ok.Parent().SpanID().String() != "b7ad6b7169203331" {
		t.Errorf("span %s with parent %s: not continued from the traceparent", ok.SpanContext().TraceID(), ok.Parent().SpanID())
	}
	if handlerSpan.SpanID() != ok.SpanContext().SpanID() {
		t.Errorf("the handler's context holds span %s, want the server span %s", handlerSpan.SpanID(), ok.SpanContext().SpanID())
	}
	checkAttrs(t, ok, map[string]string{
		"http.request.method": "GET", "http.route": "/things/:id", "url.path": "/things/9", "url.scheme": "http",
		"server.address": "127.0.0.1", "client.address": "127.0.0.1", "network.peer.address": "127.0.0.1",
		"network.protocol.version": "1.1", "user_agent.original": "wiring-test/1", "http.response.status_code": "200",
	})
	if ok.Status().Code != codes.Unset {
		t.Errorf("a 200 has status %v", ok.Status())
	}
	broken := byName(t, rec, "GET /broken")
	// web's answerErrors, inside the span, answers the error, so the span
	// sees the status sent and names it as the error type.
	checkAttrs(t, broken, map[string]string{"http.response.status_code": "500", "error.type": "500"})
	if broken.Status().Code != codes.Error || broken.Parent().IsValid() {
		t.Errorf("a 500 without traceparent: status %v, parent %v; want an error root span", broken.Status(), broken.Parent())
	}
	// The error itself, stopped by answerErrors, is still recorded on the
	// span (web.ErrorKey), and so is a panic recovered by the container.
	for name, want := range map[string]string{"GET /broken": "disk on fire", "GET /panics": "out of cheese"} {
		sp := byName(t, rec, name)
		if msg := exceptionMessage(sp); !strings.Contains(msg, want) {
			t.Errorf("span %q: exception event %q, want one with %q", name, msg, want)
		}
		checkAttrs(t, sp, map[string]string{"http.response.status_code": "500", "error.type": "500"})
		if sp.Status().Code != codes.Error {
			t.Errorf("span %q: status %v, want Error", name, sp.Status())
		}
	}
}

// exceptionMessage is exception.message of the span's exception event, ""
// without one.
func exceptionMessage(sp sdktrace.ReadOnlySpan) string {
	for _, ev := range sp.Events() {
		if ev.Name != "exception" {
			continue
		}
		for _, kv := range ev.Attributes {
			if kv.Key == "exception.message" {
				return kv.Value.AsString()
			}
		}
	}
	return ""
}

// web and tracing share the key of the handler error, each declaring it.
func TestErrorKeyMatchesWeb(t *testing.T) {
	if ErrorKey != web.ErrorKey {
		t.Errorf("tracing.ErrorKey %q, web.ErrorKey %q", ErrorKey, web.ErrorKey)
	}
}

func TestLocalBrokerSpansInMemory(t *testing.T) {
	r, s, rec := inMemory(t, "", mom.Module)
	r.Start()
	defer r.Stop()
	b := asabtest.Service[*mom.Service](t, r).Default()
	var inHandler trace.SpanContext
	if err := b.Add("calc", func(ctx context.Context, m *mom.Message) ([]byte, error) {
		inHandler = trace.SpanContextFromContext(ctx)
		if string(m.Body) == "fail" {
			return nil, errors.New("cannot calc")
		}
		return []byte("ok"), nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(context.Background(), "calc", mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, root := s.Tracer("test").Start(context.Background(), "root")
	reply, err := b.Request(ctx, []byte("x"), "calc", mom.PublishOptions{Headers: map[string]any{"x-user": "kept"}})
	if err != nil {
		t.Fatal(err)
	}
	root.End()

	pub, proc := byName(t, rec, "publish calc"), byName(t, rec, "process calc")
	tid := root.SpanContext().TraceID()
	if pub.SpanContext().TraceID() != tid || proc.SpanContext().TraceID() != tid {
		t.Errorf("traces %s and %s, want %s", pub.SpanContext().TraceID(), proc.SpanContext().TraceID(), tid)
	}
	if pub.Parent().SpanID() != root.SpanContext().SpanID() || proc.Parent().SpanID() != pub.SpanContext().SpanID() {
		t.Errorf("parents: publish %s (root %s), process %s (publish %s)",
			pub.Parent().SpanID(), root.SpanContext().SpanID(), proc.Parent().SpanID(), pub.SpanContext().SpanID())
	}
	if !proc.Parent().IsRemote() {
		t.Error("the process span's parent came through the headers, so it is remote")
	}
	if inHandler.SpanID() != proc.SpanContext().SpanID() {
		t.Errorf("the handler runs in span %s, want the process span %s", inHandler.SpanID(), proc.SpanContext().SpanID())
	}
	if pub.EndTime().Before(proc.EndTime()) {
		t.Error("the request's publish span ended before the reply was handled")
	}
	if got := trace.SpanContextFromContext(ExtractHeaders(context.Background(), reply.Headers)); got.SpanID() != proc.SpanContext().SpanID() {
		t.Errorf("the reply carries span %s, want the process span %s", got.SpanID(), proc.SpanContext().SpanID())
	}
	if pub.SpanKind() != trace.SpanKindProducer || proc.SpanKind() != trace.SpanKindConsumer {
		t.Errorf("kinds %v and %v", pub.SpanKind(), proc.SpanKind())
	}
	checkAttrs(t, pub, map[string]string{"messaging.system": "asab-local", "messaging.destination.name": "calc",
		"messaging.operation.type": "send", "messaging.operation.name": "publish"})
	checkAttrs(t, proc, map[string]string{"messaging.system": "asab-local", "messaging.destination.name": "calc",
		"messaging.destination.subscription.name": "calc",
		"messaging.operation.type":                "process", "messaging.operation.name": "process"})

	// A failing handler: its span and the request's are errors, and the
	// error reply still carries the trace.
	if _, err := b.Request(context.Background(), []byte("fail"), "calc", mom.PublishOptions{}); err == nil {
		t.Fatal("a failing handler's request succeeded")
	}
	var failed int
	for _, sp := range rec.Ended() {
		if sp.Status().Code == codes.Error {
			failed++
			if sp.Name() != "publish calc" && sp.Name() != "process calc" {
				t.Errorf("unexpected error span %q", sp.Name())
			}
		}
	}
	if failed != 2 {
		t.Errorf("%d error spans, want the publish and the process span", failed)
	}

	// A plain Publish is one producer span too.
	if err := b.Publish(context.Background(), []byte("x"), "nobody.listens", mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	checkAttrs(t, byName(t, rec, "publish nobody.listens"), map[string]string{"messaging.destination.name": "nobody.listens"})
}

// With exporter = none the brokers are given no tracer and the web
// container no span: nothing is recorded and the headers stay as they are.
func TestNoneRecordsNothingThroughTheFramework(t *testing.T) {
	r := asabtest.New(t, asabtest.JSONLogConfig(t.TempDir()+"/log.json")+"[tracing]\nexporter=none\n").AddModule(Module, mom.Module).Start()
	defer r.Stop()
	b := asabtest.Service[*mom.Service](t, r).Default()
	got := make(chan map[string]any, 1)
	_ = b.Add("t", func(_ context.Context, m *mom.Message) ([]byte, error) { got <- m.Headers; return nil, nil })
	if err := b.Subscribe(context.Background(), "t", mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), nil, "t", mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	if h := <-got; h["traceparent"] != nil {
		t.Errorf("with exporter = none the message carries %v", h)
	}
}
