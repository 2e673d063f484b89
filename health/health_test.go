package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/health"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/web"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// probe GETs one probe of the default web container.
func probe(t *testing.T, r *asabtest.App, p health.Probe) (int, health.Report) {
	t.Helper()
	svc := asabtest.Service[*web.Service](t, r)
	resp, err := http.Get(svc.URL(0) + health.PathPrefix + string(p))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep health.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatalf("%s: decode body: %v", p, err)
	}
	return resp.StatusCode, rep
}

// find returns the named check of a report.
func find(t *testing.T, rep health.Report, name string) health.CheckReport {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, rep)
	return health.CheckReport{}
}

// eventually polls cond every 20 ms for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// switchable is a service whose health the test sets.
type switchable struct{ err atomic.Pointer[error] }

func (s *switchable) set(err error) { s.err.Store(&err) }

func (s *switchable) CheckHealth(context.Context) error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

var _ health.Checker = (*switchable)(nil)

const conf = "[web]\nlisten = 127.0.0.1 0\n[asab:health]\ninterval = 20ms\n"

// start runs an app with web, health and metrics, a service "db" that
// implements Checker, and an informative user check "cache".
func start(t *testing.T, config string, cache func(context.Context) error) (*asabtest.App, *switchable) {
	t.Helper()
	db := &switchable{}
	r := asabtest.New(t, config, app.WithInitialize(func(ctx context.Context, a *app.Application) error {
		hs, err := app.Service[*health.Service](a)
		if err != nil {
			return err
		}
		return hs.Add("cache", false, cache)
	})).AddModule(web.Module, metrics.Module, func(a *app.Application) (any, error) {
		return nil, a.RegisterService("db", db)
	}, health.Module)
	return r.Start(), db
}

