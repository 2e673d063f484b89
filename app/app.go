package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/registry"
)

// ModuleFactory creates a module for an application, as ASAB's
// add_module(ModuleClass) instantiates the class. The factory typically
// registers services; the module it returns, if any, may implement
// module.Initializer, module.Runner and module.Finalizer. A factory whose
// services do all the work returns a nil module: no placeholder type is
// needed.
type ModuleFactory func(a *Application) (any, error)

// Application is the one application object of a process. Create it with New.
type Application struct {
	settings
	cmd    *CommandLine
	cfg    *config.Config
	ps     *pubsub.PubSub
	reg    *registry.Registry
	log    *logging.Logger
	stderr io.Writer

	// initErr is a start-up error found in New or AddModule; Run reports it.
	initErr  error
	initCode int
	// early is set when New handled the command line completely (--help,
	// --version); Run then returns initCode without starting.
	early bool

	modules     []any
	moduleNames []string
	added       []addedModule

	ctx    context.Context // cancelled at the first stop
	cancel context.CancelFunc
	start  time.Time
	phase  atomic.Int32

	mu        sync.Mutex
	exitCode  int
	restart   bool
	stopCount int
	// stopAnnounced is closed once the first Application.stop! has been
	// delivered, so that exit-time publishes Application.exit! after it.
	stopAnnounced chan struct{}
	tasks         map[string]int // running background tasks by name
	tasksClosed   bool
	tasksWG       sync.WaitGroup
	busy          string // what exit-time is waiting for right now
	pipeline      *logging.Pipeline
	// atRunEnd runs, last registered first, when Run is about to return or
	// re-execute (the daemon's pidfile removal).
	atRunEnd []func()
	// reload is the live reconfiguration's state (reload.go).
	reload reloadState

	socks    sockets                     // listening sockets, kept across Restart
	liveness atomic.Pointer[func() bool] // the watchdog pings only while it holds
}

// current is the application New made current, until Run returns or Release.
var current atomic.Pointer[Application]

// Current returns the current application, or nil when there is none.
func Current() *Application { return current.Load() }

// Config returns the current application's configuration (ASAB's
// asab.Config), or nil when no application is current. Code that prefers
// injection uses Application.Config.
func Config() *config.Config {
	if a := current.Load(); a != nil {
		return a.cfg
	}
	return nil
}

// New creates the application, parses the command line and loads the
// configuration, and makes the application current. New does not fail: a
// problem (an unknown flag, a missing configuration file, a second live
// application) is recorded, printed to stderr, and makes Run return a
// non-zero exit code at once (2 for a command-line error, 1 otherwise), so a
// main function stays short. Err reports it for code that wants to look.
func New(opts ...Option) *Application { return newWithStderr(os.Stderr, opts...) }

// newWithStderr is New with start-up messages sent to stderr.
func newWithStderr(stderr io.Writer, opts ...Option) *Application {
	a := &Application{stderr: stderr, tasks: map[string]int{}, stopAnnounced: make(chan struct{})}
	for _, o := range opts {
		o(&a.settings)
	}
	if a.name == "" {
		a.name = filepath.Base(os.Args[0])
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.cfg = config.New()
	a.ps = pubsub.New(pubsub.WithErrorHandler(a.subscriberFailed))
	a.reg = registry.New()
	a.log = logging.Get("asab.application")
	a.phase.Store(int32(PhaseCreated))

	if len(a.optionErrs) > 0 {
		a.fail(1, a.optionErrs[0])
		return a
	}
	cmd, usage, err := parseCommandLine(&a.settings, a.stderr)
	if err != nil {
		a.fail(2, err)
		return a
	}
	a.cmd = cmd
	if cmd.Help || cmd.Version {
		if cmd.Version {
			fmt.Fprintf(os.Stdout, "%s %s\n", a.name, a.versionText())
		} else {
			usage(os.Stdout)
		}
		a.early = true
		return a
	}
	if !current.CompareAndSwap(nil, a) {
		a.fail(1, errors.New("another application is already current in this process; Release it or let its Run return first"))
		return a
	}
	if err := a.loadConfig(); err != nil {
		a.fail(1, err)
	}
	_ = a.AddModule(a.withModules...) // an error is kept for Run (see WithModules)
	return a
}

func (a *Application) versionText() string {
	if a.version == "" {
		return "(no version)"
	}
	return a.version
}

// loadConfig applies the defaults and reads the configuration into the
// application's Config; see loadConfigInto.
func (a *Application) loadConfig() error { return a.loadConfigInto(a.cfg) }

// loadConfigInto applies the defaults and reads the configuration into cfg:
// the embedded text, then the file from -c or ASAB_CONFIG. A live
// reconfiguration (Reload) reads the same sources with readConfigSources
// after the defaults of the running Config, modules' included.
func (a *Application) loadConfigInto(cfg *config.Config) error {
	cfg.AddDefaults(config.Defaults())
	for _, d := range a.defaults {
		cfg.AddDefaults(d)
	}
	return a.readConfigSources(cfg)
}

// readConfigSources reads the embedded text, then the file from -c or
// ASAB_CONFIG, into cfg.
func (a *Application) readConfigSources(cfg *config.Config) error {
	if a.configText != nil {
		if err := cfg.LoadString("<embedded configuration>", *a.configText); err != nil {
			return fmt.Errorf("load embedded configuration: %w", err)
		}
	}
	if a.cmd.Config != "" {
		if _, err := os.Stat(a.cmd.Config); err != nil {
			return fmt.Errorf("configuration file %q: %w", a.cmd.Config, err)
		}
		if err := cfg.LoadFile(a.cmd.Config); err != nil {
			return fmt.Errorf("load configuration: %w", err)
		}
	}
	return nil
}

// fail records a start-up error and prints it to stderr.
func (a *Application) fail(code int, err error) {
	if a.initErr != nil {
		return
	}
	a.initErr, a.initCode = err, code
	if !errors.Is(err, errUsage) {
		fmt.Fprintf(a.stderr, "%s: %v\n", a.name, err)
	}
}

// Err returns the start-up error New or AddModule recorded, if any.
func (a *Application) Err() error { return a.initErr }

// Release drops the application as the current one without running it.
// Run does this itself when it returns.
func (a *Application) Release() {
	current.CompareAndSwap(a, nil)
}

// Name returns the application name.
func (a *Application) Name() string { return a.name }

// Version returns the version set by WithVersion.
func (a *Application) Version() string { return a.version }

// CommandLine returns the parsed standard flags and the positional
// arguments. It is nil after a command-line error.
func (a *Application) CommandLine() *CommandLine { return a.cmd }

// Config returns the application's configuration.
func (a *Application) Config() *config.Config { return a.cfg }

// PubSub returns the application's publish/subscribe hub.
func (a *Application) PubSub() *pubsub.PubSub { return a.ps }

// Registry returns the application's low-level service registry, for code
// that walks every service; user code finds a service with [Service] or
// [ServiceNamed].
func (a *Application) Registry() *registry.Registry { return a.reg }

// Context returns a context that is cancelled at the application's first
// stop. Services use it for work that must end when the application stops.
func (a *Application) Context() context.Context { return a.ctx }

// StartTime returns when Run started, or the zero time before.
func (a *Application) StartTime() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.start
}

