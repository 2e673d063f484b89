package app

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
)

// ExitSoftware is the exit code of an emergency exit (EX_SOFTWARE), taken at
// the third stop request.
const ExitSoftware = 70

// Stop asks the application to stop gracefully. See StopWithCode.
func (a *Application) Stop() { a.requestStop(-1) }

// StopWithCode sets the exit code (as SetExitCode without force) and asks
// the application to stop. Each request publishes Application.stop! with the
// number of requests so far. The first cancels Main's context and ends
// run-time; the second logs a warning naming what is still running; the third
// exits the process at once with code 70.
func (a *Application) StopWithCode(code int) { a.requestStop(code) }

func (a *Application) requestStop(code int) {
	n := a.countStop(code, stopAsked)
	if n >= 3 {
		a.emergencyExit(n)
	}
	a.announceStop(n)
}

// stopKind says who asked for a stop.
type stopKind int

const (
	stopAsked    stopKind = iota // Stop, StopWithCode, Restart: announced
	stopBySignal                 // SIGINT, SIGTERM: announced; ends a restart under way
	stopFailed                   // a start-up failure: not announced
)

// countStop records a stop request and, at the first, ends run-time. A
// request of kind stopFailed is not announced (announceStop), so a first
// one lets exit-time go on at once. A stop signal during a restart turns
// the restart into a stop: the operator or the service manager asked for
// the process to end, not for a new image (a program's own Stop, such as a
// deferred one in Main, leaves the restart as it is).
func (a *Application) countStop(code int, kind stopKind) int {
	a.mu.Lock()
	if code >= 0 && !a.restart && code > a.exitCode {
		a.exitCode = code
	}
	cancelled := kind == stopBySignal && a.restart
	if cancelled {
		a.restart = false
	}
	a.stopCount++
	n := a.stopCount
	a.mu.Unlock()
	if cancelled {
		a.log.Notice().Msg("Stop requested during a restart; the application exits instead of restarting")
	}
	if n == 1 {
		if kind == stopFailed {
			close(a.stopAnnounced)
		}
		a.phase.CompareAndSwap(int32(PhaseRunning), int32(PhaseStopping))
		a.cancel()
	}
	return n
}

// announceStop publishes Application.stop! and, from the second request on,
// warns about what keeps the application from exiting.
func (a *Application) announceStop(n int) {
	if n == 2 {
		a.log.Warning().Str("still_running", a.stillRunning()).Msg("Stop requested again; waiting for what is still running (a third request exits at once)")
	}
	a.ps.Publish(pubsub.Stop, n)
	if n == 1 {
		close(a.stopAnnounced)
	}
}

// stillRunning names the background tasks and the exit-time step in progress.
func (a *Application) stillRunning() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var names []string
	for name, n := range a.tasks {
		if n > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if a.busy != "" {
		names = append(names, a.busy)
	}
	if len(names) == 0 {
		return "nothing (exit-time is finishing)"
	}
	return strings.Join(names, ", ")
}

// emergencyPublishWait bounds how long the emergency exit waits for the
// subscribers of its Application.stop! before the process exits anyway;
// with exitFlushTimeout it keeps the exit within 100 ms of the third
// request.
const emergencyPublishWait = 50 * time.Millisecond

// emergencyExit is the one place Run's process exits by itself at the third
// stop request. Like every stop it publishes Application.stop! with the
// request count n first, but a subscriber that does not return within
// emergencyPublishWait cannot hold it.
func (a *Application) emergencyExit(n int) {
	a.log.Critical().Str("still_running", a.stillRunning()).Msg("Emergency exit")
	published := make(chan struct{})
	go func() {
		defer close(published)
		a.ps.Publish(pubsub.Stop, n)
	}()
	select {
	case <-published:
	case <-time.After(emergencyPublishWait):
	}
	a.exitNow(ExitSoftware)
}

