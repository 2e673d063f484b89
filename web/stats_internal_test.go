package web

import (
	"testing"
	"time"
)

// BenchmarkRecord is the metrics cost of one request on the middleware's
// path: the two clock reads, the in-flight gauge and record.
func BenchmarkRecord(b *testing.B) {
	s := newStats()
	b.ReportAllocs()
	for b.Loop() {
		start := s.now()
		s.inFlight.Add(1)
		s.record("GET", "/hello", 200, s.now()-start)
		s.inFlight.Add(-1)
	}
}

// TestRecordBoundsLabels checks that made-up methods and unmatched paths
// do not become label values, and that the histogram counts every request.
func TestRecordBoundsLabels(t *testing.T) {
	s := newStats()
	s.record("GET", "/hello", 200, time.Millisecond)
	s.record("BREW", "/hello", 405, 20*time.Second)
	s.record("GET", "", 404, 0)
	r := (*s.routes.Load())["/hello"]
	if r == nil || r.methods[0].Load() == nil || r.methods[len(methods)-1].Load() == nil {
		t.Fatalf("want GET and OTHER stats for /hello, got %+v", r)
	}
	if got := (*s.routes.Load())[unmatchedRoute]; got == nil {
		t.Fatal("an unmatched request was not counted under <unmatched>")
	}
	s.record("GET", "/hello", 200, 1500*time.Microsecond)
	if got := r.methods[0].Load().sumNanos.Load(); got != int64(2500*time.Microsecond) {
		t.Fatalf("GET /hello duration sum = %v, want 2.5ms", time.Duration(got))
	}
	if n := len(*s.routes.Load()); n != 2 {
		t.Fatalf("routes = %d, want 2", n)
	}
	other := r.methods[len(methods)-1].Load()
	if got := other.buckets[len(s.bounds)].Load(); got != 1 {
		t.Fatalf("20 s request in +Inf bucket = %d, want 1", got)
	}
	if got := other.classes[4].Load()[5].Load(); got != 1 {
		t.Fatalf("status 405 count = %d, want 1", got)
	}
}

// BenchmarkRecordParallel: the same from every core at once, where the
// shared counters' cache lines move between cores.
func BenchmarkRecordParallel(b *testing.B) {
	s := newStats()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := s.now()
			s.inFlight.Add(1)
			s.record("GET", "/hello", 200, s.now()-start)
			s.inFlight.Add(-1)
		}
	})
}
