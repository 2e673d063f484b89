package sock

import (
	"bufio"
	"context"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/web"
)

// TestMetricsScrape runs a server limited to one connection with the web
// and metrics modules, opens two connections (the second waits for the
// first), scrapes /asab/v1/metrics over HTTP and checks the counts.
func TestMetricsScrape(t *testing.T) {
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[logging:console]\nenabled=false\n" +
		"[asab:metrics]\ngo_runtime=no\n[echo]\nlisten=127.0.0.1 0\nmax_connections=1\n"
	r := asabtest.New(t, conf, app.WithName("sockmetrics")).
		AddModule(web.Module, metrics.Module, ModuleWith(WithName("test.Echo"), WithServer("echo", echoLines)))
	svc := asabtest.ServiceNamed[*Service](t, r, "test.Echo")
	webSvc := asabtest.Service[*web.Service](t, r)
	r.StartUntil(web.StartedMessage, nil)
	defer func() {
		if c := r.Stop(); c != 0 {
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
	fams := checkSockMetrics(t, url, labels, "while one waits", 1, 1, 1)
	if typ := fams["asab_sock_connections_open"].GetType(); typ != dto.MetricType_GAUGE {
		t.Errorf("connections_open type %v", typ)
	}

	c1.Close()
	if got := roundTrip(t, c2, bufio.NewReader(c2), "two"); got != "two" {
		t.Fatalf("echo: %q", got)
	}
	c2.Close()
	waitFor(t, func() bool { return srv.Stats().Open == 0 })
	checkSockMetrics(t, url, labels, "after closing", 0, 2, 1)
}

// checkSockMetrics scrapes url and checks the server's three sock metrics;
// when names the moment in errors.
func checkSockMetrics(t *testing.T, url string, labels map[string]string, when string, open, total, waits float64) map[string]*dto.MetricFamily {
	t.Helper()
	fams := asabtest.Scrape(t, url)
	for name, want := range map[string]float64{
		"asab_sock_connections_open":  open,
		"asab_sock_connections_total": total,
		"asab_sock_limit_waits_total": waits,
	} {
		if got := asabtest.Value(t, fams, name, labels); got != want {
			t.Errorf("%s: %s = %v, want %v", when, name, got, want)
		}
	}
	return fams
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
