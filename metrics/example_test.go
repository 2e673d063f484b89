package metrics_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
)

// A counter with a static and a dynamic label: keep the pre-bound child
// for the hot path.
func ExampleService_Counter() {
	a := app.New(app.WithName("billing"), app.WithArgs())
	defer a.Release()
	_ = a.AddModule(metrics.Module)
	m, _ := app.Service[*metrics.Service](a)

	jobs, err := m.Counter("billing_jobs_total", metrics.Opts{
		Help:        "Jobs processed.",
		ConstLabels: map[string]string{"region": "eu"},
		Labels:      []string{"kind", "result"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ok := jobs.With("invoice", "ok")
	ok.Inc()
	ok.Inc()
	jobs.With("invoice", "failed").Inc()

	fams, _ := m.Families()
	for _, f := range fams {
		if f.Name == "billing_jobs_total" {
			for _, s := range f.Samples {
				fmt.Println(s.Labels["kind"], s.Labels["result"], s.Labels["region"], s.Value)
			}
		}
	}
	// Output:
	// invoice failed eu 1
	// invoice ok eu 2
}

// The Prometheus endpoint's handler can also be mounted on a server of
// your own; here it answers a scrape in the text format.
func ExampleService_Handler() {
	a := app.New(app.WithName("t"), app.WithArgs())
	defer a.Release()
	_ = a.AddModule(metrics.Module)
	m, _ := app.Service[*metrics.Service](a)
	lat, _ := m.Histogram("demo_latency_seconds", metrics.Opts{Help: "Demo latency."}, []float64{0.1, 1})
	lat.Observe(0.25)

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "demo_latency_seconds") {
			fmt.Println(line)
		}
	}
	// Output:
	// demo_latency_seconds_bucket{le="0.1"} 0
	// demo_latency_seconds_bucket{le="1"} 1
	// demo_latency_seconds_bucket{le="+Inf"} 1
	// demo_latency_seconds_sum 0.25
	// demo_latency_seconds_count 1
}
