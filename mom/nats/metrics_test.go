package nats_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/internal/counts"
	"github.com/asabgo/asab/mom/nats"
	"github.com/asabgo/asab/web"
)

// TestMetricsScrape runs the NATS broker in an application with the web
// and metrics modules: acknowledged, rejected (dead-lettered), retried to
// exhaustion (dead-lettered) and unroutable (no handler) messages, then
// scrapes /asab/v1/metrics over HTTP and checks the counts under the
// broker label "nats", with the same metric names as the other brokers.
func TestMetricsScrape(t *testing.T) {
	needServer(t)
	sp := newSpace(t, testURL)
	q, dlx := sp.prefix+".jobs", sp.prefix+".dead"
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[logging:console]\nenabled=false\n[asab:metrics]\ngo_runtime=no\n" +
		"[asab:mom:nats]\nurl=" + testURL + "\nstream=" + sp.stream + "\nsubjects=" + sp.prefix + ".>\ndead_letter_exchange=" + dlx + "\n"
	r := asabtest.New(t, conf, app.WithName("natsmetrics")).AddModule(web.Module, metrics.Module, nats.Module).Start()
	ctx := r.Application.Context()
	svc := asabtest.Service[*mom.Service](t, r)
	b, err := svc.Broker("nats")
	if err != nil {
		t.Fatal(err)
	}
	if svc.Default() != b {
		t.Fatal("the NATS broker is not the default one")
	}
	_ = b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		switch string(m.Body) {
		case "bad":
			return nil, errors.New("bad job")
		case "busy":
			return nil, mom.Retry(errors.New("busy"))
		}
		return nil, nil
	})
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{Retry: mom.RetryPolicy{MaxAttempts: 2, InitialDelay: 10 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"ok", "ok", "bad", "busy"} {
		if err := b.Publish(ctx, []byte(body), q, mom.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Publish(ctx, []byte("x"), "elsewhere", mom.PublishOptions{}); err == nil {
		t.Fatal("publish to a subject outside the stream succeeded")
	}
	// The queue's consumer takes the default exchange's subject q only;
	// this one has no handler: dropped.
	other := sp.prefix + ".nobody"
	if err := b.Subscribe(ctx, other, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, []byte("lost"), other, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	c := b.(counts.Instrumented).Counters()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := c.Snapshot()
		if s.Queues[q].DeadLettered == 2 && s.Queues[q].Acked == 2 && s.Queues[other].Dropped == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w := asabtest.Service[*web.Service](t, r)
	fams := asabtest.Scrape(t, w.URL(0)+"/asab/v1/metrics")
	if code := r.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	check := func(name string, labels map[string]string, want float64) {
		t.Helper()
		got, err := asabtest.Lookup(fams, name, labels)
		if err != nil {
			t.Error(err)
		} else if got != want {
			t.Errorf("%s%v = %v, want %v", name, labels, got, want)
		}
	}
	n := map[string]string{"broker": "nats", "queue": q}
	check("asab_mom_published_total", map[string]string{"broker": "nats", "target": q}, 4) // dead letters are counted as dead_lettered
	check("asab_mom_publish_errors_total", map[string]string{"broker": "nats", "target": "elsewhere"}, 1)
	check("asab_mom_consumed_total", n, 5) // busy twice
	check("asab_mom_acked_total", n, 2)
	check("asab_mom_rejected_total", map[string]string{"broker": "nats", "queue": q, "requeue": "false"}, 2)
	check("asab_mom_rejected_total", map[string]string{"broker": "nats", "queue": q, "requeue": "true"}, 1)
	check("asab_mom_dead_lettered_total", n, 2)
	check("asab_mom_dropped_total", map[string]string{"broker": "nats", "queue": other}, 1)
	check("asab_mom_connected", map[string]string{"broker": "nats"}, 1)
}
