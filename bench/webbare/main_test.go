package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/web"
)

// TestAccessLogLines checks the production baseline's access log,
// synchronous and through the diode: one JSON line per request with the
// fields asab's access line has, the status echo's error handler sent for
// a handler error, the error text, and a panic answered 500 by Recover.
func TestAccessLogLines(t *testing.T) {
	for _, async := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "access.log")
		e := echo.New()
		closeLog, err := useProduction(e, &http.Server{}, path, async)
		if err != nil {
			t.Fatal(err)
		}
		e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
		e.GET("/boom", func(echo.Context) error { panic("boom") })
		for _, target := range []string{"/hello", "/missing", "/boom"} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.RemoteAddr = "192.0.2.7:4000"
			e.ServeHTTP(httptest.NewRecorder(), req)
		}
		closeLog() // the diode writes what it holds before closing the file
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) != 3 {
			t.Fatalf("async=%v: %d lines, want 3:\n%s", async, len(lines), data)
		}
		want := []struct {
			path   string
			status float64
			bytes  float64
			err    bool
		}{{"/hello", 200, 6, false}, {"/missing", 404, 24, true}, {"/boom", 500, 36, false}}
		for i, line := range lines {
			var got map[string]any
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("async=%v: line %d is not JSON: %v: %s", async, i+1, err, line)
			}
			w := want[i]
			if got["method"] != "GET" || got["path"] != w.path || got["status"] != w.status ||
				got["bytes"] != w.bytes || got["ip"] != "192.0.2.7" || got["level"] != "info" {
				t.Errorf("async=%v: line %d = %s", async, i+1, line)
			}
			if _, ok := got["duration"].(float64); !ok {
				t.Errorf("async=%v: line %d has no numeric duration: %s", async, i+1, line)
			}
			if _, ok := got["time"].(string); !ok {
				t.Errorf("async=%v: line %d has no time: %s", async, i+1, line)
			}
			if _, has := got["error"]; has != w.err {
				t.Errorf("async=%v: line %d error field present=%v, want %v: %s", async, i+1, has, w.err, line)
			}
		}
	}
}

// TestTimeoutsAreTheFrameworkDefaults: the production baseline's
// http.Server timeouts are the defaults of asab's [web] section.
func TestTimeoutsAreTheFrameworkDefaults(t *testing.T) {
	var srv http.Server
	setTimeouts(&srv)
	d := web.Defaults()
	for _, tc := range []struct {
		key string
		got time.Duration
	}{
		{"read_header_timeout", srv.ReadHeaderTimeout}, {"read_timeout", srv.ReadTimeout},
		{"write_timeout", srv.WriteTimeout}, {"idle_timeout", srv.IdleTimeout},
	} {
		v := d[tc.key].(string)
		if v == "0" {
			v = "0s"
		}
		want, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("[web] %s default %q: %v", tc.key, d[tc.key], err)
		}
		if tc.got != want {
			t.Errorf("%s: %v, want the framework's default %v", tc.key, tc.got, want)
		}
	}
}
