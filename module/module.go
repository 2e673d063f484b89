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
//
// A method with a slightly wrong signature does not implement the
// interface and is left out without a word, so state the intent with an
// interface guard, which the compiler checks:
//
//	var _ module.Initializer = (*Counter)(nil)
//
// docs/architecture.md describes the lifecycle and the module convention.
package module

import "context"

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
