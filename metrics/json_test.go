package metrics_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
)

func TestJSONView(t *testing.T) {
	r := start(t, setup{webFirst: true, before: func(_ *app.Application, m *metrics.Service) { known(t, m) }})
	res, body := get(t, r.url("/asab/v1/metrics.json"), "")
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var doc struct {
		Metrics []metrics.Family `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("decode JSON view: %v\n%s", err, body)
	}
	byName := map[string]metrics.Family{}
	for _, f := range doc.Metrics {
		byName[f.Name] = f
	}
	reqs := byName["test_requests_total"]
	if reqs.Type != "counter" || reqs.Help != "Test requests." || len(reqs.Samples) != 2 {
		t.Fatalf("test_requests_total = %+v", reqs)
	}
	for _, s := range reqs.Samples {
		want := map[string]metrics.Value{"GET": 5, "POST": 1}[s.Labels["method"]]
		if s.Name != "test_requests_total" || s.Labels["service"] != "billing" || s.Value != want {
			t.Errorf("sample %+v, want value %v with service=billing", s, want)
		}
	}
	if g := byName["test_queue_depth"]; g.Type != "gauge" || len(g.Samples) != 1 || g.Samples[0].Value != 5 || g.Samples[0].Labels != nil {
		t.Errorf("test_queue_depth = %+v", g)
	}
	var hist []string
	for _, s := range byName["test_latency_seconds"].Samples {
		hist = append(hist, s.Name+"/"+s.Labels["le"]+"="+jsonText(t, s.Value))
	}
	want := "test_latency_seconds_bucket/0.1=1 test_latency_seconds_bucket/1=2 test_latency_seconds_bucket/+Inf=3 " +
		"test_latency_seconds_sum/=5.55 test_latency_seconds_count/=3"
	if got := strings.Join(hist, " "); got != want {
		t.Errorf("histogram samples\n got %s\nwant %s", got, want)
	}
	if ph := byName["asab_app_phase"]; ph.Type != "gauge" || len(ph.Samples) != 6 {
		t.Errorf("asab_app_phase = %+v", ph)
	}
	if byName["go_goroutines"].Type != "gauge" {
		t.Errorf("go_goroutines missing from the JSON view")
	}
}

func jsonText(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValueJSON(t *testing.T) {
	for _, c := range []struct {
		v    float64
		text string
	}{{1.5, "1.5"}, {0, "0"}, {1e21, "1e+21"}, {math.NaN(), `"NaN"`}, {math.Inf(1), `"+Inf"`}, {math.Inf(-1), `"-Inf"`}} {
		got := jsonText(t, metrics.Value(c.v))
		if got != c.text {
			t.Errorf("%v marshals as %s, want %s", c.v, got, c.text)
		}
		var back metrics.Value
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("unmarshal %s: %v", got, err)
		}
		if f := float64(back); f != c.v && !(math.IsNaN(f) && math.IsNaN(c.v)) {
			t.Errorf("%s unmarshals as %v, want %v", got, f, c.v)
		}
	}
	var v metrics.Value
	if err := json.Unmarshal([]byte(`"lots"`), &v); err == nil {
		t.Error(`"lots" unmarshalled without error`)
	}
}
