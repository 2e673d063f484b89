package web_test

import (
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// spanService stands in for the tracing service by its one method that web
// uses: its middleware puts a fixed span context into the request's
// context and notes what it saw of the response (package tracing's own
// tests run the real service through the container).
type spanService struct {
	sc         trace.SpanContext
	serverSeen []string // the Server header when the middleware ran
}

func (s *spanService) EchoMiddleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			s.serverSeen = append(s.serverSeen, c.Response().Header().Get(echo.HeaderServer))
			req := c.Request()
			c.SetRequest(req.WithContext(trace.ContextWithSpanContext(req.Context(), s.sc)))
			return next(c)
		}
	}
}

// traced runs the web module with svc registered as the tracing service
// (nil: none), serves GET /x, does one request and returns the access-log
// line.
func traced(t *testing.T, svc any) asabtest.LogLine {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "log.json")
	register := func(a *app.Application) (any, error) {
		if svc != nil {
			return struct{}{}, a.RegisterService(web.TracingServiceName, svc)
		}
		return struct{}{}, nil
	}
	r := asabtest.New(t, asabtest.JSONLogConfig(logPath)+"[web]\nlisten=127.0.0.1 0\n").AddModule(register, web.Module)
	ws := asabtest.Service[*web.Service](t, r)
	ws.Echo().GET("/x", func(c echo.Context) error { return c.String(http.StatusOK, "x") })
	r.StartUntil(web.StartedMessage, func(m pubsub.Message) bool { return m.Args[0] == ws.Container })
	if code, _ := get(t, nil, ws.URL(0)+"/x"); code != http.StatusOK {
		t.Fatalf("GET /x: %d", code)
	}
	r.Stop()
	lines := asabtest.ReadLog(t, logPath, "asab.web.al")
	if len(lines) != 1 {
		t.Fatalf("%d access-log lines, want 1", len(lines))
	}
	return lines[0]
}

// The tracing service's middleware is the outermost one (it runs before
// the Server header is set) and the access-log line carries the ids of
// the span it put into the request's context.
func TestTracingMiddlewareOutermostAndAccessLogIDs(t *testing.T) {
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	svc := &spanService{sc: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})}
	line := traced(t, svc)
	if len(svc.serverSeen) != 1 || svc.serverSeen[0] != "" {
		t.Errorf("the tracing middleware ran %d times, seeing Server %q: want once, before the Server header", len(svc.serverSeen), svc.serverSeen)
	}
	if line.Fields["trace_id"] != tid.String() || line.Fields["span_id"] != sid.String() {
		t.Errorf("access-log fields %v, want trace_id %s span_id %s", line.Fields, tid, sid)
	}
}

// Without a tracing service, or with a service of that name that has no
// EchoMiddleware, requests are served as ever and the access log has no
// ids.
func TestNoTracingServiceNoIDs(t *testing.T) {
	for name, svc := range map[string]any{"none": nil, "not a tracer": "something else"} {
		t.Run(name, func(t *testing.T) {
			line := traced(t, svc)
			if _, ok := line.Fields["trace_id"]; ok {
				t.Errorf("access-log line %v has a trace_id", line.Fields)
			}
		})
	}
}

// The container's own lines about a request, the ERROR of a handler that
// panicked (with the stack) and of one that failed, carry the ids of the
// request's span like the access-log line.
func TestErrorLinesCarryIDs(t *testing.T) {
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	svc := &spanService{sc: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})}
	logPath := filepath.Join(t.TempDir(), "log.json")
	register := func(a *app.Application) (any, error) {
		return struct{}{}, a.RegisterService(web.TracingServiceName, svc)
	}
	r := asabtest.New(t, asabtest.JSONLogConfig(logPath)+"[web]\nlisten=127.0.0.1 0\n").AddModule(register, web.Module)
	ws := asabtest.Service[*web.Service](t, r)
	ws.Echo().GET("/panic", func(echo.Context) error { panic("out of cheese") })
	ws.Echo().GET("/fail", func(echo.Context) error { return errors.New("disk on fire") })
	r.StartUntil(web.StartedMessage, func(m pubsub.Message) bool { return m.Args[0] == ws.Container })
	for _, path := range []string{"/panic", "/fail"} {
		if code, _ := get(t, nil, ws.URL(0)+path); code != http.StatusInternalServerError {
			t.Fatalf("GET %s: %d", path, code)
		}
	}
	r.Stop()
	seen := map[string]bool{}
	for _, l := range asabtest.ReadLog(t, logPath, "asab.web") {
		if l.Level != "ERROR" {
			continue
		}
		seen[l.Message] = true
		if l.Fields["trace_id"] != tid.String() || l.Fields["span_id"] != sid.String() {
			t.Errorf("%q: trace_id %v span_id %v, want %s %s", l.Message, l.Fields["trace_id"], l.Fields["span_id"], tid, sid)
		}
	}
	if !seen["Handler panicked; answered 500"] || !seen["Request failed"] {
		t.Errorf("ERROR lines %v, want the panic's and the failure's", seen)
	}
}
