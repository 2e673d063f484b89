package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/module"
	"github.com/asabgo/asab/pubsub"
)

// part is a module or service that passed init-time and is finalized at
// exit-time.
type part struct {
	kind  string // "module" or "service"
	name  string
	value any
}

// Run takes the application through init-time, run-time and exit-time and
// returns the exit code. It returns at once, with the recorded code, after a
// start-up error found by New or AddModule, or after --help or --version. Run
// releases the application as the current one before it returns.
func (a *Application) Run() int {
	if a.early {
		return 0
	}
	defer a.Release()
	if a.initErr != nil {
		return a.initCode
	}
	if !a.phase.CompareAndSwap(int32(PhaseCreated), int32(PhaseInitializing)) {
		fmt.Fprintf(a.stderr, "%s: Run called twice\n", a.name)
		return 1
	}
	if a.cmd.Kill {
		return a.killDaemon()
	}
	if a.cmd.Daemonize {
		if code, parent := a.daemonize(); parent {
			return code
		}
	}
	settings, err := a.readRunSettings()
	if err != nil {
		return a.abortRun(err)
	}
	pipeline, err := logging.Setup(a.cfg, logging.Options{
		Verbose: a.cmd.Verbose, LogFile: a.cmd.LogFile, Syslog: a.cmd.Syslog, AppName: a.name,
	})
	if err != nil {
		return a.abortRun(fmt.Errorf("set up logging: %w", err))
	}
	a.mu.Lock()
	a.pipeline = pipeline
	a.start = time.Now()
	a.mu.Unlock()
	for _, w := range a.cfg.Warnings() {
		a.log.Warning().Msg(w)
	}
	a.warnUnknownKeys()
	a.logConfigurationRead()

	signalsDone := make(chan struct{})
	stopSignals := a.handleSignals(signalsDone)
	stopHandover := a.startHandover()
	a.notifyServiceManager()

	parts, userInitialized := a.initialize()
	ticks := a.runTime(settings)
	a.exitTime(settings, parts, userInitialized, ticks)

	code, restart := a.ExitCode()
	a.phase.Store(int32(PhaseStopped))
	// Signals are still handled while logging flushes: a third stop
	// request exits at once even then.
	a.closeLogging(settings.shutdown)
	if restart {
		// Ignored from here across the exec (an ignored signal stays
		// ignored in the new image) until the new image handles them: a
		// SIGUSR2 or SIGHUP in between would kill the process, which is
		// their default action, before the new image listens.
		signal.Ignore(syscall.SIGUSR2, syscall.SIGHUP)
	}
	close(signalsDone)
	stopSignals()
	stopHandover()
	a.runEndHooks()
	if restart {
		return a.reexecute()
	}
	a.socks.release()
	return code
}

// abortRun ends a Run that failed before logging was set up: the error goes
// to stderr, the run-end hooks still run (a daemon's pidfile is removed) and
// the exit code is 1.
func (a *Application) abortRun(err error) int {
	fmt.Fprintf(a.stderr, "%s: %v\n", a.name, err)
	a.runEndHooks()
	return 1
}

// runSettings are the [general] values Run needs, validated up front so that
// a bad value stops start-up with a message naming it.
type runSettings struct {
	tick     time.Duration
	shutdown time.Duration
	watchdog time.Duration // 0 = off
}

func (a *Application) readRunSettings() (runSettings, error) {
	var s runSettings
	g, err := a.readGeneral()
	if err != nil {
		return s, err
	}
	if s.tick, err = a.positive(GeneralSection, "tick_period", g.TickPeriod); err != nil {
		return s, err
	}
	if s.shutdown, err = a.positive(GeneralSection, "shutdown_timeout", g.ShutdownTimeout); err != nil {
		return s, err
	}
	if g.WatchdogThreshold != "" {
		if s.watchdog, err = a.cfg.GetDuration(GeneralSection, "watchdog_threshold"); err != nil {
			return s, err
		}
	}
	return s, nil
}

// errBadSetting is an error about a setting whose value is not at hand;
// badSetting, which quotes the value, is preferred.
func errBadSetting(section, key, why string) error {
	return fmt.Errorf("configuration [%s] %s: %s", section, key, why)
}

// badSetting is an error about the value of [section] key, quoting it as
// the configuration gives it: `configuration [general] tick_period = "0":
// must be a positive duration`.
func (a *Application) badSetting(section, key, why string) error {
	v, err := a.cfg.Get(section, key)
	if err != nil {
		return errBadSetting(section, key, why)
	}
	return fmt.Errorf("configuration [%s] %s = %q: %s", section, key, v, why)
}

