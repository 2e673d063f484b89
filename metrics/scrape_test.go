package metrics_test

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
)

// known creates test metrics and records known events on them.
func known(t *testing.T, m *metrics.Service) {
	t.Helper()
	reqs, err := m.Counter("test_requests_total", metrics.Opts{
		Help: "Test requests.", ConstLabels: map[string]string{"service": "billing"},
		Labels: []string{"method", "status"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ok := reqs.With("GET", "200")
	ok.Inc()
	ok.Inc()
	ok.Add(3)
	reqs.With("POST", "500").Inc()
	depth, err := m.Gauge("test_queue_depth", metrics.Opts{Help: "Queue depth."})
	if err != nil {
		t.Fatal(err)
	}
	depth.Set(7)
	depth.Add(-2)
	lat, err := m.Histogram("test_latency_seconds", metrics.Opts{Labels: []string{"route"}}, []float64{0.1, 1})
	if err != nil {
		t.Fatal(err)
	}
	lat.With("/a").Observe(0.05)
	lat.With("/a").Observe(0.5)
	lat.With("/a").Observe(5)
}

// parseText parses a text-format scrape.
func parseText(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse scrape: %v\n%s", err, body)
	}
	return fams
}

// sample finds the metric of family name whose labels include want, and
// returns its value (counter, gauge or untyped) or, for a histogram, its
// sample count.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	mf := fams[name]
	if mf == nil {
		t.Fatalf("no metric family %q in the scrape; have %v", name, familyNames(fams))
	}
next:
	for _, m := range mf.GetMetric() {
		got := map[string]string{}
		for _, lp := range m.GetLabel() {
			got[lp.GetName()] = lp.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
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
		case m.Untyped != nil:
			return m.GetUntyped().GetValue()
		}
	}
	t.Fatalf("no sample of %s with labels %v; family: %v", name, want, mf)
	return 0
}

func TestScrapeTextFormat(t *testing.T) {
	r := start(t, setup{before: func(a *app.Application, m *metrics.Service) {
		known(t, m)
		a.PubSub().Publish("Test.thing!")
		a.PubSub().Publish("Test.thing!", 1)
	}})
	res, body := get(t, r.url("/asab/v1/metrics"), "")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q, want the text format 0.0.4", ct)
	}
	fams := parseText(t, body)

	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"test_requests_total", map[string]string{"service": "billing", "method": "GET", "status": "200"}, 5},
		{"test_requests_total", map[string]string{"service": "billing", "method": "POST", "status": "500"}, 1},
		{"test_queue_depth", nil, 5},
		{"test_latency_seconds", map[string]string{"route": "/a"}, 3},
		{"asab_app_info", map[string]string{"name": "metricstest", "version": "1.2.3"}, 1},
		{"asab_app_phase", map[string]string{"phase": "running"}, 1},
		{"asab_app_phase", map[string]string{"phase": "initializing"}, 0},
		{"asab_app_phase", map[string]string{"phase": "exiting"}, 0},
		{"asab_pubsub_published_total", map[string]string{"type": "Test.thing!"}, 2},
		{"asab_pubsub_published_total", map[string]string{"type": "Application.init!"}, 1},
		{"asab_pubsub_published_total", map[string]string{"type": "Application.run!"}, 1},
	}
	for _, c := range checks {
		if got := sample(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if n := len(fams["asab_app_phase"].GetMetric()); n != 6 {
		t.Errorf("asab_app_phase has %d samples, want one per phase (6)", n)
	}
	if got := fams["test_requests_total"].GetType(); got != dto.MetricType_COUNTER {
		t.Errorf("test_requests_total type %v", got)
	}
	// Histogram buckets are cumulative: 0.05 <= 0.1, 0.5 <= 1, 5 above.
	h := fams["test_latency_seconds"].GetMetric()[0].GetHistogram()
	var buckets []string
	for _, b := range h.GetBucket() {
		buckets = append(buckets, fmt.Sprintf("%g:%d", b.GetUpperBound(), b.GetCumulativeCount()))
	}
	if got := strings.Join(buckets, " "); got != "0.1:1 1:2 +Inf:3" {
		t.Errorf("buckets %s, want 0.1:1 1:2 +Inf:3", got)
	}
	if h.GetSampleSum() != 5.55 {
		t.Errorf("histogram sum %v, want 5.55", h.GetSampleSum())
	}
	if up := sample(t, fams, "asab_uptime_seconds", nil); up <= 0 || up > 60 {
		t.Errorf("asab_uptime_seconds = %v, want a small positive number", up)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "go_gc_duration_seconds", "process_open_fds"} {
		if fams[name] == nil {
			t.Errorf("Go runtime metric %s missing; have %v", name, familyNames(fams))
		}
	}
	if fams["asab_tick_lag_seconds"] == nil {
		t.Error("asab_tick_lag_seconds missing")
	}

	// A later event shows in the next scrape.
	r.a.PubSub().Publish("Test.thing!")
	_, body = get(t, r.url("/asab/v1/metrics"), "")
	if got := sample(t, parseText(t, body), "asab_pubsub_published_total", map[string]string{"type": "Test.thing!"}); got != 3 {
		t.Errorf("after one more publish: %v, want 3", got)
	}
	if code := r.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func familyNames(fams map[string]*dto.MetricFamily) []string {
	var out []string
	for k := range fams {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestOpenMetricsNegotiation(t *testing.T) {
	// The Go collector's go_memstats_alloc_bytes gauge and
	// go_memstats_alloc_bytes_total counter clash in OpenMetrics 1.0
	// (client_golang issue 829), which the strict parser below refuses;
	// go_runtime is off here so that everything else is checked strictly.
	r := start(t, setup{webFirst: true, conf: "[asab:metrics]\ngo_runtime=no\n",
		before: func(_ *app.Application, m *metrics.Service) { known(t, m) }})
	accept := "application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	res, body := get(t, r.url("/asab/v1/metrics"), accept)
	ct := res.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/openmetrics-text; version=1.0.0") {
		t.Fatalf("Content-Type %q, want OpenMetrics 1.0.0", ct)
	}
	if !strings.HasSuffix(body, "# EOF\n") {
		t.Errorf("OpenMetrics body does not end with # EOF: ...%q", body[max(0, len(body)-40):])
	}
	// Parse it with the OpenMetrics parser of prometheus/common.
	dec := expfmt.NewDecoder(strings.NewReader(body), expfmt.ResponseFormat(res.Header))
	fams := map[string]*dto.MetricFamily{}
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("parse OpenMetrics: %v\n%s", err, body)
		}
		fams[mf.GetName()] = mf
	}
	// OpenMetrics names a counter family without _total (the parser gives
	// the name back with it).
	if !strings.Contains(body, "# TYPE test_requests counter\n") {
		t.Errorf("counter family not named the OpenMetrics way:\n%s", body)
	}
	if got := sample(t, fams, "test_requests_total", map[string]string{"method": "GET", "status": "200", "service": "billing"}); got != 5 {
		t.Errorf("OpenMetrics test_requests{GET,200} = %v, want 5; families %v", got, familyNames(fams))
	}
	if got := sample(t, fams, "asab_app_phase", map[string]string{"phase": "running"}); got != 1 {
		t.Errorf("OpenMetrics asab_app_phase{running} = %v", got)
	}
	if !strings.Contains(body, `test_requests_total{method="GET",service="billing",status="200"} 5.0`) {
		t.Errorf("counter sample not in OpenMetrics form:\n%s", body)
	}

	// A scraper that only knows the text format gets it.
	res, body = get(t, r.url("/asab/v1/metrics"), "text/plain")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") || strings.Contains(body, "# EOF") {
		t.Errorf("plain Accept: Content-Type %q, EOF marker present %v", ct, strings.Contains(body, "# EOF"))
	}
	if got := sample(t, parseText(t, body), "test_requests_total", map[string]string{"method": "GET"}); got != 5 {
		t.Errorf("text after OpenMetrics: %v", got)
	}
}
