// Package asabtest runs a real asab application inside a Go test, in the
// manner of fx's fxtest: the application is the one the program would run,
// with its real modules, services, configuration and logging, started on a
// goroutine of the test and stopped by the test's cleanup.
//
//	ta := asabtest.New(t, "[general]\ntick_period = 10ms\n").AddModule(NewModule).Start()
//	counter := asabtest.Service[*Counter](t, ta)
//	ta.Subscribe(pubsub.TickN(10)).Wait(t.Context(), nil)
//	if code := ta.Stop(); code != 0 { ... }
//
// [New] builds the application from configuration text (and app options),
// with no command-line arguments; [App.Start] runs it and returns once it
// has published Application.run!, so every module and service is
// initialized. [Service] and [ServiceNamed] get a service by type or name,
// [App.WaitPhase] waits for a phase, [App.Subscribe] collects the messages of
// one type for [Inbox.Wait], [Scrape] and [Gather] read Prometheus metrics,
// and [App.Stop] stops the application and returns its exit code.
//
// Every failure (an application that cannot be built, ends before it is
// ready, does not stop in time) fails the test with a message that says
// what happened. The cleanup registered by New stops an application the
// test left running, and releases one that never ran, so that the next test
// can create its own (only one application is current per process) and
// goleak.VerifyTestMain finds no goroutine of it left.
package asabtest
