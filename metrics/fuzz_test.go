package metrics_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/asabgo/asab/metrics"
)

// FuzzExposition sets a gauge with an arbitrary label value and value and
// reads both back from the text endpoint (parsed by expfmt) and from the
// JSON view (decoded by encoding/json): escaping, number formatting and the
// NaN/Inf strings of the JSON view must all survive the round trip.
//
//	go test -run='^$' -fuzz=^FuzzExposition$ -fuzztime=60s ./metrics/
func FuzzExposition(f *testing.F) {
	for _, s := range []struct {
		label string
		value float64
	}{{"plain", 1}, {`quote " and \ backslash`, -2.5}, {"new\nline", math.Inf(1)}, {"", math.NaN()}, {"ünï©ødé", 1e-300}} {
		f.Add(s.label, s.value)
	}
	m := newService(f, "[asab:metrics]\ngo_runtime=no\n")
	g, err := m.Gauge("fuzz_value", metrics.Opts{Labels: []string{"l"}})
	if err != nil {
		f.Fatal(err)
	}
	h := m.Handler()
	f.Fuzz(func(t *testing.T, label string, value float64) {
		if !utf8.ValidString(label) {
			return // Prometheus label values are UTF-8; With panics otherwise
		}
		g.With(label).Set(value)
		defer g.Delete(label)

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		got := sample(t, parseText(t, rec.Body.String()), "fuzz_value", map[string]string{"l": label})
		if !same(got, value) {
			t.Errorf("text format: label %q value %v read back as %v", label, value, got)
		}

		fams, err := m.Families()
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(fams)
		if err != nil {
			t.Fatalf("marshal JSON view: %v", err)
		}
		var back []metrics.Family
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal JSON view: %v\n%s", err, b)
		}
		found := false
		for _, fam := range back {
			for _, s := range fam.Samples {
				if fam.Name == "fuzz_value" && s.Labels["l"] == label {
					found = true
					if !same(float64(s.Value), value) {
						t.Errorf("JSON view: label %q value %v read back as %v", label, value, s.Value)
					}
				}
			}
		}
		if !found {
			t.Errorf("JSON view lost the sample with label %q", label)
		}
	})
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
