package asabtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape GETs a Prometheus text endpoint (such as a web container's URL
// plus "/asab/v1/metrics") and returns its metric families by name. A
// request error, a status other than 200 or a body expfmt cannot parse
// fails the test. The request uses its own connection, closed before
// Scrape returns, so that goleak finds no idle connection of it.
func Scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: StartTimeout}
	res, err := client.Get(url)
	if err != nil {
		t.Fatalf("asabtest: scrape: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("asabtest: scrape %s: reading the body: %v", url, err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("asabtest: scrape %s: status %d\n%s", url, res.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("asabtest: scrape %s: %v\n%s", url, err, body)
	}
	return fams
}

// Gather collects the metric families of a Prometheus gatherer in process,
// such as the registry of the application's metrics service
// (metrics.Service.Registry()), without HTTP. An error fails the test.
func Gather(t testing.TB, g prometheus.Gatherer) map[string]*dto.MetricFamily {
	t.Helper()
	list, err := g.Gather()
	if err != nil {
		t.Fatalf("asabtest: gather: %v", err)
	}
	fams := make(map[string]*dto.MetricFamily, len(list))
	for _, mf := range list {
		fams[mf.GetName()] = mf
	}
	return fams
}

// Lookup returns the value of the sample of family name whose labels are
// exactly want: a counter's or gauge's value, a histogram's sample count.
// The error names the family and labels when there is no such sample.
func Lookup(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, error) {
	mf := fams[name]
	if mf == nil {
		return 0, fmt.Errorf("no metric family %q in the scrape", name)
	}
	for _, m := range mf.GetMetric() {
		if !labelsAre(m, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), nil
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), nil
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), nil
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), nil
		}
		return 0, fmt.Errorf("%s%v is neither a counter, a gauge, a histogram nor untyped", name, want)
	}
	return 0, fmt.Errorf("no %s with labels %v in the scrape: %v", name, want, mf.GetMetric())
}

// Value is Lookup that fails the test when there is no such sample.
func Value(t testing.TB, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	v, err := Lookup(fams, name, want)
	if err != nil {
		t.Fatalf("asabtest: %v", err)
	}
	return v
}

func labelsAre(m *dto.Metric, want map[string]string) bool {
	if len(m.GetLabel()) != len(want) {
		return false
	}
	for _, lp := range m.GetLabel() {
		if v, ok := want[lp.GetName()]; !ok || v != lp.GetValue() {
			return false
		}
	}
	return true
}
