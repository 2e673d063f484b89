package app

import "os"

// WithModules adds modules at the end of New, after the configuration is
// loaded, as AddModule would: New(WithModules(web.Module, mymod.Module)) is
// New followed by AddModule(web.Module, mymod.Module). A factory's error
// makes Run print it and return 1 (Err reports it before).
func WithModules(factories ...ModuleFactory) Option {
	return func(s *settings) { s.withModules = append(s.withModules, factories...) }
}

// Main is the whole main function of most programs: it creates the
// application with opts, runs it and exits the process with Run's code, as
// Python ASAB's app.run() does.
//
//	func main() { app.Main(app.WithName("myapp"), app.WithModules(web.Module, mymod.Module)) }
func Main(opts ...Option) { os.Exit(New(opts...).Run()) }
