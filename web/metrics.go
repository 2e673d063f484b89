package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// unmatchedRoute is the route label of a request that matched no route
// (echo's 404 without a route pattern); a raw path is never a label.
const unmatchedRoute = "<unmatched>"

// otherMethod is the method label of a request with a method outside the
// standard ones, so that clients cannot make up label values.
const otherMethod = "OTHER"

// requestMetrics are a container's request metrics, each with the constant
// label container=<section>.
type requestMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	panics   prometheus.Counter

	mu     sync.RWMutex
	series map[seriesKey]*series
}

// seriesKey names the series a request counts in.
type seriesKey struct {
	method, route string
	status        int
}

// series are the request counter and the duration histogram of one
// method, route and status, looked up in the vectors once and kept (as
// issue 17 allows: WithLabelValues hashes and checks the label values at
// every call).
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newRequestMetrics(section string) *requestMetrics {
	cl := prometheus.Labels{"container": section}
	return &requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "asab_web_requests_total",
			Help: "HTTP requests served, by method, route pattern and status.", ConstLabels: cl},
			[]string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "asab_web_request_duration_seconds",
			Help:        "Time from the request reaching the container's middleware to the response written, by method and route pattern.",
			ConstLabels: cl, Buckets: prometheus.DefBuckets},
			[]string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "asab_web_requests_in_flight",
			Help: "HTTP requests being served now.", ConstLabels: cl}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{Name: "asab_web_panics_total",
			Help: "Handler panics turned into 500 responses.", ConstLabels: cl}),
		series: map[seriesKey]*series{},
	}
}

// middleware counts every request: in flight while it runs, then by
// method, route pattern and the status sent (see answer), with its
// duration.
func (m *requestMetrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		start := time.Now()
		err := next(c)
		answer(c, err)
		route := c.Path()
		if route == "" {
			route = unmatchedRoute
		}
		s := m.seriesOf(seriesKey{methodLabel(c.Request().Method), route, c.Response().Status})
		s.requests.Inc()
		s.duration.Observe(time.Since(start).Seconds())
		return err
	}
}

// seriesOf returns the series of k, looking them up the first time.
func (m *requestMetrics) seriesOf(k seriesKey) *series {
	m.mu.RLock()
	s := m.series[k]
	m.mu.RUnlock()
	if s == nil {
		m.mu.Lock()
		if s = m.series[k]; s == nil {
			s = &series{requests: m.requests.WithLabelValues(k.method, k.route, strconv.Itoa(k.status)),
				duration: m.duration.WithLabelValues(k.method, k.route)}
			m.series[k] = s
		}
		m.mu.Unlock()
	}
	return s
}

// methodLabel is m for a standard method, otherMethod for any other.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return otherMethod
}

// Describe implements prometheus.Collector: the container's four metrics.
// The metrics service registers every service that is a collector, so a
// container's metrics appear when metrics.Module is added.
func (c *Container) Describe(ch chan<- *prometheus.Desc) {
	m := c.metrics
	m.requests.Describe(ch)
	m.duration.Describe(ch)
	m.inFlight.Describe(ch)
	m.panics.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c *Container) Collect(ch chan<- prometheus.Metric) {
	m := c.metrics
	m.requests.Collect(ch)
	m.duration.Collect(ch)
	m.inFlight.Collect(ch)
	m.panics.Collect(ch)
}
