package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
)

// Two applications one after the other in one process: each has its own
// registry, so the same metric names register again without a clash and
// the counts do not mix.
func TestTwoAppsKeepSeparateRegistries(t *testing.T) {
	var regs []any
	for i, n := range []int{5, 2} {
		r := start(t, setup{noWeb: true})
		c, err := r.m.Counter("test_jobs_total", metrics.Opts{Labels: []string{"kind"}})
		if err != nil {
			t.Fatalf("app %d: %v", i+1, err)
		}
		for range n {
			c.With("a").Inc()
		}
		if got := testutil.ToFloat64(c.With("a")); got != float64(n) {
			t.Errorf("app %d: counter %v, want %d", i+1, got, n)
		}
		fams, err := r.m.Families()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			if f.Name == "asab_pubsub_published_total" {
				for _, s := range f.Samples {
					if s.Labels["type"] == "Application.init!" && s.Value != 1 {
						t.Errorf("app %d: init! published %v times, want 1 (counts of the earlier app leaked)", i+1, s.Value)
					}
				}
			}
		}
		regs = append(regs, r.m.Registry())
		if code := r.stop(); code != 0 {
			t.Fatalf("app %d: exit code %d", i+1, code)
		}
	}
	if regs[0] == regs[1] {
		t.Error("both applications have the same registry")
	}
}

func TestWithoutWebServiceLogsOneNotice(t *testing.T) {
	r := start(t, setup{noWeb: true})
	c, err := r.m.Counter("test_things_total", metrics.Opts{})
	if err != nil {
		t.Fatal(err)
	}
	c.Inc()
	if got := testutil.ToFloat64(c.With()); got != 1 {
		t.Errorf("counter %v without a web service", got)
	}
	if code := r.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var notices []string
	for _, l := range r.logLines("asab.metrics") {
		if l.Level == "NOTICE" {
			notices = append(notices, l.Message)
		}
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "asab.WebService") {
		t.Errorf("NOTICE lines of asab.metrics: %q, want one about the missing asab.WebService", notices)
	}
}

func TestTicksAndMinuteSummary(t *testing.T) {
	// 60 ticks of 5 ms: the summary comes after about 0.3 s.
	r := start(t, setup{noWeb: true, conf: "[general]\ntick_period=0.005\n[asab:metrics]\nlog_every_minute=yes\n",
		before: func(_ *app.Application, m *metrics.Service) { known(t, m) }})
	deadline := time.Now().Add(10 * time.Second)
	for published(t, r.m, "Application.tick/60!") < 1 {
		if time.Now().After(deadline) {
			t.Fatal("no Application.tick/60! within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := published(t, r.m, "Application.tick!"); n < 60 {
		t.Errorf("asab_pubsub_published_total{type=Application.tick!} = %v, want at least 60", n)
	}
	if code := r.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	found := false
	for _, l := range r.logLines("asab.metrics") {
		if l.Message != "Metrics summary" {
			continue
		}
		if l.Fields["metric"] == "test_requests_total" {
			found = true
			if v := l.Fields[`test_requests_total{method="GET",service="billing",status="200"}`]; v != 5.0 {
				t.Errorf("summary line %v: GET/200 = %v, want 5", l.Fields, v)
			}
		}
		if strings.HasPrefix(l.Fields["metric"].(string), "go_") {
			t.Errorf("Go runtime family %v in the summary", l.Fields["metric"])
		}
	}
	if !found {
		t.Errorf("no summary line for test_requests_total; log:\n%s", r.logText())
	}
}

// published reads asab_pubsub_published_total for one message type.
func published(t *testing.T, m *metrics.Service, msgType string) float64 {
	t.Helper()
	fams, err := m.Families()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.Name != "asab_pubsub_published_total" {
			continue
		}
		for _, s := range f.Samples {
			if s.Labels["type"] == msgType {
				return float64(s.Value)
			}
		}
	}
	return 0
}
