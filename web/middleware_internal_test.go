package web

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/logging"
)

// These tests run each middleware alone on a bare echo instance; the
// tests in serve_test.go run them together in a container.

// serve sends one request through e and returns the recorded response.
func serve(e *echo.Echo, method, target string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = "192.0.2.7:4000"
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// logCapture runs an application that logs JSON lines to a file, so that
// middleware under test can log through logging.Get; lines reads them
// once the application has stopped.
type logCapture struct {
	t    *testing.T
	r    *asabtest.App
	path string
}

func captureLog(t *testing.T) *logCapture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.json")
	return &logCapture{t: t, r: asabtest.New(t, asabtest.JSONLogConfig(path)).Start(), path: path}
}

// lines stops the application and returns the lines of logger name.
func (l *logCapture) lines(name string) []asabtest.LogLine {
	l.t.Helper()
	l.r.Stop()
	return asabtest.ReadLog(l.t, l.path, name)
}

func hello(c echo.Context) error { return c.String(http.StatusOK, "Hello!") }

func TestServerHeaderMiddleware(t *testing.T) {
	e := echo.New()
	e.Use(serverHeader("app/1.0 asab"))
	e.GET("/hello", hello)
	for _, target := range []string{"/hello", "/missing"} {
		if got := serve(e, "GET", target, nil).Header().Get("Server"); got != "app/1.0 asab" {
			t.Errorf("GET %s: Server %q", target, got)
		}
	}
}

