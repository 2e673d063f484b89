package mom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/mom/internal/counts"
)

// descs are the MOM service's metric descriptions.
type descs struct {
	published, publishErrors, consumed, acked, rejected, reconnects, connected *prometheus.Desc
	unroutable, deadLettered, dropped, expired                                 *prometheus.Desc
}

func newDescs() descs {
	bt, bq := []string{"broker", "target"}, []string{"broker", "queue"}
	return descs{
		published: prometheus.NewDesc("asab_mom_published_total",
			"Messages the broker took (for AMQP: confirmed), by target (routing key).", bt, nil),
		publishErrors: prometheus.NewDesc("asab_mom_publish_errors_total",
			"Publishes that returned an error, by target.", bt, nil),
		consumed: prometheus.NewDesc("asab_mom_consumed_total",
			"Messages delivered for dispatch (to their handler, or dropped when the target has none), by the queue subscribed to.", bq, nil),
		acked: prometheus.NewDesc("asab_mom_acked_total",
			"Messages acknowledged: their handler succeeded, or the target had no handler and the message was dropped.", bq, nil),
		rejected: prometheus.NewDesc("asab_mom_rejected_total",
			"Messages rejected (requeue=\"false\": the handler failed, dead-lettered where configured) or requeued (requeue=\"true\": Retry, or cut off by the shutdown).",
			[]string{"broker", "queue", "requeue"}, nil),
		unroutable: prometheus.NewDesc("asab_mom_unroutable_total",
			"Messages the broker took but no queue did (AMQP: returned for a mandatory publish), by target.", bt, nil),
		deadLettered: prometheus.NewDesc("asab_mom_dead_lettered_total",
			"Messages sent to the subscription's dead-letter destination (rejected, or out of attempts), by queue.", bq, nil),
		dropped: prometheus.NewDesc("asab_mom_dropped_total",
			"Messages discarded for good (no handler for their target; rejected, or out of attempts, with no dead-letter destination), by queue.", bq, nil),
		reconnects: prometheus.NewDesc("asab_mom_reconnects_total",
			"Connections made again after one was lost.", []string{"broker"}, nil),
		expired: prometheus.NewDesc("asab_mom_expired_total",
			"Messages the broker gave up on without a handler's verdict (NATS: max_deliver reached), by queue.", bq, nil),
		connected: prometheus.NewDesc("asab_mom_connected",
			"1 while the broker has a connection (the in-process broker: until it is closed), else 0.", []string{"broker"}, nil),
	}
}

// Describe implements prometheus.Collector. The metrics service registers
// every service that is a collector, so the brokers' metrics appear when
// metrics.Module is added.
func (s *Service) Describe(ch chan<- *prometheus.Desc) {
	d := s.descs
	for _, x := range []*prometheus.Desc{d.published, d.publishErrors, d.consumed, d.acked, d.rejected, d.reconnects, d.connected,
		d.unroutable, d.deadLettered, d.dropped, d.expired} {
		ch <- x
	}
}

// Collect implements prometheus.Collector: the counters of every built-in
// broker, labelled with the broker's name.
func (s *Service) Collect(ch chan<- prometheus.Metric) {
	d := s.descs
	for _, name := range s.Names() {
		b, _ := s.Broker(name)
		in, ok := b.(counts.Instrumented)
		if !ok {
			continue
		}
		snap := in.Counters().Snapshot()
		up := 0.0
		if snap.Connected {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(d.connected, prometheus.GaugeValue, up, name)
		ch <- prometheus.MustNewConstMetric(d.reconnects, prometheus.CounterValue, float64(snap.Reconnects), name)
		for t, c := range snap.Targets {
			ch <- prometheus.MustNewConstMetric(d.published, prometheus.CounterValue, float64(c.Published), name, t)
			ch <- prometheus.MustNewConstMetric(d.publishErrors, prometheus.CounterValue, float64(c.Errors), name, t)
			ch <- prometheus.MustNewConstMetric(d.unroutable, prometheus.CounterValue, float64(c.Unroutable), name, t)
		}
		for q, c := range snap.Queues {
			ch <- prometheus.MustNewConstMetric(d.consumed, prometheus.CounterValue, float64(c.Consumed), name, q)
			ch <- prometheus.MustNewConstMetric(d.acked, prometheus.CounterValue, float64(c.Acked), name, q)
			ch <- prometheus.MustNewConstMetric(d.rejected, prometheus.CounterValue, float64(c.Rejected), name, q, "false")
			ch <- prometheus.MustNewConstMetric(d.rejected, prometheus.CounterValue, float64(c.Requeued), name, q, "true")
			ch <- prometheus.MustNewConstMetric(d.deadLettered, prometheus.CounterValue, float64(c.DeadLettered), name, q)
			ch <- prometheus.MustNewConstMetric(d.dropped, prometheus.CounterValue, float64(c.Dropped), name, q)
			ch <- prometheus.MustNewConstMetric(d.expired, prometheus.CounterValue, float64(c.Expired), name, q)
		}
	}
}
