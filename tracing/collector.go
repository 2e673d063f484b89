package tracing

import "github.com/prometheus/client_golang/prometheus"

// The metrics of the span processor; the metrics module registers the
// Service as their collector.
var (
	droppedDesc = prometheus.NewDesc("asab_tracing_spans_dropped_total",
		"Spans dropped because the export queue was full.", nil, nil)
	exportedDesc = prometheus.NewDesc("asab_tracing_spans_exported_total",
		"Spans the exporter accepted.", nil, nil)
	failedDesc = prometheus.NewDesc("asab_tracing_spans_failed_total",
		"Spans whose export failed or was cut off by the shutdown deadline.", nil, nil)
)

// Describe implements prometheus.Collector.
func (s *Service) Describe(ch chan<- *prometheus.Desc) {
	ch <- droppedDesc
	ch <- exportedDesc
	ch <- failedDesc
}

// Collect implements prometheus.Collector. With exporter = none every
// count is 0.
func (s *Service) Collect(ch chan<- prometheus.Metric) {
	var dropped, exported, failed uint64
	if p := s.processor(); p != nil {
		dropped, exported, failed = p.dropped.Load(), p.exported.Load(), p.failed.Load()
	}
	ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.CounterValue, float64(dropped))
	ch <- prometheus.MustNewConstMetric(exportedDesc, prometheus.CounterValue, float64(exported))
	ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.CounterValue, float64(failed))
}

// SpanCounts returns how many spans were dropped on a full queue, exported,
// and failed to export so far.
func (s *Service) SpanCounts() (dropped, exported, failed uint64) {
	if p := s.processor(); p != nil {
		return p.dropped.Load(), p.exported.Load(), p.failed.Load()
	}
	return 0, 0, 0
}
