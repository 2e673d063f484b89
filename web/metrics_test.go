package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/asabgo/asab/app"
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
	var admin *web.Container
	a := app.New(app.WithName("webmetrics"), app.WithArgs(), app.WithConfigString(conf),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			svc, err := app.GetService[*web.Service](a, web.ServiceName)
			if err != nil {
				return err
			}
			svc.Echo().GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
			svc.Echo().GET("/users/:id", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
			svc.Echo().GET("/boom", func(echo.Context) error { panic("boom") })
			return nil
		}))
	if err := a.AddModule(web.Module); err != nil {
		t.Fatal(err)
	}
	if err := a.AddModule(metrics.Module); err != nil {
		t.Fatal(err)
	}
	var err error
	if admin, err = web.NewContainer(a, "web:admin"); err != nil {
		t.Fatal(err)
	}
	svc, _ := app.GetService[*web.Service](a, web.ServiceName)
	base := runUntilServing(t, a, svc.Container, admin)

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

	fams := scrape(t, base+"/asab/v1/metrics")
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
		if got := value(t, fams, "asab_web_requests_total", tc.labels); got != tc.want {
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
	h := value(t, fams, "asab_web_request_duration_seconds", map[string]string{"container": "web", "method": "GET", "route": "/hello"})
	if h != 3 {
		t.Errorf("histogram count for GET /hello = %v, want 3", h)
	}
	if got := value(t, fams, "asab_web_panics_total", c); got != 1 {
		t.Errorf("asab_web_panics_total = %v, want 1", got)
	}
	// The scrape itself is the one request in flight.
	if got := value(t, fams, "asab_web_requests_in_flight", c); got != 1 {
		t.Errorf("asab_web_requests_in_flight = %v, want 1 (the scrape)", got)
	}
	// The second container reports under its own label, and has seen nothing.
	if got := value(t, fams, "asab_web_panics_total", map[string]string{"container": "web:admin"}); got != 0 {
		t.Errorf("admin container panics = %v, want 0", got)
	}
	if fams["asab_web_request_duration_seconds"].GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("duration type = %v", fams["asab_web_request_duration_seconds"].GetType())
	}
}

// runUntilServing runs a until every container serves, stops it at the
// end of the test and returns the default container's URL.
func runUntilServing(t *testing.T, a *app.Application, cs ...*web.Container) string {
	t.Helper()
	var mu sync.Mutex
	waiting := len(cs)
	started := make(chan struct{})
	a.PubSub().Subscribe(web.StartedMessage, func(pubsub.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if waiting--; waiting == 0 {
			close(started)
		}
		return nil
	})
	code := make(chan int, 1)
	go func() { code <- a.Run() }()
	select {
	case <-started:
	case c := <-code:
		t.Fatalf("application ended with code %d before serving", c)
	case <-time.After(10 * time.Second):
		t.Fatal("the containers did not start within 10 s")
	}
	t.Cleanup(func() {
		a.Stop()
		if c := <-code; c != 0 {
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

// scrape GETs a Prometheus text endpoint and parses it.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", url, res.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse scrape: %v\n%s", err, body)
	}
	return fams
}

// value returns the value (a histogram's count) of the metric of family
// name whose labels are exactly want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	mf := fams[name]
	if mf == nil {
		t.Fatalf("no metric family %q in the scrape", name)
	}
next:
	for _, m := range mf.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if want[lp.GetName()] != lp.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	t.Fatalf("no %s with labels %v in the scrape: %v", name, want, mf.GetMetric())
	return 0
}
