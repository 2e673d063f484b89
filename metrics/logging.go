package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/logging"
)

// loggingCollector exposes the logging pipeline's counters, read at scrape
// time from logging.CurrentStats: while the application runs, the current
// pipeline is the one its Setup built, so the counts are the
// application's own and start at zero with it.
type loggingCollector struct {
	lines, dropped *prometheus.Desc
}

func newLoggingCollector() *loggingCollector {
	return &loggingCollector{
		lines: prometheus.NewDesc("asab_log_lines_total",
			"Log lines written (that passed the threshold), by level.", []string{"level"}, nil),
		dropped: prometheus.NewDesc("asab_log_dropped_total",
			"Log lines an output could not deliver (full syslog queue, unreachable server, failed file write), by output.",
			[]string{"output"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *loggingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lines
	ch <- c.dropped
}

// Collect implements prometheus.Collector.
func (c *loggingCollector) Collect(ch chan<- prometheus.Metric) {
	st := logging.CurrentStats()
	for lv, n := range st.Lines {
		ch <- prometheus.MustNewConstMetric(c.lines, prometheus.CounterValue, float64(n), logging.Level(lv).String())
	}
	for _, o := range st.Outputs {
		ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(o.Dropped), o.Name)
	}
}