// exitFlushTimeout is how long an exit without shutdown gives the logging
// queues, so that its last line is seen unless an output is stalled.
const exitFlushTimeout = 40 * time.Millisecond

// exitNow closes logging within exitFlushTimeout and exits with code; a
// logging failure goes unreported (stderr may be what is stalled).
func (a *Application) exitNow(code int) {
	_ = a.closePipeline(exitFlushTimeout)
	os.Exit(code)
}

// SetExitCode sets the code Run returns. Without force the larger of the
// current and the new code wins; with force the new code is set. A restart
// request outranks every exit code: once Restart was called, SetExitCode has
// no effect.
func (a *Application) SetExitCode(code int, force bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.restart {
		return
	}
	if force || code > a.exitCode {
		a.exitCode = code
	}
}

// ExitCode returns the exit code Run will return, and whether a restart was
// requested instead.
func (a *Application) ExitCode() (code int, restart bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.exitCode, a.restart
}

// Restart stops the application gracefully and then re-executes the same
// binary with the same arguments and environment (SIGUSR2 does the same).
// The listening sockets made through Listen stay open across the exec and
// the new image takes them over, so connections that arrive meanwhile wait
// in the kernel's backlog instead of being refused.
//
// A restart requested while the application already stops or restarts
// does nothing more: the restart under way serves a request made during
// it, and a stop stays a stop. SIGINT or SIGTERM during a restart turns it
// into a stop.
//
// A restart is refused, with an ERROR, and the application keeps running
// when the binary cannot be executed (deleted from its path, its mode
// changed), rather than stopping for an exec that would fail.
func (a *Application) Restart() {
	_, exeErr := executable()
	a.mu.Lock()
	stopping, restarting := a.stopCount > 0, a.restart
	if !stopping && exeErr == nil {
		a.restart = true
	}
	a.mu.Unlock()
	switch {
	case restarting:
		a.log.Notice().Msg("Restart requested again; the restart under way goes on")
		return
	case stopping:
		a.log.Notice().Msg("Restart requested while the application stops; ignored")
		return
	case exeErr != nil:
		a.log.Error().Err(exeErr).Msg("Restart refused; the application keeps running")
		return
	}
	a.socks.prepareRestart()
	a.Stop()
}

// executable returns the binary a restart executes (the path it was
// started from; a binary replaced there is the new one), or why it cannot
// be executed.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the binary to execute: %w", err)
	}
	if err := unix.Access(exe, unix.X_OK); err != nil {
		return "", fmt.Errorf("the binary %s cannot be executed: %w", exe, err)
	}
	return exe, nil
}

// handleSignals turns SIGINT and SIGTERM into stop requests and SIGHUP into
// a log reopen, Application.hup! and a configuration reload, until done is
// closed.
func (a *Application) handleSignals(done <-chan struct{}) func() {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case sig := <-ch:
				if sig == syscall.SIGHUP {
					a.hangup()
					continue
				}
				a.log.Notice().Str("signal", sig.String()).Msg("Signal received, stopping")
				// The count and the emergency exit happen here, so a
				// subscriber that hangs in stop! cannot swallow later signals.
				n := a.countStop(-1, stopBySignal)
				if n >= 3 {
					a.emergencyExit(n)
				}
				go a.announceStop(n)
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		<-finished
	}
}

// hangup reopens log files, publishes Application.hup! and starts a
// reload of the configuration (Reload).
func (a *Application) hangup() {
	a.mu.Lock()
	p := a.pipeline
	a.mu.Unlock()
	if p != nil {
		if err := p.Reopen(); err != nil {
			a.log.Error().Err(err).Msg("Reopening log files failed")
		}
	}
	a.ps.Publish(pubsub.Hup)
	a.reloadOnHangup()
}

// subscriberFailed logs a PubSub subscriber's error or panic.
func (a *Application) subscriberFailed(msgType string, err error) {
	logging.Get("asab.pubsub").Error().Str("message", msgType).Err(err).Msg("Subscriber failed")
}
