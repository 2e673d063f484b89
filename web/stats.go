package web

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// unmatchedRoute is the route label of a request that matched no route
// (echo's 404 without a route pattern); a raw path is never a label.
const unmatchedRoute = "<unmatched>"

// otherMethod is the method label of a request with a method outside the
// standard ones.
const otherMethod = "OTHER"

// stats are a container's request counters, kept with atomic operations on
// the request path and turned into Prometheus metrics at scrape time (see
// collector.go). Recording a request that has been seen before (same
// method and route) takes no lock and allocates nothing.
type stats struct {
	epoch    time.Time // durations are read as time.Since(epoch): the monotonic clock only
	bounds   []float64 // histogram bucket upper bounds (DefBuckets)
	routes   atomic.Pointer[map[string]*routeStats]
	mu       sync.Mutex // serializes adding a route or a method (copy-on-write)
	inFlight atomic.Int64
	panics   atomic.Uint64
}

// routeStats are the counts of one route pattern, per method.
type routeStats struct {
	route   string
	methods [len(methods)]atomic.Pointer[methodStats]
}

// methodStats are the counts of one method and route: per status, and the
// latency histogram (non-cumulative buckets, the last one +Inf).
type methodStats struct {
	buckets  []atomic.Uint64
	sumNanos atomic.Int64                           // total duration: one add per request, no compare-and-swap loop
	classes  [10]atomic.Pointer[[100]atomic.Uint64] // status/100 -> status%100
}

func newStats() *stats {
	s := &stats{epoch: time.Now(), bounds: append([]float64(nil), prometheus.DefBuckets...)}
	s.routes.Store(&map[string]*routeStats{})
	return s
}

// now is the time since the container was made, on the monotonic clock,
// which is cheaper to read than time.Now.
func (s *stats) now() time.Duration { return time.Since(s.epoch) }

// record counts one finished request.
func (s *stats) record(method, route string, status int, d time.Duration) {
	if route == "" {
		route = unmatchedRoute
	}
	r := (*s.routes.Load())[route]
	if r == nil {
		r = s.addRoute(route)
	}
	mi := methodIndex(method)
	m := r.methods[mi].Load()
	if m == nil {
		m = s.addMethod(r, mi)
	}
	if status < 0 || status > 999 {
		status = 0
	}
	cls := m.classes[status/100].Load()
	if cls == nil {
		cls = m.class(status / 100)
	}
	cls[status%100].Add(1)
	secs := d.Seconds()
	i := 0
	for i < len(s.bounds) && secs > s.bounds[i] {
		i++
	}
	m.buckets[i].Add(1)
	m.sumNanos.Add(int64(d))
}

// addRoute returns the routeStats of route, adding it to a new copy of the
// map when it is new.
func (s *stats) addRoute(route string) *routeStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.routes.Load()
	if r := old[route]; r != nil {
		return r
	}
	m := make(map[string]*routeStats, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	r := &routeStats{route: route}
	m[route] = r
	s.routes.Store(&m)
	return r
}

// addMethod returns the methodStats of method index mi on r, making them once.
func (s *stats) addMethod(r *routeStats, mi int) *methodStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := r.methods[mi].Load(); m != nil {
		return m
	}
	m := &methodStats{buckets: make([]atomic.Uint64, len(s.bounds)+1)}
	r.methods[mi].Store(m)
	return m
}

// class returns the counters of one status class, making them once.
func (m *methodStats) class(c int) *[100]atomic.Uint64 {
	fresh := new([100]atomic.Uint64)
	if m.classes[c].CompareAndSwap(nil, fresh) {
		return fresh
	}
	return m.classes[c].Load()
}

// methods are the method labels; any other method counts as the last,
// otherMethod, so that clients cannot make up label values.
var methods = [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace, otherMethod}

// methodIndex returns the index of m in methods.
func methodIndex(m string) int {
	switch m {
	case http.MethodGet:
		return 0
	case http.MethodHead:
		return 1
	case http.MethodPost:
		return 2
	case http.MethodPut:
		return 3
	case http.MethodPatch:
		return 4
	case http.MethodDelete:
		return 5
	case http.MethodOptions:
		return 6
	case http.MethodConnect:
		return 7
	case http.MethodTrace:
		return 8
	}
	return len(methods) - 1
}
