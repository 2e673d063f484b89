package mom

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// ServiceName is the name under which Module registers the Service.
const ServiceName = "asab.MOMService"

// SectionPrefix starts the configuration sections that define brokers:
// [asab:mom:KIND] makes a broker named KIND, [asab:mom:KIND:NAME] one named
// NAME. The built-in kind is "local"; mom/amqp adds "amqp", mom/nats "nats".
const SectionPrefix = "asab:mom:"

// LocalSection configures the in-process broker named "local".
const LocalSection = "asab:mom:local"

// BrokerFactory makes a broker of one kind from its configuration section.
// It must not connect yet: a broker that implements Starter is started at
// the service's Initialize.
type BrokerFactory func(cfg *config.Config, section string) (Broker, error)

// Starter is implemented by brokers that start background work (a
// connection loop) when the application initializes; ctx is cancelled if
// the application stops during start-up.
type Starter interface {
	// Start begins the broker's background work and returns; an error
	// aborts the application's start-up.
	Start(ctx context.Context) error
}

// Service is "asab.MOMService": it owns the application's brokers and
// closes them at exit-time, after their in-flight handlers finished or the
// shutdown deadline passed.
type Service struct {
	log   *logging.Logger
	descs descs
	// lookup finds other services (the tracing service) at Initialize.
	lookup func(name string) (any, bool)

	mu       sync.Mutex
	brokers  map[string]Broker
	order    []string
	fallback string
}

// Module is the application module of the in-process broker: it registers
// the Service with the brokers configured in [asab:mom:local]. Use
// mom/amqp.Module instead to also have AMQP brokers. Module is ModuleWith().
func Module(a *app.Application) (any, error) { return ModuleWith()(a) }

// NewService builds the MOM service of a, with the brokers that a's
// configuration defines, knowing the broker kinds of opts besides "local";
// it does not register it (ModuleWith does). The default broker is the
// first configured non-local broker (sections in name order), or the
// in-process "local" broker, which always exists. The broker sections are
// static at a live reconfiguration (app.Application.ReloadStatic).
func NewService(a *app.Application, opts ...Option) (*Service, error) {
	o := options{kinds: map[string]BrokerFactory{}}
	for _, opt := range opts {
		opt(&o)
	}
	cfg := a.Config()
	// The brokers are built once: every broker section's keys are static
	// at a live reconfiguration (a changed url is a WARNING naming it).
	a.ReloadStatic(LocalSection)
	for _, sec := range cfg.Sections() {
		if _, _, ok := parseSection(sec); ok {
			a.ReloadStatic(sec)
		}
	}
	s := &Service{log: logging.Get("asab.mom"), descs: newDescs(), brokers: make(map[string]Broker), lookup: a.Registry().Lookup}
	local, err := newLocalFromConfig(cfg, LocalSection)
	if err != nil {
		return nil, err
	}
	s.brokers["local"], s.order, s.fallback = local, []string{"local"}, "local"
	for _, sec := range cfg.Sections() {
		kind, name, ok := parseSection(sec)
		if !ok || sec == LocalSection {
			continue
		}
		var f BrokerFactory
		if kind == "local" {
			f = func(cfg *config.Config, sec string) (Broker, error) { return newLocalFromConfig(cfg, sec) }
		} else if f = o.kinds[kind]; f == nil {
			return nil, fmt.Errorf("mom: section [%s]: no broker of kind %q is linked in (for amqp add amqp.Module, for nats nats.Module, instead of mom.Module)", sec, kind)
		}
		b, err := f(cfg, sec)
		if err != nil {
			return nil, fmt.Errorf("mom: section [%s]: %w", sec, err)
		}
		if b == nil { // the section leaves this broker off (e.g. no url)
			continue
		}
		if err := s.AddBroker(name, b); err != nil {
			return nil, err
		}
		if s.fallback == "local" && kind != "local" {
			s.fallback = name
		}
	}
	return s, nil
}

func parseSection(sec string) (kind, name string, ok bool) {
	rest, ok := strings.CutPrefix(sec, SectionPrefix)
	if !ok || rest == "" {
		return "", "", false
	}
	kind, name, found := strings.Cut(rest, ":")
	if !found || name == "" {
		name = kind
	}
	return kind, name, true
}