// ShutdownTimeout returns [general] shutdown_timeout (30 s when unset or
// invalid; an invalid value is reported when Run starts).
func (a *Application) ShutdownTimeout() time.Duration {
	g, err := a.readGeneral()
	if err != nil || g.ShutdownTimeout <= 0 {
		return 30 * time.Second
	}
	return g.ShutdownTimeout
}

// AddModule creates modules with their factories, in order, and adds them
// to the application: a.AddModule(web.Module, mom.Module, mymodule.Module).
// Modules are initialized in the order they are added and finalized in
// reverse. A factory's error stops the adding; it is returned, names the
// factory, and also makes Run fail with exit code 1.
func (a *Application) AddModule(factories ...ModuleFactory) error {
	for _, factory := range factories {
		if err := a.addModule(factory); err != nil {
			return err
		}
	}
	return nil
}

// addedModule is what one factory added: the module (nil when the factory
// returned none) and the services it registered, for the -v log.
type addedModule struct {
	factory  string
	module   any
	services []string
}

func (a *Application) addModule(factory ModuleFactory) error {
	if a.initErr != nil || a.early {
		return a.initErr
	}
	if Phase(a.phase.Load()) != PhaseCreated {
		return fmt.Errorf("add module: the application has already started")
	}
	if factory == nil {
		err := errors.New("add module: the factory is nil")
		a.fail(1, err)
		return err
	}
	name := factoryName(factory)
	before := a.reg.Len()
	m, err := factory(a)
	if err != nil {
		err = fmt.Errorf("add module %s: %w", name, err)
		a.fail(1, err)
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.added = append(a.added, addedModule{factory: name, module: m, services: a.reg.Names()[before:]})
	if m != nil {
		a.modules = append(a.modules, m)
		a.moduleNames = append(a.moduleNames, fmt.Sprintf("%T", m))
	}
	return nil
}

// factoryName is the factory's function name as Go reports it
// ("github.com/asabgo/asab/web.Module"), shortened to its package's last
// element ("web.Module").
func factoryName(f ModuleFactory) string {
	fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
	if fn == nil {
		return "(unknown factory)"
	}
	name := fn.Name()
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// Modules returns the modules in the order they were added; a factory that
// returned no module has none here.
func (a *Application) Modules() []any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]any(nil), a.modules...)
}

// RegisterService registers a service under a unique name. Services are
// registered by module factories or at init-time; they are initialized after
// the modules, in registration order (see registry.Registry.Order). Find a
// service again with [Service] (by type) or [ServiceNamed] (by name).
func (a *Application) RegisterService(name string, svc any) error {
	return a.reg.Register(name, svc)
}

// Services returns the registered service names in registration order.
func (a *Application) Services() []string { return a.reg.Names() }

// Service returns the one registered service of type T, such as
// app.Service[*web.Service](a). It is the way to reach a service when only
// one of its type is registered; when none or several are, the error names
// the type and the candidates, and [ServiceNamed] picks one by name. An
// interface T finds the one service that implements it.
func Service[T any](a *Application) (T, error) {
	return registry.ByType[T](a.reg)
}

// ServiceNamed returns the service registered under name as a T, or an error
// naming the service when it is missing or of another type. Use it when
// several services share a type (two sock servers, two web containers) or
// to follow ASAB's names.
func ServiceNamed[T any](a *Application, name string) (T, error) {
	return registry.Get[T](a.reg, name)
}
