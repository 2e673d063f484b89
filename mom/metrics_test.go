package mom_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/internal/counts"
	"github.com/asabgo/asab/web"
)

// TestMetricsScrape runs the in-process broker with the web and metrics
// modules, publishes messages that are acknowledged, rejected and retried,
// scrapes /asab/v1/metrics over HTTP and checks the counts.
func TestMetricsScrape(t *testing.T) {
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[logging:console]\nenabled=false\n[asab:metrics]\ngo_runtime=no\n"
	r := asabtest.New(t, conf, app.WithName("mommetrics")).AddModule(web.Module, metrics.Module, mom.Module).Start()
	ctx := r.Application.Context()
	svc := asabtest.Service[*mom.Service](t, r)
	b := svc.Default()
	_ = b.Add("jobs", func(_ context.Context, m *mom.Message) ([]byte, error) {
		switch {
		case string(m.Body) == "bad":
			return nil, errors.New("bad job")
		case string(m.Body) == "retry" && !m.Redelivered:
			return nil, mom.Retry(errors.New("not yet"))
		}
		return nil, nil
	})
	if err := b.Subscribe(ctx, "jobs", mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"ok", "ok", "bad", "retry"} {
		if err := b.Publish(ctx, []byte(body), "jobs", mom.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Publish(gone, []byte("x"), "jobs", mom.PublishOptions{}); err == nil {
		t.Fatal("publish with a cancelled context succeeded")
	}
	c := b.(counts.Instrumented).Counters()
	if err := waitUntil(ctx, func() bool {
		q := c.Snapshot().Queues["jobs"]
		return q.Acked == 3 && q.Rejected == 1
	}); err != nil {
		t.Fatal(err)
	}
	w := asabtest.Service[*web.Service](t, r)
	fams := asabtest.Scrape(t, w.URL(0)+"/asab/v1/metrics")
	if code := r.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"asab_mom_published_total", map[string]string{"broker": "local", "target": "jobs"}, 4},
		{"asab_mom_publish_errors_total", map[string]string{"broker": "local", "target": "jobs"}, 1},
		{"asab_mom_consumed_total", map[string]string{"broker": "local", "queue": "jobs"}, 5},
		{"asab_mom_acked_total", map[string]string{"broker": "local", "queue": "jobs"}, 3},
		{"asab_mom_rejected_total", map[string]string{"broker": "local", "queue": "jobs", "requeue": "false"}, 1},
		{"asab_mom_rejected_total", map[string]string{"broker": "local", "queue": "jobs", "requeue": "true"}, 1},
		{"asab_mom_connected", map[string]string{"broker": "local"}, 1},
		{"asab_mom_reconnects_total", map[string]string{"broker": "local"}, 0},
	} {
		got, err := asabtest.Lookup(fams, tc.name, tc.labels)
		if err != nil {
			t.Error(err)
		} else if got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
}

func waitUntil(ctx context.Context, ok func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("counts not reached: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}
