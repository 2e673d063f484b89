package tracing

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// served starts an echo server with the service's middleware on a real
// socket and returns its URL.
func served(t *testing.T, s *Service, routes func(e *echo.Echo)) string {
	t.Helper()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(s.EchoMiddleware())
	routes(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func do(t *testing.T, method, url string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestEchoServerSpan(t *testing.T) {
	s, rec := recorded(t)
	var handlerCtx context.Context
	url := served(t, s, func(e *echo.Echo) {
		e.GET("/users/:id", func(c echo.Context) error {
			handlerCtx = c.Request().Context()
			_, sp := s.Tracer("handler").Start(handlerCtx, "load user")
			sp.End()
			return c.String(http.StatusOK, baggage.FromContext(handlerCtx).Member("tenant").Value())
		})
	})
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	code, body := do(t, http.MethodGet, url+"/users/42?x=1", map[string]string{
		"traceparent": parent, "tracestate": "vendor=1", "baggage": "tenant=acme", "User-Agent": "tracing-test/1",
	})
	if code != http.StatusOK || body != "acme" {
		t.Fatalf("status %d body %q, want 200 and the baggage member", code, body)
	}
	sp := byName(t, rec, "GET /users/:id")
	if sp.SpanKind() != trace.SpanKindServer {
		t.Errorf("kind %v", sp.SpanKind())
	}
	if sp.SpanContext().TraceID().String() != "0af7651916cd43dd8448eb211c80319c" || sp.Parent().SpanID().String() != "b7ad6b7169203331" {
		t.Errorf("trace %s parent %s: the incoming traceparent was not continued", sp.SpanContext().TraceID(), sp.Parent().SpanID())
	}
	if sp.SpanContext().TraceState().Get("vendor") != "1" {
		t.Error("tracestate lost")
	}
	checkAttrs(t, sp, map[string]string{
		"http.request.method": "GET", "http.route": "/users/:id", "url.path": "/users/42", "url.scheme": "http",
		"http.response.status_code": "200", "client.address": "127.0.0.1", "network.peer.address": "127.0.0.1",
		"server.address": "127.0.0.1", "network.protocol.version": "1.1", "user_agent.original": "tracing-test/1",
	})
	if sp.Status().Code == codes.Error {
		t.Error("a 200 is marked as an error")
	}
	child := byName(t, rec, "load user")
	if child.Parent().SpanID() != sp.SpanContext().SpanID() {
		t.Error("the handler's span is not a child of the server span")
	}
	if trace.SpanContextFromContext(handlerCtx).SpanID() != sp.SpanContext().SpanID() {
		t.Error("the request's context does not carry the server span")
	}
}

func TestEchoStatuses(t *testing.T) {
	s, rec := recorded(t)
	url := served(t, s, func(e *echo.Echo) {
		e.GET("/fail", func(c echo.Context) error { return errors.New("database down") })
		e.GET("/unavailable", func(c echo.Context) error { return echo.NewHTTPError(http.StatusServiceUnavailable, "later") })
		e.GET("/written", func(c echo.Context) error { return c.NoContent(http.StatusBadGateway) })
		e.GET("/missing", func(c echo.Context) error { return echo.ErrNotFound })
	})
	for path, want := range map[string]int{"/fail": 500, "/unavailable": 503, "/written": 502, "/missing": 404} {
		if code, _ := do(t, http.MethodGet, url+path, nil); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
	fail := byName(t, rec, "GET /fail")
	if fail.Status().Code != codes.Error || len(fail.Events()) == 0 {
		t.Errorf("a 500 from an error: status %+v, %d events, want an error with the error recorded", fail.Status(), len(fail.Events()))
	}
	checkAttrs(t, fail, map[string]string{"http.response.status_code": "500", "error.type": "*errors.errorString"})
	checkAttrs(t, byName(t, rec, "GET /unavailable"), map[string]string{"http.response.status_code": "503", "error.type": "503"})
	checkAttrs(t, byName(t, rec, "GET /written"), map[string]string{"http.response.status_code": "502", "error.type": "502"})
	missing := byName(t, rec, "GET /missing")
	checkAttrs(t, missing, map[string]string{"http.response.status_code": "404"})
	if missing.Status().Code == codes.Error {
		t.Error("a 404 is marked as an error on a server span")
	}
}

// A path that matches no route, and a method echo does not know: the
// raw path never becomes the span name.
func TestEchoNoRouteNeverNamesThePath(t *testing.T) {
	s, rec := recorded(t)
	url := served(t, s, func(e *echo.Echo) {
		e.GET("/known", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	})
	do(t, http.MethodGet, url+"/secret/token-123", nil)
	do(t, "PURGE", url+"/known", nil)
	for _, sp := range rec.Ended() {
		if strings.Contains(sp.Name(), "token-123") {
			t.Errorf("span name %q holds the raw path", sp.Name())
		}
	}
	if len(rec.Ended()) != 2 {
		t.Fatalf("%d spans, want 2", len(rec.Ended()))
	}
	for _, sp := range rec.Ended() {
		t.Logf("span %q", sp.Name())
		a := attrs(sp)
		if a["url.path"] == "/known" {
			if !strings.HasPrefix(sp.Name(), "HTTP") || a["http.request.method"] != "_OTHER" || a["http.request.method_original"] != "PURGE" {
				t.Errorf("unknown method: name %q attrs %v", sp.Name(), a)
			}
		} else if a["http.response.status_code"] != "404" && a["http.response.status_code"] != "405" {
			t.Errorf("no route: status %s", a["http.response.status_code"])
		}
	}
}

// With exporter = none the middleware is the next handler itself: nothing
// is recorded and the handler sees the request's own context.
func TestEchoMiddlewareOff(t *testing.T) {
	s, err := newService(context.Background(), settings{exporter: ExporterNone}, "a", "")
	if err != nil {
		t.Fatal(err)
	}
	var valid bool
	url := served(t, s, func(e *echo.Echo) {
		e.GET("/", func(c echo.Context) error {
			valid = trace.SpanContextFromContext(c.Request().Context()).IsValid()
			return c.NoContent(http.StatusOK)
		})
	})
	do(t, http.MethodGet, url+"/", map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
	if valid {
		t.Error("the disabled middleware put a span context into the request")
	}
}

// A handler that aborts the response with a panic no middleware recovers
// (http.ErrAbortHandler, which the web container passes on to net/http):
// the client gets no answer, and the span, ended on the way out, is an
// error rather than a request without a status.
func TestEchoAbortedResponseIsAnError(t *testing.T) {
	s, rec := recorded(t)
	url := served(t, s, func(e *echo.Echo) {
		e.GET("/abort", func(c echo.Context) error { panic(http.ErrAbortHandler) })
	})
	req, _ := http.NewRequest(http.MethodGet, url+"/abort", nil)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("an aborted response answered %d", res.StatusCode)
	}
	sp := byName(t, rec, "GET /abort")
	if sp.Status().Code != codes.Error {
		t.Errorf("status %+v, want Error", sp.Status())
	}
	checkAttrs(t, sp, map[string]string{"error.type": "_OTHER"})
	if _, ok := attrs(sp)["http.response.status_code"]; ok {
		t.Errorf("an aborted response has a status code: %v", attrs(sp))
	}
}