func TestAnswerErrorsMiddleware(t *testing.T) {
	logs := captureLog(t)
	e := echo.New()
	handled := 0
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		handled++
		e.DefaultHTTPErrorHandler(err, c)
	}
	var seen []int // the status the next middleware out sees
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := next(c); err != nil {
				t.Errorf("answerErrors passed on %v", err)
			}
			seen = append(seen, c.Response().Status)
			return nil
		}
	}, answerErrors(logging.Get("asab.web")))
	e.GET("/teapot", func(echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short and stout") })
	e.GET("/fail", func(echo.Context) error { return errors.New("database gone") })
	if code := serve(e, "GET", "/teapot", nil).Code; code != http.StatusTeapot {
		t.Errorf("teapot: %d", code)
	}
	if code := serve(e, "GET", "/fail", nil).Code; code != 500 {
		t.Errorf("fail: %d", code)
	}
	if handled != 2 || len(seen) != 2 || seen[0] != 418 || seen[1] != 500 {
		t.Errorf("error handler called %d times (want 2), statuses seen outside %v", handled, seen)
	}
	lines := logs.lines("asab.web")
	if len(lines) != 1 || lines[0].Level != "ERROR" || lines[0].Fields["status"] != 500.0 ||
		!strings.Contains(lines[0].Fields["error"].(string), "database gone") {
		t.Errorf("want one ERROR line for the 500, got %+v", lines)
	}
}

func TestAccessLogMiddleware(t *testing.T) {
	logs := captureLog(t)
	e := echo.New()
	e.Use(accessLog(logging.Get("asab.web.al")))
	e.GET("/hello", hello)
	e.GET("/teapot", func(echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short and stout") })
	before := time.Now().Truncate(time.Microsecond)
	serve(e, "GET", "/hello?x=1", nil)
	after := time.Now()
	if code := serve(e, "GET", "/teapot", nil).Code; code != http.StatusTeapot {
		t.Errorf("teapot: %d", code)
	}
	lines := logs.lines("asab.web.al")
	if len(lines) != 2 {
		t.Fatalf("%d access lines, want 2: %+v", len(lines), lines)
	}
	f := lines[0].Fields
	if lines[0].Level != "NOTICE" || f["method"] != "GET" || f["path"] != "/hello" || f["status"] != 200.0 ||
		f["bytes"] != 6.0 || f["ip"] != "192.0.2.7" || f["error"] != nil {
		t.Errorf("line for /hello: %+v", lines[0])
	}
	if d, ok := f["duration"].(float64); !ok || d < 0 || d > 5 {
		t.Errorf("duration %v", f["duration"])
	}
	if lines[0].Time.Before(before) || lines[0].Time.After(after) {
		t.Errorf("line stamped %v, outside its request [%v, %v]", lines[0].Time, before, after)
	}
	if f := lines[1].Fields; f["status"] != 418.0 || !strings.Contains(f["error"].(string), "short and stout") {
		t.Errorf("line for /teapot (the status sent, and the error): %+v", lines[1])
	}
}

func TestRecoverPanicsMiddleware(t *testing.T) {
	logs := captureLog(t)
	panics := prometheus.NewCounter(prometheus.CounterOpts{Name: "panics"})
	e := echo.New()
	e.Use(recoverPanics(logging.Get("asab.web"), panics))
	e.GET("/boom", func(echo.Context) error { panic("kaboom") })
	e.GET("/abort", func(echo.Context) error { panic(http.ErrAbortHandler) })
	if code := serve(e, "GET", "/boom", nil).Code; code != 500 {
		t.Errorf("panicking handler: %d, want 500", code)
	}
	func() {
		defer func() {
			if r := recover(); r != http.ErrAbortHandler {
				t.Errorf("http.ErrAbortHandler not passed on: recovered %v", r)
			}
		}()
		serve(e, "GET", "/abort", nil)
	}()
	if n := testutil.ToFloat64(panics); n != 1 {
		t.Errorf("panics counted %v, want 1", n)
	}
	lines := logs.lines("asab.web")
	if len(lines) != 1 || lines[0].Level != "ERROR" || lines[0].Fields["panic"] != "kaboom" ||
		!strings.Contains(lines[0].Fields["stack"].(string), "middleware_internal_test.go") {
		t.Errorf("want one ERROR line with the panic and its stack, got %+v", lines)
	}
}

func TestBodyLimitMiddleware(t *testing.T) {
	e := echo.New()
	e.Use(bodyLimit(10))
	called := 0
	e.POST("/echo", func(c echo.Context) error {
		called++
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, string(b))
	})
	if rec := serve(e, "POST", "/echo", strings.NewReader("0123456789")); rec.Code != 200 || rec.Body.String() != "0123456789" {
		t.Errorf("body at the limit: %d %q", rec.Code, rec.Body)
	}
	if code := serve(e, "POST", "/echo", strings.NewReader("0123456789a")).Code; code != http.StatusRequestEntityTooLarge || called != 1 {
		t.Errorf("Content-Length over the limit: %d (handler called %d times, want 1)", code, called)
	}
	req := httptest.NewRequest("POST", "/echo", io.MultiReader(strings.NewReader(strings.Repeat("b", 30))))
	req.ContentLength = -1 // unknown, as for a chunked body
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("body of unknown length over the limit: %d, want 413", rec.Code)
	}
}

func TestRequestMetricsMiddleware(t *testing.T) {
	m := newRequestMetrics("web:test")
	e := echo.New()
	e.Use(m.middleware)
	e.GET("/users/:id", func(c echo.Context) error {
		if n := testutil.ToFloat64(m.inFlight); n != 1 {
			t.Errorf("in flight while serving: %v, want 1", n)
		}
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/teapot", func(echo.Context) error { return echo.ErrTeapot })
	serve(e, "GET", "/users/1", nil)
	serve(e, "GET", "/users/2", nil)
	serve(e, "GET", "/no/such/path", nil)
	serve(e, "BREW", "/users/3", nil)
	serve(e, "GET", "/teapot", nil)
	for _, tc := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"GET", "/users/:id", "204"}, 2},
		{[]string{"GET", unmatchedRoute, "404"}, 1},
		{[]string{otherMethod, "/users/:id", "405"}, 1},
		{[]string{"GET", "/teapot", "418"}, 1}, // the status of the error, answered
	} {
		if got := testutil.ToFloat64(m.requests.WithLabelValues(tc.labels...)); got != tc.want {
			t.Errorf("requests%v = %v, want %v", tc.labels, got, tc.want)
		}
	}
	if n := testutil.CollectAndCount(m.requests); n != 4 {
		t.Errorf("%d request series, want 4", n)
	}
	var h dto.Metric
	if err := m.duration.WithLabelValues("GET", "/users/:id").(prometheus.Histogram).Write(&h); err != nil {
		t.Fatal(err)
	}
	if got := h.GetHistogram().GetSampleCount(); got != 2 {
		t.Errorf("duration samples for GET /users/:id = %d, want 2", got)
	}
	if got := len(h.GetHistogram().GetBucket()); got != len(prometheus.DefBuckets) {
		t.Errorf("%d buckets, want DefBuckets' %d", got, len(prometheus.DefBuckets))
	}
	if n := testutil.ToFloat64(m.inFlight); n != 0 {
		t.Errorf("in flight after: %v, want 0", n)
	}
}
