package app

import (
	"context"
	"flag"
	"fmt"
	"reflect"
)

// Option configures an Application in New.
type Option func(*settings)

// settings is what the options fill in before New builds the application.
type settings struct {
	name        string
	version     string
	description string
	args        []string
	argsSet     bool
	flags       []func(*flag.FlagSet)
	defaults    []map[string]map[string]any
	configText  *string
	initialize  func(ctx context.Context, a *Application) error
	main        func(ctx context.Context, a *Application) error
	finalize    func(ctx context.Context, a *Application) error
	withModules []ModuleFactory // added at the end of New
	// optionErrs are mistakes found while applying the options; New
	// reports the first as a start-up error.
	optionErrs []error
}

// WithName sets the application name, used in logs, the usage text, syslog
// and the default pidfile. It defaults to the executable's base name.
func WithName(name string) Option { return func(s *settings) { s.name = name } }

// WithVersion sets the text --version prints.
func WithVersion(version string) Option { return func(s *settings) { s.version = version } }

// WithDescription sets the text shown above the flags in --help.
func WithDescription(text string) Option { return func(s *settings) { s.description = text } }

// WithArgs sets the command-line arguments to parse instead of os.Args[1:].
func WithArgs(args ...string) Option {
	return func(s *settings) { s.args, s.argsSet = args, true }
}

// WithFlags lets the application add its own flags to the command line
// before it is parsed. The values are set by the time New returns.
func WithFlags(add func(fs *flag.FlagSet)) Option {
	return func(s *settings) { s.flags = append(s.flags, add) }
}

// WithDefaults adds default configuration sections; they fill only keys that
// no configuration file sets (ASAB's Config.add_defaults).
func WithDefaults(d map[string]map[string]any) Option {
	return func(s *settings) { s.defaults = append(s.defaults, d) }
}

// WithConfigString loads configuration from text instead of a file, as if it
// were the main configuration file (for tests and embedded configurations).
// A -c flag or ASAB_CONFIG still loads its file on top of it.
func WithConfigString(text string) Option { return func(s *settings) { s.configText = &text } }

// WithInitialize sets the user hook run at init-time, after
// Application.init! and before modules and services are initialized. An error
// aborts start-up with exit code 1.
func WithInitialize(fn func(ctx context.Context, a *Application) error) Option {
	return func(s *settings) { s.initialize = fn }
}

// WithMain sets the user hook run at run-time. Its context is cancelled at the
// first stop. Returning nil leaves the application running until it is
// stopped; returning an error logs it and stops with exit code 1.
func WithMain(fn func(ctx context.Context, a *Application) error) Option {
	return func(s *settings) { s.main = fn }
}

// WithFinalize sets the user hook run at exit-time, after Application.exit!
// and before services and modules are finalized. Its context carries the
// shutdown deadline.
func WithFinalize(fn func(ctx context.Context, a *Application) error) Option {
	return func(s *settings) { s.finalize = fn }
}

// WithHooks takes the user hooks from an object's methods, in the manner of
// subclassing ASAB's Application: any of
//
//	Initialize(ctx context.Context, a *app.Application) error
//	Main(ctx context.Context, a *app.Application) error
//	Finalize(ctx context.Context, a *app.Application) error
//
// that the object has are used. A method of one of those names with another
// signature, or one that only a pointer to the value passed has, is a
// start-up error naming the method and what it should be (Run returns 1),
// not a hook that is silently left out.
func WithHooks(obj any) Option {
	return func(s *settings) {
		for _, h := range []struct {
			name string
			set  *func(ctx context.Context, a *Application) error
		}{{"Initialize", &s.initialize}, {"Main", &s.main}, {"Finalize", &s.finalize}} {
			fn, err := hookMethod(obj, h.name)
			if err != nil {
				s.optionErrs = append(s.optionErrs, err)
				continue
			}
			if fn != nil {
				*h.set = fn
			}
		}
	}
}

// hookType is the signature of every user hook.
var hookType = reflect.TypeFor[func(context.Context, *Application) error]()

// hookMethod returns obj's method name as a hook, nil when obj has no
// exported method of that name, and an error when it has one of another
// signature.
func hookMethod(obj any, name string) (func(context.Context, *Application) error, error) {
	if obj == nil {
		return nil, nil
	}
	v := reflect.ValueOf(obj)
	m := v.MethodByName(name)
	if !m.IsValid() {
		if v.Kind() != reflect.Pointer {
			if _, ok := reflect.PointerTo(v.Type()).MethodByName(name); ok {
				return nil, fmt.Errorf("WithHooks(%T): method %s has a pointer receiver, so the value passed has no such method; pass a pointer (&value)", obj, name)
			}
		}
		return nil, nil
	}
	if m.Type() != hookType {
		return nil, fmt.Errorf("WithHooks(%T): method %s has the signature %s; a hook must be %s(ctx context.Context, a *app.Application) error",
			obj, name, m.Type(), name)
	}
	return m.Interface().(func(context.Context, *Application) error), nil
}
