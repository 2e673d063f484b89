// Package module defines the optional interfaces through which modules and
// services take part in an application's lifecycle.
//
// A module or a service is any Go value. It joins the lifecycle by
// implementing some of the small interfaces below, in the manner of Caddy's
// optional interfaces: nothing has to embed a base type, and a value that
// needs no set-up implements none of them.
//
//   - [Initializer]: called at init-time, in registration order (services also
//     after the services they depend on). An error aborts start-up.
//   - [Runner]: started at run-time as a background task of the application;
//     its context is cancelled when the application stops.
//   - [Finalizer]: called at exit-time, in reverse order, with a context that
//     carries the application's shutdown deadline.
//   - [Dependent]: a service that names the services it needs; it is
//     initialized after them and finalized before them.
//   - [ConfigValidator]: checks a re-read configuration before a live
//     reconfiguration (SIGHUP) swaps it in; one refusal cancels the reload.
//   - [Reloader]: applies a new configuration at run-time, after the swap.
//
// A method with a slightly wrong signature does not implement the
// interface and is left out without a word, so state the intent with an
// interface guard, which the compiler checks:
//
//	var _ module.Initializer = (*Counter)(nil)
//
// docs/architecture.md describes the lifecycle and the module convention.
package module

import (
	"context"

	"github.com/asabgo/asab/config"
)

// Initializer is implemented by a module or service that needs to set itself
// up at init-time. The context is cancelled if the application is stopped
// while it initializes.
type Initializer interface {
	// Initialize sets the value up; a non-nil error aborts start-up.
	Initialize(ctx context.Context) error
}

// Finalizer is implemented by a module or service that releases resources at
// exit-time. The context carries the application's shutdown deadline
// ([general] shutdown_timeout); a Finalize that overruns it is reported by
// name and abandoned.
type Finalizer interface {
	// Finalize releases the value's resources and should return before
	// ctx's deadline; an error is logged and does not change the exit code.
	Finalize(ctx context.Context) error
}

// Runner is implemented by a module or service that does work for the whole
// run-time (serving requests, consuming a queue). Run is started once the
// application enters run-time and should return soon after ctx is cancelled,
// which happens at the first stop. A non-nil error (other than ctx's own)
// stops the application with exit code 1.
type Runner interface {
	// Run does the value's run-time work and returns once ctx is cancelled
	// (or earlier, when the work is done or fails).
	Run(ctx context.Context) error
}

// Dependent is implemented by a service that needs other services to be
// initialized before it. The names are service names as registered.
type Dependent interface {
	// DependsOn returns the names of the services that must be initialized
	// before this one; each must be registered.
	DependsOn() []string
}

// ConfigValidator is implemented by a module or service that checks a new
// configuration before a live reconfiguration applies it. On SIGHUP (or
// Application.Reload) the application re-reads the configuration into a new
// Config and asks every ConfigValidator, in registration order, about it
// while the old configuration is still in force. If any of them returns an
// error, the reload changes nothing: the error is logged and the application
// keeps running on the old configuration.
//
// ValidateConfig reads its settings from cfg (not from the application's
// Config, which still holds the old values), changes nothing and returns
// soon: it is the place to refuse a value, not to apply it. The error
// should name the section, the key and the offending value.
type ConfigValidator interface {
	// ValidateConfig returns an error when cfg holds a setting the value
	// cannot run with; nil accepts it.
	ValidateConfig(cfg *config.Config) error
}

// Reloader is implemented by a module or service that applies a new
// configuration at run-time. After every ConfigValidator accepted the new
// configuration and it replaced the old one (the application's Config now
// returns the new values), Reload is called on each Reloader in
// registration order, with the application's Config and the names of the
// sections whose keys or values changed (possibly none: a reload also
// serves to re-read files a setting names, such as certificates). ctx
// carries the reload deadline ([general] reload_timeout, 30 s by default).
//
// An error from Reload is logged as an ERROR naming the value; it cannot
// undo the swap or what other Reloaders applied, so a Reloader should refuse
// bad values in ValidateConfig and apply here only what it has accepted.
type Reloader interface {
	// Reload applies what it can of cfg at run-time; changed lists the
	// sections that differ from the previous configuration.
	Reload(ctx context.Context, cfg *config.Config, changed []string) error
}

// Interface guards: the adapters below satisfy the interfaces they adapt.
var (
	_ Initializer = InitializeFunc(nil)
	_ Finalizer   = FinalizeFunc(nil)
	_ Runner      = RunFunc(nil)
)

// InitializeFunc adapts a plain function to [Initializer].
type InitializeFunc func(ctx context.Context) error

// Initialize calls f(ctx).
func (f InitializeFunc) Initialize(ctx context.Context) error { return f(ctx) }

// FinalizeFunc adapts a plain function to [Finalizer].
type FinalizeFunc func(ctx context.Context) error

// Finalize calls f(ctx).
func (f FinalizeFunc) Finalize(ctx context.Context) error { return f(ctx) }

// RunFunc adapts a plain function to [Runner].
type RunFunc func(ctx context.Context) error

// Run calls f(ctx).
func (f RunFunc) Run(ctx context.Context) error { return f(ctx) }