// initialize is init-time after logging: init!, the user hook, modules, then
// services. It returns what must be finalized and whether the user
// Initialize hook succeeded. A failure logs its cause by name, sets exit code
// 1 and cancels the application context, so run-time is skipped.
func (a *Application) initialize() (parts []part, userInitialized bool) {
	a.ps.Publish(pubsub.Init)
	fail := func(what string, err error) ([]part, bool) {
		a.log.Error().Err(err).Msg(what + " failed to initialize; aborting start-up")
		a.SetExitCode(1, false)
		a.countStop(-1, stopFailed)
		return parts, userInitialized
	}
	if a.settings.initialize != nil {
		if err := runTask(a.ctx, func(ctx context.Context) error { return a.settings.initialize(ctx, a) }); err != nil {
			return fail("The application's Initialize", err)
		}
	}
	userInitialized = true
	for i, m := range a.Modules() {
		name := a.moduleNames[i]
		if in, ok := m.(module.Initializer); ok {
			if err := runTask(a.ctx, in.Initialize); err != nil {
				return fail(fmt.Sprintf("Module %s", name), err)
			}
		}
		parts = append(parts, part{"module", name, m})
	}
	a.logModules()
	order, err := a.reg.Order()
	if err != nil {
		return fail("The service registry", err)
	}
	for _, name := range order {
		svc, _ := a.reg.Lookup(name)
		if in, ok := svc.(module.Initializer); ok {
			if err := runTask(a.ctx, in.Initialize); err != nil {
				return fail(fmt.Sprintf("Service %q", name), err)
			}
		}
		ev := a.log.Debug().Str("service", name).Str("type", fmt.Sprintf("%T", svc))
		if d, ok := svc.(module.Dependent); ok {
			ev = ev.Str("depends_on", strings.Join(d.DependsOn(), ", "))
		}
		ev.Msg("Service initialized")
		parts = append(parts, part{"service", name, svc})
	}
	if a.ctx.Err() == nil {
		a.log.Notice().Str("startup_time", time.Since(a.StartTime()).Round(time.Microsecond).String()).Msg("is ready.")
	}
	return parts, userInitialized
}

// logConfigurationRead logs, at DEBUG (shown with -v), where the
// configuration came from: the embedded text, the file given with -c or
// ASAB_CONFIG, and every file it included, with the file that included it.
func (a *Application) logConfigurationRead() {
	if a.configText != nil {
		a.log.Debug().Str("file", "<embedded configuration>").Msg("Configuration read")
	}
	files := a.cfg.Files()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	// The file the caller loaded first, then the includes in path order.
	sort.Slice(paths, func(i, j int) bool {
		ci, cj := files[paths[i]] == "the caller", files[paths[j]] == "the caller"
		if ci != cj {
			return ci
		}
		return paths[i] < paths[j]
	})
	for _, p := range paths {
		ev := a.log.Debug().Str("file", p)
		if by := files[p]; by != "the caller" {
			if abs, err := filepath.Abs(by); err == nil {
				by = abs
			}
			ev = ev.Str("included_by", by)
		}
		ev.Msg("Configuration file read")
	}
	if len(paths) == 0 && a.configText == nil {
		a.log.Debug().Msg("No configuration file read (no -c, no ASAB_CONFIG): defaults only")
	}
}

// logModules logs, at DEBUG (shown with -v), each module factory in the
// order it was added, with its module's type (if it returned one) and the
// services it registered.
func (a *Application) logModules() {
	a.mu.Lock()
	added := append([]addedModule(nil), a.added...)
	a.mu.Unlock()
	for _, m := range added {
		ev := a.log.Debug().Str("factory", m.factory).Str("services", strings.Join(m.services, ", "))
		if m.module != nil {
			ev = ev.Str("module", fmt.Sprintf("%T", m.module))
		}
		ev.Msg("Module initialized")
	}
}

// tickState is the tick loop (and watchdog) running during run-time.
type tickState struct {
	done     chan struct{}
	finished chan struct{}
}

// runTime publishes run!, starts Runners and Main and the tick loop, and
// waits for the first stop. Nothing starts when init-time failed or a stop
// came first.
func (a *Application) runTime(s runSettings) *tickState {
	t := &tickState{done: make(chan struct{}), finished: make(chan struct{})}
	if a.ctx.Err() != nil {
		close(t.finished)
		return t
	}
	a.phase.CompareAndSwap(int32(PhaseInitializing), int32(PhaseRunning))
	a.ps.Publish(pubsub.Run)
	for _, p := range a.runners() {
		r := p.value.(module.Runner)
		_ = a.Go(p.kind+" "+p.name, r.Run)
	}
	if a.settings.main != nil {
		_ = a.Go("Main", func(ctx context.Context) error { return a.settings.main(ctx, a) })
	}
	var lastTick atomic.Int64
	lastTick.Store(time.Now().UnixNano())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); a.tickLoop(t.done, s.tick, &lastTick) }()
	if s.watchdog > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); a.watchdog(t.done, s.watchdog, &lastTick) }()
	}
	go func() { wg.Wait(); close(t.finished) }()
	<-a.ctx.Done()
	close(t.done)
	return t
}

// runners lists the modules and services that implement module.Runner, in
// registration order.
func (a *Application) runners() []part {
	var out []part
	for i, m := range a.Modules() {
		if _, ok := m.(module.Runner); ok {
			out = append(out, part{"module", a.moduleNames[i], m})
		}
	}
	for _, name := range a.reg.Names() {
		svc, _ := a.reg.Lookup(name)
		if _, ok := svc.(module.Runner); ok {
			out = append(out, part{"service", name, svc})
		}
	}
	return out
}

