package sock

import (
	"bufio"
	"context"
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
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// TestMetricsScrape runs a server limited to one connection with the web
// and metrics modules, opens two connections (the second waits for the
// first), scrapes /asab/v1/metrics over HTTP and checks the counts.
func TestMetricsScrape(t *testing.T) {
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[logging:console]\nenabled=false\n" +
		"[asab:metrics]\ngo_runtime=no\n[echo]\nlisten=127.0.0.1 0\nmax_connections=1\n"
	a := app.New(app.WithName("sockmetrics"), app.WithArgs(), app.WithConfigString(conf))
	for _, m := range []app.ModuleFactory{web.Module, metrics.Module, ServerModule("test.Echo", "echo", echoLines)} {
		if err := a.AddModule(m); err != nil {
			a.Release()
			t.Fatal(err)
		}
	}
	svc, _ := app.GetService[*Service](a, "test.Echo")
	webSvc, _ := app.GetService[*web.Service](a, web.ServiceName)
	started := make(chan struct{})
	a.PubSub().Subscribe(web.StartedMessage, func(pubsub.Message) error { close(started); return nil })
	code := make(chan int, 1)
	go func() { code <- a.Run() }()
	select {
	case <-started:
	case c := <-code:
		t.Fatalf("exited with %d before serving", c)
	case <-time.After(10 * time.Second):
		t.Fatal("not serving within 10 s")
	}
	defer func() {
		a.Stop()
		if c := <-code; c != 0 {
			t.Errorf("exit code %d", c)
		}
	}()
	srv := svc.Servers()[0]
	addr := srv.Addrs()[0]
	url := webSvc.URL(0) + "/asab/v1/metrics"

	c1 := dial(t, addr)
	defer c1.Close()
	if got := roundTrip(t, c1, bufio.NewReader(c1), "one"); got != "one" {
		t.Fatalf("echo: %q", got)
	}
	c2 := dial(t, addr) // waits for c1's slot
	defer c2.Close()
	waitFor(t, func() bool { return srv.Stats().LimitWaits == 1 })

	labels := map[string]string{"service": "test.Echo", "server": addr.Address}
	fams := scrapeText(t, url)
	for name, want := range map[string]float64{
		"asab_sock_connections_open":  1,
		"asab_sock_connections_total": 1,
		"asab_sock_limit_waits_total": 1,
	} {
		if got := metricValue(t, fams, name, labels); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if typ := fams["asab_sock_connections_open"].GetType(); typ != dto.MetricType_GAUGE {
		t.Errorf("connections_open type %v", typ)
	}

	c1.Close()
	if got := roundTrip(t, c2, bufio.NewReader(c2), "two"); got != "two" {
		t.Fatalf("echo: %q", got)
	}
	c2.Close()
	waitFor(t, func() bool { return srv.Stats().Open == 0 })
	fams = scrapeText(t, url)
	for name, want := range map[string]float64{
		"asab_sock_connections_open":  0,
		"asab_sock_connections_total": 2,
		"asab_sock_limit_waits_total": 1,
	} {
		if got := metricValue(t, fams, name, labels); got != want {
			t.Errorf("after closing: %s = %v, want %v", name, got, want)
		}
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatal("condition not met within 10 s")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func scrapeText(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse scrape: %v\n%s", err, body)
	}
	return fams
}

// metricValue returns the counter or gauge value of the sample of family
// name whose labels are exactly want.
func metricValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
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
			return m.GetGauge().GetValue()
		}
		return m.GetCounter().GetValue()
	}
	t.Fatalf("no %s%v in the scrape: %v", name, want, fams[name])
	return 0
}
