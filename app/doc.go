// Package app is the application object of asab for Go: one per process,
// with ASAB's three phases.
//
// A program creates the application with [New], adds modules with
// [Application.AddModule] and calls [Application.Run], which returns the exit
// code:
//
//	func main() {
//		a := app.New(app.WithName("hello"), app.WithMain(func(ctx context.Context, a *app.Application) error {
//			fmt.Println("Hello world!")
//			a.Stop()
//			return nil
//		}))
//		os.Exit(a.Run())
//	}
//
// # Phases
//
// Init-time (inside New and the start of Run): the command line is parsed and
// the configuration loaded (New); then Run sets up logging, installs signal
// handlers, publishes Application.init!, calls the user Initialize hook,
// initializes modules in the order they were added and services in
// registration order (a service that depends on others comes after them),
// and logs "is ready.". An Initialize error aborts start-up: what was already
// initialized is finalized in reverse and Run returns 1.
//
// Run-time: Application.run! is published, services implementing
// [module.Runner] are started, the user Main hook runs with a context that is
// cancelled at the first stop, and Application.tick! (with the tick/N! series)
// is published every [general] tick_period until the application stops. If
// Main returns nil the application keeps running; if it returns an error the
// error is logged and the application stops with exit code 1.
//
// Exit-time: "is exiting" is logged with the exit code, Application.exit! is
// published, the user Finalize hook runs, background tasks are awaited, then
// services are finalized in reverse order and modules in reverse order. All of
// exit-time shares one deadline, [general] shutdown_timeout (30 s by default);
// whatever overruns it is named in the log and abandoned.
//
// # Stopping
//
// [Application.Stop], SIGINT and SIGTERM stop the application. Every stop
// request publishes Application.stop! with the number of requests so far; the
// second logs a warning naming what is still running, the third publishes its
// Application.stop! (waiting at most a second for the subscribers) and exits
// the process with code 70 (EX_SOFTWARE). SIGHUP reopens log files and
// publishes Application.hup!.
//
// # Modules and services
//
// A [ModuleFactory] registers services with [Application.RegisterService]
// and returns its module, or nil when the services do all the work. User
// code finds a service by its Go type with [Service], or by name with
// [ServiceNamed] when several share a type. Modules and services join the
// lifecycle through the interfaces of package module (Initializer, Runner,
// Finalizer, Dependent). [WithHooks] rejects an Initialize, Main or Finalize
// method of the wrong signature at start-up.
//
// # Exit code
//
// [Application.SetExitCode] keeps the larger code unless forced;
// [Application.Restart] stops the application and then re-executes the same
// binary with the same arguments, and outranks any exit code.
//
// # One application at a time
//
// New makes the application current ([Current], [Config]); a second
// application cannot be created while one is current. Run releases it when it
// returns, and [Application.Release] releases one that will never run, so
// tests can create, run and drop applications one after another; package
// asabtest does that for a test, with a cleanup.
//
// docs/app.md is the guide to this package and docs/architecture.md the
// project's layers, lifecycle and module convention.
package app
