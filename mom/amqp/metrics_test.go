package amqp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
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
	var fams map[string]*dto.MetricFamily
	a := app.New(app.WithName("amqpmetrics"), app.WithArgs(), app.WithConfigString(conf),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			defer a.Stop()
			svc, err := app.GetService[*mom.Service](a, mom.ServiceName)
			if err != nil {
				return err
			}
			b, err := svc.Broker("amqp")
			if err != nil {
				return err
			}
			_ = b.Add(q, func(context.Context, *mom.Message) ([]byte, error) { return nil, nil })
			if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
				return err
			}
			for i := range n {
				if err := b.Publish(ctx, fmt.Appendf(nil, "m%d", i), q, mom.PublishOptions{}); err != nil {
					return err
				}
			}
			c := b.(mom.Instrumented).Counters()
			deadline := time.Now().Add(20 * time.Second)
			for c.Snapshot().Queues[q].Acked < n {
				if time.Now().After(deadline) {
					return fmt.Errorf("acked %+v, want %d", c.Snapshot().Queues[q], n)
				}
				time.Sleep(10 * time.Millisecond)
			}
			w, err := app.GetService[*web.Service](a, web.ServiceName)
			if err != nil {
				return err
			}
			fams, err = scrape(w.URL(0) + "/asab/v1/metrics")
			return err
		}))
	t.Cleanup(a.Release)
	for _, m := range []app.ModuleFactory{web.Module, metrics.Module, amqp.Module} {
		if err := a.AddModule(m); err != nil {
			t.Fatal(err)
		}
	}
	if code := a.Run(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	check := func(name string, labels map[string]string, ok func(float64) bool, want string) {
		t.Helper()
		got, err := value(fams, name, labels)
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
	// The in-process broker is always there, and connected.
	check("asab_mom_connected", map[string]string{"broker": "local"}, eq(1), "1")
	if _, err := value(fams, "asab_mom_connected", map[string]string{"broker": "amqp"}); err != nil {
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

// scrape GETs a Prometheus text endpoint and parses it.
func scrape(url string) (map[string]*dto.MetricFamily, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(strings.NewReader(string(body)))
}

// value returns the counter or gauge value of the sample of family name
// whose labels are exactly want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, error) {
next:
	for _, m := range fams[name].GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if want[lp.GetName()] != lp.GetValue() {
				continue next
			}
		}
		if m.Gauge != nil {
			return m.GetGauge().GetValue(), nil
		}
		return m.GetCounter().GetValue(), nil
	}
	return 0, fmt.Errorf("no %s%v in the scrape: %v", name, want, fams[name])
}