// exitTime runs exit-time under one deadline: exit!, the user Finalize,
// background tasks, the tick loop, then services and modules in reverse.
func (a *Application) exitTime(s runSettings, parts []part, userInitialized bool, ticks *tickState) {
	a.phase.Store(int32(PhaseExiting))
	code, restart := a.ExitCode()
	ev := a.log.Notice().Int("exit_code", code)
	if restart {
		ev = ev.Bool("restart", true)
	}
	ev.Msg("is exiting ...")
	ctx, cancel := context.WithTimeout(context.Background(), s.shutdown)
	defer cancel()

	// The stop request that ended run-time is announced from the goroutine
	// that made it (Main, a task, the signal handler); its stop! goes out
	// before exit!, unless a subscriber holds it past the deadline.
	a.mu.Lock()
	stopped := a.stopCount > 0
	a.mu.Unlock()
	if stopped {
		select {
		case <-a.stopAnnounced:
		case <-ctx.Done():
		}
	}
	a.ps.Publish(pubsub.Exit)
	if userInitialized && a.settings.finalize != nil {
		a.step(ctx, "the application's Finalize", func(ctx context.Context) error { return a.settings.finalize(ctx, a) })
	}
	a.mu.Lock()
	a.tasksClosed = true
	a.mu.Unlock()
	a.await(ctx, "background tasks", func() { a.tasksWG.Wait() })
	a.await(ctx, "the tick loop (a tick subscriber is blocked)", func() { <-ticks.finished })
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if f, ok := p.value.(module.Finalizer); ok {
			a.step(ctx, p.kind+" "+p.name, f.Finalize)
		}
	}
	a.ps.Close()
}

// step runs one exit-time finalizer, reporting its error, and gives up on it
// by name when the shutdown deadline passes first.
func (a *Application) step(ctx context.Context, name string, fn func(ctx context.Context) error) {
	errc := make(chan error, 1)
	a.setBusy(name)
	defer a.setBusy("")
	go func() { errc <- runTask(ctx, fn) }()
	select {
	case err := <-errc:
		if err != nil {
			a.log.Error().Err(err).Str("what", name).Msg("Finalize failed")
		}
	case <-ctx.Done():
		a.log.Error().Str("what", name).Msg("Finalize did not finish within [general] shutdown_timeout; abandoned")
	}
}

// await waits for wait to return, or reports by name what did not finish
// by the shutdown deadline.
func (a *Application) await(ctx context.Context, name string, wait func()) {
	done := make(chan struct{})
	a.setBusy(name)
	defer a.setBusy("")
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		a.log.Error().Str("still_running", a.stillRunning()).Msg("Did not finish within [general] shutdown_timeout; abandoned")
	}
}

func (a *Application) setBusy(name string) {
	a.mu.Lock()
	a.busy = name
	a.mu.Unlock()
}

// closeLogging flushes and closes the logging pipeline, within timeout and
// the pipeline's own [logging] flush_timeout, whichever ends first, so the
// last lines of a short-lived application still arrive and a stalled
// output does not hold up the exit. A failure is printed on stderr, but
// waited for only briefly: stderr may be the stalled output.
func (a *Application) closeLogging(timeout time.Duration) {
	if err := a.closePipeline(timeout); err != nil {
		printed := make(chan struct{})
		go func() {
			fmt.Fprintf(a.stderr, "%s: closing logging: %v\n", a.name, err)
			close(printed)
		}()
		select {
		case <-printed:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// closePipeline closes the logging pipeline within timeout.
func (a *Application) closePipeline(timeout time.Duration) error {
	a.mu.Lock()
	p := a.pipeline
	a.pipeline = nil
	a.mu.Unlock()
	if p == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return p.Close(ctx)
}

// reexecute replaces the process with a fresh run of the same binary with
// the same arguments and environment, and the listening sockets handed over
// (see Listen). It returns only when that fails.
func (a *Application) reexecute() int {
	exe, err := executable()
	var env []string
	if err == nil {
		env, err = a.socks.handover()
	}
	if err == nil {
		if err = syscall.Exec(exe, os.Args, env); err != nil {
			err = fmt.Errorf("execute %s: %w", exe, err)
		}
	}
	// SIGUSR2 and SIGHUP stay ignored: Run ends here (a later Run handles
	// them again).
	a.socks.release()
	fmt.Fprintf(a.stderr, "%s: restart failed: %v\n", a.name, err)
	return 1
}

// onRunEnd registers fn to run when Run ends, after logging is closed.
func (a *Application) onRunEnd(fn func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.atRunEnd = append(a.atRunEnd, fn)
}

func (a *Application) runEndHooks() {
	a.mu.Lock()
	hooks := a.atRunEnd
	a.atRunEnd = nil
	a.mu.Unlock()
	for i := len(hooks) - 1; i >= 0; i-- {
		hooks[i]()
	}
}
