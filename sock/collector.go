package sock

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// descs are a service's metric descriptions; every one carries the
// constant label service=<name>.
type descs struct {
	open, total, waits *prometheus.Desc
}

func newDescs(service string) descs {
	cl := prometheus.Labels{"service": service}
	server := []string{"server"}
	return descs{
		open: prometheus.NewDesc("asab_sock_connections_open",
			"Connections being handled now.", server, cl),
		total: prometheus.NewDesc("asab_sock_connections_total",
			"Connections accepted and handed to the handler.", server, cl),
		waits: prometheus.NewDesc("asab_sock_limit_waits_total",
			"Times an accepted connection waited for a free slot because max_connections were open (connections past the limit wait, they are not refused).",
			server, cl),
	}
}

// Describe implements prometheus.Collector. The metrics service registers
// every service that is a collector, so a service's metrics appear when
// metrics.Module is added.
func (s *Service) Describe(ch chan<- *prometheus.Desc) {
	ch <- s.descs.open
	ch <- s.descs.total
	ch <- s.descs.waits
}

// Collect implements prometheus.Collector: one sample per server and
// metric, from the counters the servers keep with atomic operations.
// Servers are labelled by their bound addresses; two servers that had the
// same addresses (one closed, the other made later) are summed.
func (s *Service) Collect(ch chan<- prometheus.Metric) {
	type sums struct{ open, total, waits float64 }
	var order []string
	by := map[string]*sums{}
	for _, srv := range s.Servers() {
		st := srv.Stats()
		x := by[srv.label]
		if x == nil {
			x = &sums{}
			by[srv.label] = x
			order = append(order, srv.label)
		}
		x.open += float64(st.Open)
		x.total += float64(st.Total)
		x.waits += float64(st.LimitWaits)
	}
	for _, l := range order {
		x := by[l]
		ch <- prometheus.MustNewConstMetric(s.descs.open, prometheus.GaugeValue, x.open, l)
		ch <- prometheus.MustNewConstMetric(s.descs.total, prometheus.CounterValue, x.total, l)
		ch <- prometheus.MustNewConstMetric(s.descs.waits, prometheus.CounterValue, x.waits, l)
	}
}

// serverLabel is the server label of a server: its bound addresses
// (host:port, or a unix socket path), comma-separated.
func serverLabel(addrs []Addr) string {
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = a.Address
	}
	return strings.Join(parts, ",")
}
