package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	dto "github.com/prometheus/client_model/go"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// TestMetricsScrape runs an application with web.Module, a second
// container and metrics.Module, makes known requests, scrapes
// /asab/v1/metrics over HTTP and checks every web metric.
func TestMetricsScrape(t *testing.T) {
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[web:admin]\nlisten=127.0.0.1 0\n" +
		"[logging:console]\nenabled=false\n[asab:metrics]\ngo_runtime=no\n"
	r := asabtest.New(t, conf, app.WithName("webmetrics"),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			svc, err := app.Service[*web.Service](a)
			if err != nil {
				return err
			}
			svc.Echo().GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
			svc.Echo().GET("/users/:id", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
			svc.Echo().GET("/boom", func(echo.Context) error { panic("boom") })
			return nil
		})).AddModule(web.Module, metrics.Module)
	admin, err := web.NewContainer(r.Application, "web:admin")
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := app.Service[*web.Service](r.Application)
	base := runUntilServing(t, r, svc.Container, admin)

	for range 3 {
		getStatus(t, base+"/hello", 200)
	}
	getStatus(t, base+"/users/1", 204)
	getStatus(t, base+"/users/2", 204)
	getStatus(t, base+"/no/such/path", 404)
	getStatus(t, base+"/boom", 500)
	req, _ := http.NewRequest("BREW", base+"/hello", nil)
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}

	fams := asabtest.Scrape(t, base+"/asab/v1/metrics")
	c := map[string]string{"container": "web"}
	for _, tc := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"method": "GET", "route": "/hello", "status": "200"}, 3},
		{map[string]string{"method": "GET", "route": "/users/:id", "status": "204"}, 2},
		{map[string]string{"method": "GET", "route": "<unmatched>", "status": "404"}, 1},
		{map[string]string{"method": "GET", "route": "/boom", "status": "500"}, 1},
		{map[string]string{"method": "OTHER", "route": "/hello", "status": "405"}, 1},
	} {
		tc.labels["container"] = "web"
		if got := asabtest.Value(t, fams, "asab_web_requests_total", tc.labels); got != tc.want {
			t.Errorf("asab_web_requests_total%v = %v, want %v", tc.labels, got, tc.want)
		}
	}
	for _, m := range fams["asab_web_requests_total"].GetMetric() {
		for _, lp := range m.GetLabel() {
			if lp.GetName() == "route" && strings.Contains(lp.GetValue(), "no/such") {
				t.Errorf("a raw path became a route label: %v", m)
			}
		}
	}
	h := asabtest.Value(t, fams, "asab_web_request_duration_seconds", map[string]string{"container": "web", "method": "GET", "route": "/hello"})
	if h != 3 {
		t.Errorf("histogram count for GET /hello = %v, want 3", h)
	}
	if got := asabtest.Value(t, fams, "asab_web_panics_total", c); got != 1 {
		t.Errorf("asab_web_panics_total = %v, want 1", got)
	}
	// The scrape itself is the one request in flight.
	if got := asabtest.Value(t, fams, "asab_web_requests_in_flight", c); got != 1 {
		t.Errorf("asab_web_requests_in_flight = %v, want 1 (the scrape)", got)
	}
	// The second container reports under its own label, and has seen nothing.
	if got := asabtest.Value(t, fams, "asab_web_panics_total", map[string]string{"container": "web:admin"}); got != 0 {
		t.Errorf("admin container panics = %v, want 0", got)
	}
	if fams["asab_web_request_duration_seconds"].GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("duration type = %v", fams["asab_web_request_duration_seconds"].GetType())
	}
}

// runUntilServing runs r until every container in cs serves, stops it at
// the end of the test (checking the exit code) and returns the first
// container's URL.
func runUntilServing(t *testing.T, r *asabtest.App, cs ...*web.Container) string {
	t.Helper()
	waiting := map[*web.Container]bool{}
	for _, c := range cs {
		waiting[c] = true
	}
	var mu sync.Mutex
	r.StartUntil(web.StartedMessage, func(m pubsub.Message) bool {
		mu.Lock()
		defer mu.Unlock()
		delete(waiting, m.Args[0].(*web.Container))
		return len(waiting) == 0
	})
	t.Cleanup(func() {
		if c := r.Stop(); c != 0 {
			t.Errorf("exit code %d", c)
		}
	})
	return cs[0].URL(0)
}

func getStatus(t *testing.T, url string, want int) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", url, res.StatusCode, want)
	}
}
