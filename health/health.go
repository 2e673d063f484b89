// Package health answers the three questions an orchestrator asks of a
// service, each at an endpoint of its own on every web container:
//
//   - /asab/v1/health/live: is the process stuck? Ticks flow and no check
//     reports itself broken (see Broken).
//   - /asab/v1/health/ready: should it get traffic? It runs, is not
//     stopping, and every required check passes.
//   - /asab/v1/health/startup: has start-up finished?
//
// Each answers 200 or 503 with a JSON body that lists every check with its
// status, the time of its last change and its last error.
//
// A check is a function of a context that returns nil while healthy. A
// service joins by implementing [Checker]; the module finds every
// registered service that does and checks it as a required check named
// after the service. User code adds named check functions with
// [Service.Add], required for readiness or only informative.
//
//	a.AddModule(web.Module)
//	a.AddModule(health.Module)
//
// Checks run in the background every [asab:health] interval, each under
// [asab:health] timeout, so a probe is answered from the last results and
// never waits for a slow dependency. asab_health_check_up{check} exports
// each check's state when the metrics module is added.
package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// ServiceName is the name under which Module registers the Service.
const ServiceName = "asab.HealthService"

// Section is the configuration section the module reads.
const Section = "asab:health"

// Checker is implemented by a service that reports its health. The module
// checks every registered service that implements it.
type Checker interface {
	// CheckHealth returns nil while the service is healthy. Any error
	// makes the application not ready; an error made by Broken makes it
	// not live either, so that an orchestrator restarts it.
	CheckHealth(ctx context.Context) error
}

// brokenError marks a failure that a restart is expected to cure.
type brokenError struct{ err error }

func (b *brokenError) Error() string { return "broken: " + b.err.Error() }
func (b *brokenError) Unwrap() error { return b.err }

// Broken wraps err to say that the service is stuck for good: the liveness
// probe fails while a check returns it. Broken(nil) is nil.
func Broken(err error) error {
	if err == nil {
		return nil
	}
	return &brokenError{err}
}

// IsBroken reports whether err (or an error it wraps) was made by Broken.
func IsBroken(err error) bool {
	var b *brokenError
	return errors.As(err, &b)
}

// check is one named check and its last result.
type check struct {
	name     string
	required bool
	fn       func(ctx context.Context) error

	// Guarded by Service.mu.
	checked bool
	err     error
	since   time.Time
	running bool // a call overran the timeout and has not returned yet
}

// Service is asab.HealthService: the checks, their last results, and the
// probes computed from them and from the application's phase and ticks.
type Service struct {
	app      *app.Application
	interval time.Duration
	timeout  time.Duration
	stall    time.Duration
	log      *logging.Logger
	up       *prometheus.GaugeVec

	lastTick atomic.Int64 // unix nanoseconds of the last tick
	sub      *pubsub.Subscription

	mu     sync.Mutex
	checks []*check
}

// Settings are the keys of [asab:health].
type Settings struct {
	// Interval is how often the checks run.
	Interval time.Duration `ini:"interval" default:"1s" min:"1ms" doc:"how often the checks run"`
	// Timeout is how long one check may take.
	Timeout time.Duration `ini:"timeout" default:"1s" min:"1ms" doc:"how long one check may take"`
	// TickStall is how long without a tick fails the liveness probe.
	TickStall time.Duration `ini:"tick_stall" default:"10s" min:"1ms" doc:"liveness fails when no tick came for this long"`
}

// Module is the health module's factory for app.Application.AddModule: it
// reads [asab:health] and registers the Service as "asab.HealthService".
// At init-time it adds the probes to every registered web container and
// picks up every registered service that implements Checker. The keys of
// [asab:health] are static at a live reconfiguration: a change is a
// WARNING naming the key, and the old value stays.
func Module(a *app.Application) (any, error) {
	a.ReloadStatic(Section, "interval", "timeout", "tick_stall")
	var set Settings
	if err := config.Decode(a.Config(), Section, &set); err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	s := &Service{app: a, log: logging.Get("asab.health"),
		interval: set.Interval, timeout: set.Timeout, stall: set.TickStall,
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "asab_health_check_up",
			Help: "1 while the named health check passes, 0 while it fails or has not run yet.",
		}, []string{"check"})}
	unknown, err := config.Unknown(a.Config(), Section, &set)
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	for _, u := range unknown {
		s.log.Warning().Msg(u.String())
	}
	if err := a.RegisterService(ServiceName, s); err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	return nil, nil // the lifecycle belongs to the Service
}

