package web

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// descs are a container's metric descriptions; every one carries the
// constant label container=<section>.
type descs struct {
	requests, duration, inFlight, panics *prometheus.Desc
}

func newDescs(section string) descs {
	cl := prometheus.Labels{"container": section}
	return descs{
		requests: prometheus.NewDesc("asab_web_requests_total",
			"HTTP requests served, by method, route pattern and status.", []string{"method", "route", "status"}, cl),
		duration: prometheus.NewDesc("asab_web_request_duration_seconds",
			"Time from the request reaching the container's middleware to the response written, by method and route pattern.",
			[]string{"method", "route"}, cl),
		inFlight: prometheus.NewDesc("asab_web_requests_in_flight",
			"HTTP requests being served now.", nil, cl),
		panics: prometheus.NewDesc("asab_web_panics_total",
			"Handler panics turned into 500 responses.", nil, cl),
	}
}

// Describe implements prometheus.Collector: the container's four metrics.
// The metrics service registers every service that is a collector, so a
// container's metrics appear when metrics.Module is added.
func (c *Container) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.descs.requests
	ch <- c.descs.duration
	ch <- c.descs.inFlight
	ch <- c.descs.panics
}

// Collect implements prometheus.Collector: it reads the container's
// counters, which the request path keeps with atomic operations.
func (c *Container) Collect(ch chan<- prometheus.Metric) {
	s, d := c.stats, c.descs
	ch <- prometheus.MustNewConstMetric(d.inFlight, prometheus.GaugeValue, float64(s.inFlight.Load()))
	ch <- prometheus.MustNewConstMetric(d.panics, prometheus.CounterValue, float64(s.panics.Load()))
	for _, r := range *s.routes.Load() {
		for mi := range r.methods {
			if m := r.methods[mi].Load(); m != nil {
				c.collectMethod(ch, r.route, methods[mi], m)
			}
		}
	}
}

// collectMethod sends the request counts and the histogram of one method
// and route.
func (c *Container) collectMethod(ch chan<- prometheus.Metric, route, method string, m *methodStats) {
	d, bounds := c.descs, c.stats.bounds
	for cls := range m.classes {
		codes := m.classes[cls].Load()
		if codes == nil {
			continue
		}
		for i := range codes {
			if n := codes[i].Load(); n > 0 {
				ch <- prometheus.MustNewConstMetric(d.requests, prometheus.CounterValue, float64(n),
					method, route, strconv.Itoa(cls*100+i))
			}
		}
	}
	cum := make(map[float64]uint64, len(bounds))
	var count uint64
	for i := range m.buckets {
		count += m.buckets[i].Load()
		if i < len(bounds) {
			cum[bounds[i]] = count
		}
	}
	sum := time.Duration(m.sumNanos.Load()).Seconds()
	ch <- prometheus.MustNewConstHistogram(d.duration, count, sum, cum, method, route)
}
