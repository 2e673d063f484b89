// These tests check the framework's use of the tracing service: web's
// server spans and access-log ids, and MOM's publish, consume and reply
// spans.

package tracing_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/internal/otlptest"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/tracing"
	"github.com/asabgo/asab/web"
)

// A request with a traceparent: the web container's server span continues
// it, is exported, and the access-log line carries its ids.
func TestWebContainerTraces(t *testing.T) {
	recv := otlptest.Start(t)
	logPath := t.TempDir() + "/log.json"
	conf := asabtest.JSONLogConfig(logPath) +
		fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\n[web]\nlisten=127.0.0.1 0\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module, web.Module)
	ws := asabtest.Service[*web.Service](t, r)
	ws.Echo().GET("/things/:id", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	r.StartUntil(web.StartedMessage, nil)
	req, _ := http.NewRequest(http.MethodGet, ws.URL(0)+"/things/9", nil)
	req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	r.Stop()
	sp := recv.Wait(t, 1, 5*time.Second)[0]
	if sp.Name != "GET /things/:id" || sp.TraceID != "0af7651916cd43dd8448eb211c80319c" || sp.ParentSpanID != "b7ad6b7169203331" {
		t.Errorf("server span %+v", sp)
	}
	lines := asabtest.ReadLog(t, logPath, "asab.web.al")
	if len(lines) != 1 {
		t.Fatalf("%d access-log lines, want 1", len(lines))
	}
	if f := lines[0].Fields; f["trace_id"] != sp.TraceID || f["span_id"] != sp.SpanID {
		t.Errorf("access-log fields %v, want trace_id %s span_id %s", f, sp.TraceID, sp.SpanID)
	}
}

// A request over the in-process broker: publish, process, the handler's
// own span and the reply's headers form one trace with the right parents.
func TestLocalBrokerTraces(t *testing.T) {
	recv := otlptest.Start(t)
	conf := asabtest.JSONLogConfig(t.TempDir()+"/log.json") +
		fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module, mom.Module).Start()
	ts := asabtest.Service[*tracing.Service](t, r)
	b := asabtest.Service[*mom.Service](t, r).Default()
	if err := b.Add("calc", func(ctx context.Context, m *mom.Message) ([]byte, error) {
		_, sp := ts.Tracer("handler").Start(ctx, "work")
		sp.End()
		return []byte("ok"), nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(context.Background(), "calc", mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, root := ts.Tracer("test").Start(context.Background(), "root")
	reply, err := b.Request(ctx, []byte("x"), "calc", mom.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	root.End()
	replied := trace.SpanContextFromContext(tracing.ExtractHeaders(context.Background(), reply.Headers))
	r.Stop()
	by := map[string]otlptest.Span{}
	for _, s := range recv.Wait(t, 4, 5*time.Second) {
		by[s.Name] = s
	}
	root2, pub, proc, work := by["root"], by["publish calc"], by["process calc"], by["work"]
	for _, s := range []otlptest.Span{pub, proc, work} {
		if s.TraceID != root2.TraceID {
			t.Errorf("span %q in trace %s, want %s", s.Name, s.TraceID, root2.TraceID)
		}
	}
	if pub.ParentSpanID != root2.SpanID || proc.ParentSpanID != pub.SpanID || work.ParentSpanID != proc.SpanID {
		t.Errorf("parents: publish %s (root %s), process %s (publish %s), work %s (process %s)",
			pub.ParentSpanID, root2.SpanID, proc.ParentSpanID, pub.SpanID, work.ParentSpanID, proc.SpanID)
	}
	if replied.SpanID().String() != proc.SpanID {
		t.Errorf("the reply carries span %s, want the process span %s", replied.SpanID(), proc.SpanID)
	}
	if proc.Attributes["messaging.system"] != tracing.SystemLocal || pub.Kind != "SPAN_KIND_PRODUCER" || proc.Kind != "SPAN_KIND_CONSUMER" {
		t.Errorf("publish %+v process %+v", pub, proc)
	}
}

// The in-process broker's own lines about a message after its handler
// ran (here: retries exhausted, dropped for want of a dead-letter
// exchange) carry the handler's trace ids.
func TestLocalBrokerLinesCarryIDs(t *testing.T) {
	recv := otlptest.Start(t)
	logPath := t.TempDir() + "/log.json"
	conf := asabtest.JSONLogConfig(logPath) + fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module, mom.Module).Start()
	ts := asabtest.Service[*tracing.Service](t, r)
	b := asabtest.Service[*mom.Service](t, r).Default()
	inHandler := make(chan trace.SpanContext, 1)
	if err := b.Add("busy", func(ctx context.Context, m *mom.Message) ([]byte, error) {
		inHandler <- trace.SpanContextFromContext(ctx)
		return nil, mom.Retry(fmt.Errorf("busy"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(context.Background(), "busy", mom.SubscribeOptions{Retry: mom.RetryPolicy{MaxAttempts: 1}}); err != nil {
		t.Fatal(err)
	}
	ctx, root := ts.Tracer("test").Start(context.Background(), "root")
	if err := b.Publish(ctx, []byte("x"), "busy", mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	root.End()
	sc := <-inHandler
	r.Stop()
	want := map[string]bool{
		"Handler asked to retry on the last attempt; message goes to the dead-letter destination": false,
		"Retries exhausted and the queue has no dead-letter exchange; message dropped":            false,
	}
	for _, l := range asabtest.ReadLog(t, logPath, "asab.mom") {
		if _, ok := want[l.Message]; !ok {
			continue
		}
		want[l.Message] = true
		if l.Fields["trace_id"] != sc.TraceID().String() || l.Fields["span_id"] != sc.SpanID().String() {
			t.Errorf("%q: trace_id %v span_id %v, want %s %s", l.Message, l.Fields["trace_id"], l.Fields["span_id"], sc.TraceID(), sc.SpanID())
		}
	}
	for msg, seen := range want {
		if !seen {
			t.Errorf("no line %q", msg)
		}
	}
}
