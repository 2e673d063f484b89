package metrics_test

import (
	"testing"

	"github.com/asabgo/asab/metrics"
)

// Benchmarks of the hot path.
//
//	go test -run='^$' -bench=. -benchmem ./metrics/

// A counter with two dynamic labels: on a pre-bound child (the target:
// under 50 ns and no allocation), and looking the child up each time.
func BenchmarkCounterInc2Labels(b *testing.B) {
	m := newService(b, "[asab:metrics]\ngo_runtime=no\n")
	c, err := m.Counter("bench_requests_total", metrics.Opts{Labels: []string{"method", "status"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("prebound", func(b *testing.B) {
		child := c.With("GET", "200")
		b.ReportAllocs()
		for b.Loop() {
			child.Inc()
		}
	})
	b.Run("with", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.With("GET", "200").Inc()
		}
	})
	b.Run("prebound-parallel", func(b *testing.B) {
		child := c.With("GET", "200")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				child.Inc()
			}
		})
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	m := newService(b, "[asab:metrics]\ngo_runtime=no\n")
	h, err := m.Histogram("bench_latency_seconds", metrics.Opts{Labels: []string{"route"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	child := h.With("/a")
	b.ReportAllocs()
	for b.Loop() {
		child.Observe(0.042)
	}
}

// BenchmarkGather gathers the whole registry (with the Go runtime
// collectors) into the JSON view's shape, as a scrape of it does.
func BenchmarkGather(b *testing.B) {
	m := newService(b, "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Families(); err != nil {
			b.Fatal(err)
		}
	}
}
