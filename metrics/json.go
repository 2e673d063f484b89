package metrics

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	dto "github.com/prometheus/client_model/go"
)

// Family is one metric family in the JSON view: every sample of one metric
// name.
type Family struct {
	// Name is the name the metric was registered with; the names of its
	// samples start with it.
	Name string `json:"name"`
	Type string `json:"type"` // counter, gauge, histogram, summary, untyped
	// Help is the help text the metric was registered with.
	Help string `json:"help"`
	// Samples holds the family's samples; it is empty, not nil, when there
	// are none, so that JSON shows [].
	Samples []Sample `json:"samples"`
}

// Sample is one sample of the JSON view, named and labelled as in the text
// format: a histogram gives name_bucket samples (with the "le" label),
// name_sum and name_count; a summary gives its quantiles, name_sum and
// name_count.
type Sample struct {
	// Name is the family's name, with the suffix _bucket, _sum or _count
	// where the sample is one of those.
	Name string `json:"name"`
	// Labels maps label names to values, including the "le" of a bucket and
	// the "quantile" of a summary quantile; it is nil, and left out of the
	// JSON, when the sample has no labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Value is the sample's value; for a _bucket sample it is the cumulative
	// count of observations up to the "le" bound.
	Value Value `json:"value"`
}

// Value is a sample value. It is written as a JSON number, or as the
// string "NaN", "+Inf" or "-Inf", which JSON numbers cannot express.
type Value float64

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler, accepting what MarshalJSON
// writes.
func (v *Value) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		*v = Value(f)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*v = Value(f)
	return nil
}

// Families gathers the registry into the JSON view's shape, sorted by name.
// A gathering error is returned together with what could be gathered.
func (s *Service) Families() ([]Family, error) {
	mfs, err := s.reg.Gather()
	out := make([]Family, 0, len(mfs))
	for _, mf := range mfs {
		out = append(out, family(mf))
	}
	return out, err
}

// serveJSON answers the JSON view: {"metrics": [families]}.
func (s *Service) serveJSON(w http.ResponseWriter, _ *http.Request) {
	fams, err := s.Families()
	if err != nil {
		s.log.Error().Err(err).Msg("Gathering metrics for the JSON view")
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	_ = enc.Encode(struct {
		Metrics []Family `json:"metrics"`
	}{fams})
}

// family converts one gathered family.
func family(mf *dto.MetricFamily) Family {
	name := mf.GetName()
	f := Family{Name: name, Help: mf.GetHelp(), Samples: []Sample{}}
	switch mf.GetType() {
	case dto.MetricType_COUNTER:
		f.Type = "counter"
	case dto.MetricType_GAUGE:
		f.Type = "gauge"
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		f.Type = "histogram"
	case dto.MetricType_SUMMARY:
		f.Type = "summary"
	default:
		f.Type = "untyped"
	}
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, lp := range m.GetLabel() {
			labels[lp.GetName()] = lp.GetValue()
		}
		add := func(suffix string, v float64, extra ...string) {
			l := labels
			if len(extra) == 2 {
				l = make(map[string]string, len(labels)+1)
				for k, lv := range labels {
					l[k] = lv
				}
				l[extra[0]] = extra[1]
			}
			if len(l) == 0 {
				l = nil
			}
			f.Samples = append(f.Samples, Sample{Name: name + suffix, Labels: l, Value: Value(v)})
		}
		switch {
		case m.Counter != nil:
			add("", m.GetCounter().GetValue())
		case m.Gauge != nil:
			add("", m.GetGauge().GetValue())
		case m.Histogram != nil:
			h := m.GetHistogram()
			for _, b := range h.GetBucket() {
				add("_bucket", float64(b.GetCumulativeCount()), "le", formatBound(b.GetUpperBound()))
			}
			add("_bucket", float64(h.GetSampleCount()), "le", "+Inf")
			add("_sum", h.GetSampleSum())
			add("_count", float64(h.GetSampleCount()))
		case m.Summary != nil:
			sm := m.GetSummary()
			for _, q := range sm.GetQuantile() {
				add("", q.GetValue(), "quantile", formatBound(q.GetQuantile()))
			}
			add("_sum", sm.GetSampleSum())
			add("_count", float64(sm.GetSampleCount()))
		case m.Untyped != nil:
			add("", m.GetUntyped().GetValue())
		}
	}
	return f
}

// formatBound writes a bucket bound or quantile as the text format does.
func formatBound(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
