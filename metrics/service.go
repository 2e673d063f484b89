package metrics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
)

// ServiceName is the name under which Module registers the Service.
const ServiceName = "asab.MetricsService"

// Service is asab.MetricsService: the application's metrics, kept in a
// Prometheus registry of its own (never the process-wide default one), so
// that several applications in one process, one after the other as in
// tests, never collide.
type Service struct {
	app *app.Application
	reg *prometheus.Registry
	set Settings
	log *logging.Logger

	tick *tickLag

	logMinute atomic.Bool // [asab:metrics] log_every_minute, changed by Reload

	mu          sync.Mutex
	instruments map[string]*instrument
	collected   map[string]bool // services whose Collector is registered
	subs        []*pubsub.Subscription
}

// Module is the metrics module's factory for app.Application.AddModule: it
// builds the Service with [NewService] and registers it as
// "asab.MetricsService"; it returns no module (the Service carries the
// lifecycle). It may be added before or after the modules whose services it
// collects.
func Module(a *app.Application) (any, error) {
	s, err := NewService(a)
	if err != nil {
		return nil, err
	}
	if err := a.RegisterService(ServiceName, s); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return nil, nil
}

// NewService reads [asab:metrics] and builds a Service with the built-in
// metrics; it does not register it (Module does).
func NewService(a *app.Application) (*Service, error) {
	a.Config().AddDefaults(map[string]map[string]any{Section: Defaults()})
	log := logging.Get("asab.metrics")
	set, err := readSettings(a.Config(), log)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	s := &Service{
		app:         a,
		reg:         prometheus.NewRegistry(),
		set:         set,
		log:         log,
		instruments: map[string]*instrument{},
		collected:   map[string]bool{ServiceName: true},
		tick:        newTickLag(),
	}
	if err := s.registerBuiltins(); err != nil {
		return nil, err
	}
	s.logMinute.Store(set.LogEveryMinute)
	a.ReloadStatic(Section, staticKeys...)
	return s, nil
}

// registerBuiltins registers the application, logging and Go runtime
// collectors.
func (s *Service) registerBuiltins() error {
	cs := []prometheus.Collector{
		newAppCollector(s.app),
		newPubSubCollector(s.app.PubSub()),
		newLoggingCollector(),
		s.tick.lag,
	}
	if s.set.GoRuntime {
		cs = append(cs, collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	for _, c := range cs {
		if err := s.reg.Register(c); err != nil {
			return fmt.Errorf("metrics: register built-in metrics: %w", err)
		}
	}
	return nil
}

// Registry returns the application's Prometheus registry. Register your own
// collectors on it (or with Register); everything on it is exposed.
func (s *Service) Registry() *prometheus.Registry { return s.reg }

// Register adds a collector to the application's registry. Registering the
// same collector twice is not an error. A collector whose metrics clash
// with ones already registered is, and the error names the clash.
func (s *Service) Register(c prometheus.Collector) error {
	if err := s.reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) && are.ExistingCollector == c {
			return nil
		}
		return fmt.Errorf("metrics: register %T (%s): %w", c, describe(c), err)
	}
	return nil
}

// describe lists what a collector says it exports, for error messages.
func describe(c prometheus.Collector) string {
	ch := make(chan *prometheus.Desc)
	go func() {
		defer close(ch)
		c.Describe(ch)
	}()
	var out []string
	for d := range ch {
		if len(out) < 5 {
			out = append(out, d.String())
		}
	}
	if len(out) == 0 {
		return "an unchecked collector"
	}
	return strings.Join(out, ", ")
}

// Initialize registers every service that implements prometheus.Collector,
// subscribes to the ticks and adds the HTTP endpoints to asab.WebService
// when there is one (logging a NOTICE when there is none). Services
// registered after this point are collected when run-time starts.
func (s *Service) Initialize(ctx context.Context) error {
	if err := s.collectServices(); err != nil {
		return err
	}
	ps := s.app.PubSub()
	s.mu.Lock()
	s.subs = append(s.subs, ps.SubscribeMany(map[string]pubsub.Handler{
		pubsub.Run:    s.onRun,
		pubsub.Tick:   s.tick.onTick,
		pubsub.Tick60: s.logSummary, // it logs only while log_every_minute is on
	}))
	s.mu.Unlock()
	return s.expose()
}

// Finalize unsubscribes from the bus. The registry stays readable.
func (s *Service) Finalize(context.Context) error {
	s.mu.Lock()
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	for _, sub := range subs {
		sub.Unsubscribe()
	}
	return nil
}

// onRun collects the services registered during init-time after the
// metrics service's Initialize, and starts measuring tick lag.
func (s *Service) onRun(pubsub.Message) error {
	s.tick.start(s.app.Config())
	if err := s.collectServices(); err != nil {
		s.log.Error().Err(err).Msg("A service's metrics could not be registered")
	}
	return nil
}

// collectServices registers every not yet seen service that implements
// prometheus.Collector; an error names the service.
func (s *Service) collectServices() error {
	var errs []error
	for _, name := range s.app.Services() {
		s.mu.Lock()
		seen := s.collected[name]
		s.collected[name] = true
		s.mu.Unlock()
		if seen {
			continue
		}
		svc, _ := s.app.Registry().Lookup(name)
		c, ok := svc.(prometheus.Collector)
		if !ok {
			continue
		}
		if err := s.Register(c); err != nil {
			errs = append(errs, fmt.Errorf("service %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