// Add adds a named check. A required check must pass for the application to
// be ready; an informative one is only reported. A check runs every
// [asab:health] interval under [asab:health] timeout; it should be cheap.
// Names are unique.
func (s *Service) Add(name string, required bool, fn func(ctx context.Context) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.ContainsFunc(s.checks, func(c *check) bool { return c.name == name }) {
		return fmt.Errorf("health: a check named %q exists already", name)
	}
	s.checks = append(s.checks, &check{name: name, required: required, fn: fn})
	s.up.WithLabelValues(name).Set(0)
	return nil
}

// Describe implements prometheus.Collector, so that the metrics module
// exports asab_health_check_up.
func (s *Service) Describe(ch chan<- *prometheus.Desc) { s.up.Describe(ch) }

// Collect implements prometheus.Collector.
func (s *Service) Collect(ch chan<- prometheus.Metric) { s.up.Collect(ch) }

// Initialize adds a required check for every registered service that
// implements Checker, the probes to every registered web container, starts
// watching the ticks, and makes the systemd watchdog ping depend on the
// liveness probe (app.Application.SetLiveness).
func (s *Service) Initialize(ctx context.Context) error {
	reg := s.app.Registry()
	for _, name := range reg.Names() {
		v, _ := reg.Lookup(name)
		if c, ok := v.(Checker); ok && v != any(s) {
			if err := s.Add(name, true, c.CheckHealth); err != nil {
				return err
			}
		}
		switch c := v.(type) {
		case *web.Service:
			s.Mount(c.Echo())
		case *web.Container:
			s.Mount(c.Echo())
		}
	}
	s.lastTick.Store(time.Now().UnixNano())
	// The systemd watchdog pings only while the process is live.
	s.app.SetLiveness(func() bool { return s.Check(Live).OK })
	s.sub = s.app.PubSub().Subscribe(pubsub.Tick, func(pubsub.Message) error {
		s.lastTick.Store(time.Now().UnixNano())
		return nil
	})
	return nil
}

// Run checks everything at once and then every interval until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.CheckNow(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Finalize stops watching the ticks.
func (s *Service) Finalize(context.Context) error {
	if s.sub != nil {
		s.sub.Unsubscribe()
	}
	return nil
}

// CheckNow runs every check once, each under the timeout, one after the
// other, and records the results. Run calls it every interval. A check
// that has not returned when its timeout ends (one that ignores its
// context) is recorded as down and left running on its own; it is not
// called again until it has returned, and the other checks go on.
func (s *Service) CheckNow(ctx context.Context) {
	s.mu.Lock()
	checks := slices.Clone(s.checks)
	s.mu.Unlock()
	for _, c := range checks {
		err, ok := s.runOne(ctx, c)
		if !ok {
			return // stopping: the check was cut off, not failed
		}
		s.record(c, err)
	}
}

// runOne calls one check under the timeout. ok is false when ctx ended
// meanwhile.
func (s *Service) runOne(ctx context.Context, c *check) (err error, ok bool) {
	s.mu.Lock()
	running := c.running
	s.mu.Unlock()
	if running {
		return fmt.Errorf("still running: did not return within [asab:health] timeout (%s)", s.timeout), true
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		done <- runCheck(cctx, c.fn)
	}()
	select {
	case err = <-done:
	case <-cctx.Done():
		select {
		case err = <-done: // it returned as its context ended
		default:
			s.mu.Lock()
			c.running = true
			s.mu.Unlock()
			go func() {
				<-done
				s.mu.Lock()
				c.running = false
				s.mu.Unlock()
			}()
			err = fmt.Errorf("did not return within [asab:health] timeout (%s)", s.timeout)
		}
	}
	return err, ctx.Err() == nil
}

// runCheck calls fn, turning a panic into an error.
func runCheck(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(ctx)
}

// record stores a check's result and logs a change of state.
func (s *Service) record(c *check, err error) {
	s.mu.Lock()
	changed := !c.checked || (c.err == nil) != (err == nil)
	c.checked, c.err = true, err
	if changed {
		c.since = time.Now()
	}
	s.mu.Unlock()
	if err == nil {
		s.up.WithLabelValues(c.name).Set(1)
	} else {
		s.up.WithLabelValues(c.name).Set(0)
	}
	switch {
	case changed && err != nil:
		s.log.Warning().Str("check", c.name).Bool("required", c.required).Err(err).Msg("Health check failed")
	case changed:
		s.log.Info().Str("check", c.name).Msg("Health check passes")
	}
}
