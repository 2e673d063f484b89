package metrics

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
)

// Opts describes a counter, gauge or histogram beyond its name.
type Opts struct {
	// Help is the one-line description shown as # HELP. When empty the
	// metric's name is used, since the exposition format wants some text.
	Help string
	// ConstLabels are static tags, the same on every sample of the metric
	// (ASAB's static tags), e.g. {"service": "billing"}.
	ConstLabels map[string]string
	// Labels are the names of the dynamic tags; their values are given to
	// With in this order. Keep their values a small set (a method, a status
	// class, a route pattern): every distinct combination is a time series.
	Labels []string
}

// Counter is a monotonically increasing count, possibly split by dynamic
// labels. Create it with Service.Counter.
type Counter struct {
	vec  *prometheus.CounterVec
	name string
	// plain is the only child of a counter without dynamic labels.
	plain prometheus.Counter
}

// With returns the child counter for the given label values, in the order
// of Opts.Labels. Keep the returned counter when the values are known in
// advance: its Inc is a single atomic add. It panics if the number of
// values does not match the labels, like client_golang's WithLabelValues.
func (c *Counter) With(values ...string) prometheus.Counter { return c.vec.WithLabelValues(values...) }

// Delete removes the child with the given label values, so that it is no
// longer exposed (e.g. for a connection or a queue that is gone). It
// reports whether there was such a child. A child kept by a caller keeps
// counting but is not exposed until With creates it anew.
func (c *Counter) Delete(values ...string) bool { return c.vec.DeleteLabelValues(values...) }

// Inc adds one to a counter without dynamic labels; for a labelled counter
// it panics (use With).
func (c *Counter) Inc() { c.unlabelled().Inc() }

// Add adds v (which must not be negative) to a counter without dynamic
// labels; for a labelled counter it panics (use With).
func (c *Counter) Add(v float64) { c.unlabelled().Add(v) }

func (c *Counter) unlabelled() prometheus.Counter {
	if c.plain == nil {
		panic(fmt.Sprintf("metrics: counter %q has dynamic labels; call With(values...) first", c.name))
	}
	return c.plain
}

// Gauge is a value that goes up and down, possibly split by dynamic labels.
// Create it with Service.Gauge.
type Gauge struct {
	vec   *prometheus.GaugeVec
	name  string
	plain prometheus.Gauge
}

// With returns the child gauge for the given label values, in the order of
// Opts.Labels. It panics if the number of values does not match.
func (g *Gauge) With(values ...string) prometheus.Gauge { return g.vec.WithLabelValues(values...) }

// Delete removes the child with the given label values; see Counter.Delete.
func (g *Gauge) Delete(values ...string) bool { return g.vec.DeleteLabelValues(values...) }

// Set sets a gauge without dynamic labels; for a labelled gauge it panics.
func (g *Gauge) Set(v float64) { g.unlabelled().Set(v) }

// Add adds v (possibly negative) to a gauge without dynamic labels; for a
// labelled gauge it panics.
func (g *Gauge) Add(v float64) { g.unlabelled().Add(v) }

func (g *Gauge) unlabelled() prometheus.Gauge {
	if g.plain == nil {
		panic(fmt.Sprintf("metrics: gauge %q has dynamic labels; call With(values...) first", g.name))
	}
	return g.plain
}

// Histogram counts observations (durations, sizes) in buckets, possibly
// split by dynamic labels. Create it with Service.Histogram.
type Histogram struct {
	vec   *prometheus.HistogramVec
	name  string
	plain prometheus.Observer
}

// With returns the child histogram for the given label values, in the order
// of Opts.Labels. It panics if the number of values does not match.
func (h *Histogram) With(values ...string) prometheus.Observer {
	return h.vec.WithLabelValues(values...)
}

// Delete removes the child with the given label values; see Counter.Delete.
func (h *Histogram) Delete(values ...string) bool { return h.vec.DeleteLabelValues(values...) }

// Observe records v in a histogram without dynamic labels; for a labelled
// histogram it panics.
func (h *Histogram) Observe(v float64) {
	if h.plain == nil {
		panic(fmt.Sprintf("metrics: histogram %q has dynamic labels; call With(values...) first", h.name))
	}
	h.plain.Observe(v)
}

// instrument is what the service remembers of a created metric, so that
// asking again for the same definition returns the same metric.
type instrument struct {
	kind    string
	opts    Opts
	buckets []float64
	value   any // *Counter, *Gauge or *Histogram
}