// LocalSettings are the keys of an in-process broker's section
// ([asab:mom:local] and [asab:mom:local:NAME]), decoded by [config.Decode];
// their tags hold the section's only defaults. docs/mom.md lists them.
type LocalSettings struct {
	// PrefetchCount is LocalOptions.Prefetch.
	PrefetchCount int `ini:"prefetch_count" default:"10" min:"1" doc:"messages of one subscription handled at once"`
	// RequestTimeout is LocalOptions.RequestTimeout.
	RequestTimeout time.Duration `ini:"request_timeout" default:"10s" min:"0" doc:"Request's timeout without a deadline"`
	// Exchange is LocalOptions.Exchange.
	Exchange string `ini:"exchange" doc:"where Publish sends by default"`
	// ReplyExchange is LocalOptions.ReplyExchange.
	ReplyExchange string `ini:"reply_exchange" doc:"where replies are published"`
}

// newLocalFromConfig makes the in-process broker of section sec. A bad
// value is an error naming file:line, section, key and the quoted value; a
// key the section does not know is logged as a WARNING (logger asab.mom)
// naming its file:line and the known keys.
func newLocalFromConfig(cfg *config.Config, sec string) (*LocalBroker, error) {
	var set LocalSettings
	if err := config.Decode(cfg, sec, &set); err != nil {
		return nil, fmt.Errorf("mom: %w", err)
	}
	unknown, err := config.Unknown(cfg, sec, &set)
	if err != nil {
		return nil, fmt.Errorf("mom: %w", err)
	}
	for _, u := range unknown {
		logging.Get("asab.mom").Warning().Msg(u.String())
	}
	return NewLocalBroker(LocalOptions{Prefetch: set.PrefetchCount, RequestTimeout: set.RequestTimeout,
		ReplyExchange: set.ReplyExchange, Exchange: set.Exchange}), nil
}

// AddBroker adds a broker made by the application under a unique name; the
// service closes it at exit-time like the configured ones.
func (s *Service) AddBroker(name string, b Broker) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.brokers[name]; dup {
		return fmt.Errorf("mom: a broker named %q already exists", name)
	}
	s.brokers[name] = b
	s.order = append(s.order, name)
	return nil
}

// Broker returns the broker with the given name; "" is the default broker
// (the configured AMQP one, else the in-process one).
func (s *Service) Broker(name string) (Broker, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		name = s.fallback
	}
	b, ok := s.brokers[name]
	if !ok {
		return nil, fmt.Errorf("mom: no broker named %q (have %s)", name, strings.Join(s.order, ", "))
	}
	return b, nil
}

// Default returns the default broker (see Broker).
func (s *Service) Default() Broker {
	b, _ := s.Broker("")
	return b
}

// Names returns the broker names in the order they were made.
func (s *Service) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.order)
}

// Initialize gives the tracing service (TracingServiceName), when the
// application has one that records spans, to the brokers that implement
// Traced, and starts the brokers that implement Starter.
func (s *Service) Initialize(ctx context.Context) error {
	tr := s.tracer()
	for _, name := range s.Names() {
		b, _ := s.Broker(name)
		if tb, ok := b.(Traced); ok && tr != nil {
			tb.SetTracer(tr)
		}
		if st, ok := b.(Starter); ok {
			if err := st.Start(ctx); err != nil {
				return fmt.Errorf("mom: start broker %q: %w", name, err)
			}
		}
	}
	return nil
}

// tracer returns the application's tracing service as a Tracer, nil when
// there is none or it records nothing (exporter = none).
func (s *Service) tracer() Tracer {
	v, ok := s.lookup(TracingServiceName)
	if !ok {
		return nil
	}
	tr, ok := v.(Tracer)
	if !ok {
		return nil
	}
	if e, ok := v.(interface{ Enabled() bool }); ok && !e.Enabled() {
		return nil
	}
	return tr
}

// Finalize closes every broker, in reverse order, concurrently bounded by
// ctx (the application's shutdown deadline): each stops consuming, lets its
// in-flight handlers finish, and requeues what did not.
func (s *Service) Finalize(ctx context.Context) error {
	// Cut handlers off a little before the application's deadline, so that
	// their messages are requeued before the application gives up on us.
	if d, ok := ctx.Deadline(); ok {
		margin := min(time.Until(d)/10, 500*time.Millisecond)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-margin))
		defer cancel()
	}
	names := s.Names()
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range slices.Backward(names) {
		b, _ := s.Broker(name)
		wg.Go(func() {
			if err := b.Close(ctx); err != nil {
				errs[i] = fmt.Errorf("broker %q: %w", name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