func TestReadinessFollowsRequiredChecks(t *testing.T) {
	r, db := start(t, conf, func(context.Context) error { return errors.New("cold") })
	eventually(t, "ready", func() bool { code, _ := probe(t, r, health.Ready); return code == http.StatusOK })
	_, rep := probe(t, r, health.Ready)
	if c := find(t, rep, "cache"); c.Status != "down" || c.Required || c.Error != "cold" {
		t.Fatalf("informative check: %+v (it must be reported down without deciding)", c)
	}
	first := find(t, rep, "db")
	if first.Status != "up" || !first.Required || first.Since == nil {
		t.Fatalf("db check: %+v", first)
	}

	db.set(errors.New("connection refused"))
	eventually(t, "not ready", func() bool { code, _ := probe(t, r, health.Ready); return code == http.StatusServiceUnavailable })
	_, rep = probe(t, r, health.Ready)
	c := find(t, rep, "db")
	if c.Status != "down" || c.Error != "connection refused" || c.Since == nil || !c.Since.After(*first.Since) {
		t.Fatalf("db check after the failure: %+v (first %+v)", c, first)
	}
	// A dependency that is down does not make the process dead.
	if code, rep := probe(t, r, health.Live); code != http.StatusOK {
		t.Fatalf("live answered %d with a plain failure: %+v", code, rep)
	}
	fams := asabtest.Scrape(t, asabtest.Service[*web.Service](t, r).URL(0)+"/asab/v1/metrics")
	if v := asabtest.Value(t, fams, "asab_health_check_up", map[string]string{"check": "db"}); v != 0 {
		t.Fatalf("asab_health_check_up{check=db} = %v while down", v)
	}

	db.set(nil)
	eventually(t, "ready again", func() bool { code, _ := probe(t, r, health.Ready); return code == http.StatusOK })
	fams = asabtest.Scrape(t, asabtest.Service[*web.Service](t, r).URL(0)+"/asab/v1/metrics")
	if v := asabtest.Value(t, fams, "asab_health_check_up", map[string]string{"check": "db"}); v != 1 {
		t.Fatalf("asab_health_check_up{check=db} = %v while up", v)
	}
	if code := r.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestBrokenFailsLiveness(t *testing.T) {
	r, db := start(t, conf, func(context.Context) error { return nil })
	eventually(t, "live", func() bool { code, _ := probe(t, r, health.Live); return code == http.StatusOK })
	db.set(health.Broken(errors.New("worker pool deadlocked")))
	eventually(t, "not live", func() bool { code, _ := probe(t, r, health.Live); return code == http.StatusServiceUnavailable })
	_, rep := probe(t, r, health.Live)
	if c := find(t, rep, "db"); !strings.Contains(c.Error, "worker pool deadlocked") {
		t.Fatalf("db check: %+v", c)
	}
	r.Stop()
}

func TestLivenessFailsWhenTicksStop(t *testing.T) {
	// Ticks every 10 s, stall limit 200 ms: the first tick comes far too late.
	r, _ := start(t, "[general]\ntick_period = 10s\n"+conf+"tick_stall = 200ms\n", func(context.Context) error { return nil })
	eventually(t, "not live", func() bool { code, _ := probe(t, r, health.Live); return code == http.StatusServiceUnavailable })
	_, rep := probe(t, r, health.Live)
	if c := find(t, rep, "ticks"); c.Status != "down" || !strings.Contains(c.Error, "no tick for") {
		t.Fatalf("ticks: %+v", c)
	}
	r.Stop()
}

func TestStartupAndReadinessAtStop(t *testing.T) {
	r, _ := start(t, strings.Replace(conf, "[web]\n", "[web]\nstop_delay = 1s\n", 1), func(context.Context) error { return nil })
	if code, rep := probe(t, r, health.Startup); code != http.StatusOK || rep.Phase != "running" {
		t.Fatalf("startup: %d %+v", code, rep)
	}
	eventually(t, "ready", func() bool { code, _ := probe(t, r, health.Ready); return code == http.StatusOK })

	r.Application.Stop()
	// Still serving during stop_delay: ready says 503 at once, startup and
	// live still 200.
	eventually(t, "not ready at the stop", func() bool { code, _ := probe(t, r, health.Ready); return code == http.StatusServiceUnavailable })
	if code, rep := probe(t, r, health.Startup); code != http.StatusOK {
		t.Fatalf("startup during the stop: %d %+v", code, rep)
	}
	if code, rep := probe(t, r, health.Live); code != http.StatusOK {
		t.Fatalf("live during the stop: %d %+v", code, rep)
	}
	if code := r.Wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestBadSettings(t *testing.T) {
	r := asabtest.New(t, "[asab:health]\ninterval = 0\n")
	err := r.Application.AddModule(health.Module)
	if err == nil || !strings.Contains(err.Error(), `[asab:health] interval = "0"`) || !strings.Contains(err.Error(), "1ms") {
		t.Fatalf("got %v, want an error naming the key and the quoted value", err)
	}
}

func TestDuplicateCheck(t *testing.T) {
	r := asabtest.New(t, "").AddModule(health.Module)
	hs := asabtest.Service[*health.Service](t, r)
	ok := func(context.Context) error { return nil }
	if err := hs.Add("x", true, ok); err != nil {
		t.Fatal(err)
	}
	if err := hs.Add("x", false, ok); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("second check named x: %v", err)
	}
}

func TestPanickingCheckIsDown(t *testing.T) {
	r := asabtest.New(t, "").AddModule(health.Module)
	hs := asabtest.Service[*health.Service](t, r)
	if err := hs.Add("p", true, func(context.Context) error { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	hs.CheckNow(context.Background())
	if c := find(t, hs.Check(health.Ready), "p"); c.Status != "down" || !strings.Contains(c.Error, "boom") {
		t.Fatalf("%+v", c)
	}
}

// TestHungCheckDoesNotFreezeTheOthers: a check that ignores its context and
// never returns is reported down once it overruns the timeout, the other
// checks go on running (a dependency that fails meanwhile makes the
// application not ready), and the stop does not wait for it.
func TestHungCheckDoesNotFreezeTheOthers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	r, db := start(t, conf+"timeout = 50ms\n", func(context.Context) error {
		calls.Add(1)
		<-release // a driver that ignores its context
		return nil
	})
	eventually(t, "the hung check reported down", func() bool {
		_, rep := probe(t, r, health.Ready)
		c := find(t, rep, "cache")
		return c.Status == "down" && strings.Contains(c.Error, "did not return within")
	})
	db.set(errors.New("connection refused"))
	eventually(t, "not ready while db fails", func() bool {
		code, rep := probe(t, r, health.Ready)
		return code == http.StatusServiceUnavailable && find(t, rep, "db").Status == "down"
	})
	if n := calls.Load(); n != 1 {
		t.Fatalf("the hung check was started %d times, want once while it runs", n)
	}
	done := make(chan int, 1)
	go func() { done <- r.Stop() }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d", code)
		}
	case <-time.After(5 * time.Second):
		close(release) // let the test end, then fail it
		<-done
		release = make(chan struct{})
		t.Fatal("the stop waited for the hung check")
	}
}
