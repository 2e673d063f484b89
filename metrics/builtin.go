package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
)

// appCollector exposes the application's identity, phase and uptime, read
// at scrape time.
type appCollector struct {
	a                   *app.Application
	info, phase, uptime *prometheus.Desc
}

func newAppCollector(a *app.Application) *appCollector {
	return &appCollector{
		a: a,
		info: prometheus.NewDesc("asab_app_info",
			"The application's name and version (always 1).", []string{"name", "version"}, nil),
		phase: prometheus.NewDesc("asab_app_phase",
			"The application's phase: 1 for the current one, 0 for the others.", []string{"phase"}, nil),
		uptime: prometheus.NewDesc("asab_uptime_seconds",
			"Seconds since the application's Run started.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *appCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.info
	ch <- c.phase
	ch <- c.uptime
}

// Collect implements prometheus.Collector.
func (c *appCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, c.a.Name(), c.a.Version())
	current := c.a.Phase()
	for p := app.PhaseCreated; p <= app.PhaseStopped; p++ {
		v := 0.0
		if p == current {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.phase, prometheus.GaugeValue, v, p.String())
	}
	up := 0.0
	if start := c.a.StartTime(); !start.IsZero() {
		up = time.Since(start).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.uptime, prometheus.GaugeValue, up)
}

// pubsubCollector exposes the bus's per-type publish counts.
type pubsubCollector struct {
	ps   *pubsub.PubSub
	desc *prometheus.Desc
}

func newPubSubCollector(ps *pubsub.PubSub) *pubsubCollector {
	return &pubsubCollector{ps: ps, desc: prometheus.NewDesc("asab_pubsub_published_total",
		"Messages published on the application's PubSub, by message type.", []string{"type"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *pubsubCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *pubsubCollector) Collect(ch chan<- prometheus.Metric) {
	for t, n := range c.ps.Published() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n), t)
	}
}
