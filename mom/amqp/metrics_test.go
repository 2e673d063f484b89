package amqp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	"github.com/asabgo/asab/mom/internal/counts"
	"github.com/asabgo/asab/web"
)

// TestMetricsScrape publishes a few messages through RabbitMQ in an
// application with the web and metrics modules, scrapes /asab/v1/metrics
// over HTTP and checks published, consumed and acked for the broker
// "amqp". Consumed and acked may exceed the messages sent if another test
// closes the connections meanwhile (a redelivery), so they are checked as
// at least; published counts Publish calls and is exact.
func TestMetricsScrape(t *testing.T) {
	needServer(t)
	q := unique("asab.test.metrics")
	deleteLater(t, q, "")
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[logging:console]\nenabled=false\n" +
		"[asab:metrics]\ngo_runtime=no\n[asab:mom:amqp]\nurl=" + testURL + "\n"
	const n = 5
	r := asabtest.New(t, conf, app.WithName("amqpmetrics")).AddModule(web.Module, metrics.Module, amqp.Module).Start()
	ctx := r.Application.Context()
	svc := asabtest.Service[*mom.Service](t, r)
	b, err := svc.Broker("amqp")
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Add(q, func(context.Context, *mom.Message) ([]byte, error) { return nil, nil })
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := b.Publish(ctx, fmt.Appendf(nil, "m%d", i), q, mom.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c := b.(counts.Instrumented).Counters()
	deadline := time.Now().Add(20 * time.Second)
	for c.Snapshot().Queues[q].Acked < n {
		if time.Now().After(deadline) {
			t.Fatalf("acked %+v, want %d", c.Snapshot().Queues[q], n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w := asabtest.Service[*web.Service](t, r)
	fams := asabtest.Scrape(t, w.URL(0)+"/asab/v1/metrics")
	if code := r.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	check := func(name string, labels map[string]string, ok func(float64) bool, want string) {
		t.Helper()
		got, err := asabtest.Lookup(fams, name, labels)
		if err != nil {
			t.Error(err)
		} else if !ok(got) {
			t.Errorf("%s%v = %v, want %s", name, labels, got, want)
		}
	}
	eq := func(w float64) func(float64) bool { return func(v float64) bool { return v == w } }
	atLeast := func(w float64) func(float64) bool { return func(v float64) bool { return v >= w } }
	check("asab_mom_published_total", map[string]string{"broker": "amqp", "target": q}, eq(n), fmt.Sprint(n))
	check("asab_mom_publish_errors_total", map[string]string{"broker": "amqp", "target": q}, eq(0), "0")
	check("asab_mom_consumed_total", map[string]string{"broker": "amqp", "queue": q}, atLeast(n), fmt.Sprint(">= ", n))
	check("asab_mom_acked_total", map[string]string{"broker": "amqp", "queue": q}, atLeast(n), fmt.Sprint(">= ", n))
	check("asab_mom_rejected_total", map[string]string{"broker": "amqp", "queue": q, "requeue": "false"}, eq(0), "0")
	check("asab_mom_dead_lettered_total", map[string]string{"broker": "amqp", "queue": q}, eq(0), "0")
	check("asab_mom_dropped_total", map[string]string{"broker": "amqp", "queue": q}, eq(0), "0")
	check("asab_mom_unroutable_total", map[string]string{"broker": "amqp", "target": q}, eq(0), "0")
	// The in-process broker is always there, and connected.
	check("asab_mom_connected", map[string]string{"broker": "local"}, eq(1), "1")
	if _, err := asabtest.Lookup(fams, "asab_mom_connected", map[string]string{"broker": "amqp"}); err != nil {
		t.Error(err)
	}
}

// TestCountersConnected: a broker reports connected once it has its
// connection, and not after Close.
func TestCountersConnected(t *testing.T) {
	needServer(t)
	b := newBroker(t, amqp.Config{})
	if s := b.Counters().Snapshot(); !s.Connected {
		t.Fatalf("connected broker reports %+v", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if s := b.Counters().Snapshot(); s.Connected {
		t.Fatalf("closed broker reports %+v", s)
	}
}