// same reports whether a request for kind/opts/buckets matches i.
func (i *instrument) same(kind string, o Opts, buckets []float64) bool {
	if i.kind != kind || i.opts.Help != o.Help || !slices.Equal(i.opts.Labels, o.Labels) ||
		!slices.Equal(i.buckets, buckets) || len(i.opts.ConstLabels) != len(o.ConstLabels) {
		return false
	}
	for k, v := range o.ConstLabels {
		if w, ok := i.opts.ConstLabels[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Counter returns the counter called name, creating and registering it on
// first use. Asking again with the same definition returns the same
// counter; a different definition under a used name, an invalid name or
// label, or a clash with another collector's metric is an error naming it.
// By Prometheus convention a counter's name ends in _total.
func (s *Service) Counter(name string, o Opts) (*Counter, error) {
	v, err := s.instrument("counter", name, o, nil, func(po prometheus.Opts) (prometheus.Collector, any) {
		vec := prometheus.NewCounterVec(prometheus.CounterOpts(po), o.Labels)
		c := &Counter{vec: vec, name: name}
		if len(o.Labels) == 0 {
			c.plain = vec.WithLabelValues()
		}
		return vec, c
	})
	if err != nil {
		return nil, err
	}
	return v.(*Counter), nil
}

// Gauge returns the gauge called name, creating and registering it on first
// use; see Counter for the rules.
func (s *Service) Gauge(name string, o Opts) (*Gauge, error) {
	v, err := s.instrument("gauge", name, o, nil, func(po prometheus.Opts) (prometheus.Collector, any) {
		vec := prometheus.NewGaugeVec(prometheus.GaugeOpts(po), o.Labels)
		g := &Gauge{vec: vec, name: name}
		if len(o.Labels) == 0 {
			g.plain = vec.WithLabelValues()
		}
		return vec, g
	})
	if err != nil {
		return nil, err
	}
	return v.(*Gauge), nil
}

// Histogram returns the histogram called name with the given upper bucket
// bounds (nil for prometheus.DefBuckets, 5 ms to 10 s, suited to request
// durations in seconds), creating and registering it on first use; see
// Counter for the rules.
func (s *Service) Histogram(name string, o Opts, buckets []float64) (*Histogram, error) {
	if buckets == nil {
		buckets = prometheus.DefBuckets
	}
	if !slices.IsSorted(buckets) {
		return nil, fmt.Errorf("metrics: histogram %q: buckets %v are not in increasing order", name, buckets)
	}
	v, err := s.instrument("histogram", name, o, buckets, func(po prometheus.Opts) (prometheus.Collector, any) {
		vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: po.Name, Help: po.Help, ConstLabels: po.ConstLabels, Buckets: buckets,
		}, o.Labels)
		h := &Histogram{vec: vec, name: name}
		if len(o.Labels) == 0 {
			h.plain = vec.WithLabelValues()
		}
		return vec, h
	})
	if err != nil {
		return nil, err
	}
	return v.(*Histogram), nil
}

// instrument looks name up or builds it with mk and registers it.
func (s *Service) instrument(kind, name string, o Opts, buckets []float64,
	mk func(prometheus.Opts) (prometheus.Collector, any)) (v any, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.instruments[name]; ok {
		if !i.same(kind, o, buckets) {
			return nil, fmt.Errorf("metrics: %s %q: already defined as a %s with other help, labels or buckets", kind, name, i.kind)
		}
		return i.value, nil
	}
	if err := checkNames(name, o); err != nil {
		return nil, fmt.Errorf("metrics: %s %q: %w", kind, name, err)
	}
	help := o.Help
	if help == "" {
		help = name
	}
	defer func() {
		// client_golang panics on some invalid definitions (a label
		// name repeated in Labels); report them as errors like the rest.
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("metrics: %s %q: %v", kind, name, r)
		}
	}()
	c, value := mk(prometheus.Opts{Name: name, Help: help, ConstLabels: o.ConstLabels})
	if err := s.reg.Register(c); err != nil {
		return nil, fmt.Errorf("metrics: %s %q: %w", kind, name, err)
	}
	o.Labels = slices.Clone(o.Labels)
	o.ConstLabels = cloneMap(o.ConstLabels)
	s.instruments[name] = &instrument{kind: kind, opts: o, buckets: slices.Clone(buckets), value: value}
	return value, nil
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// checkNames holds names to the classic Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*
// for metrics, no colon and no leading "__" for labels), which every
// scraper and query language accepts without quoting or escaping.
func checkNames(name string, o Opts) error {
	if !model.LegacyValidation.IsValidMetricName(name) {
		return fmt.Errorf("invalid metric name (want letters, digits, _ and :, not starting with a digit)")
	}
	check := func(what, l string) error {
		if !model.LegacyValidation.IsValidLabelName(l) || strings.HasPrefix(l, "__") {
			return fmt.Errorf("invalid %s label name %q (want letters, digits and _, not starting with a digit or __)", what, l)
		}
		return nil
	}
	for _, l := range o.Labels {
		if err := check("dynamic", l); err != nil {
			return err
		}
	}
	for l := range o.ConstLabels {
		if err := check("static", l); err != nil {
			return err
		}
	}
	return nil
}
