package asabtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
)

// StartTimeout bounds how long Start waits for the application to be
// ready, and ExitTimeout how long Stop and Wait wait for it to end, and the
// waits of WaitPhase and Inbox.Wait.
const (
	StartTimeout = 10 * time.Second
	ExitTimeout  = 15 * time.Second
)

// App is an application under test, made by New.
type App struct {
	// Application is the application itself: its Config, PubSub and the
	// rest of its API are the real ones.
	Application *app.Application

	t       testing.TB
	code    chan int
	mu      sync.Mutex
	started bool
	exited  bool
	exit    int
}

// New creates an application named "asabtest" with no command-line
// arguments and config as its configuration text, then opts (which may
// override those: app.WithName, app.WithArgs, app.WithMain ...). It does not
// run until Start, StartUntil or RunToExit. The test's cleanup stops it, or
// releases it if it never ran.
func New(t testing.TB, config string, opts ...app.Option) *App {
	t.Helper()
	all := append([]app.Option{app.WithName("asabtest"), app.WithArgs(), app.WithConfigString(config)}, opts...)
	ta := &App{Application: app.New(all...), t: t, code: make(chan int, 1)}
	t.Cleanup(ta.cleanup)
	return ta
}

// Start is New followed by AddModule for each factory and Start.
func Start(t testing.TB, config string, modules ...app.ModuleFactory) *App {
	t.Helper()
	return New(t, config).AddModule(modules...).Start()
}

// AddModule adds modules as Application.AddModule does; an error fails the
// test. It returns ta, so calls chain.
func (ta *App) AddModule(factories ...app.ModuleFactory) *App {
	ta.t.Helper()
	if err := ta.Application.AddModule(factories...); err != nil {
		ta.t.Fatalf("asabtest: %v", err)
	}
	return ta
}

// Start runs the application on a goroutine and returns once it has
// published Application.run! (init-time is over, every module and service
// initialized). The test fails if the application ends first or is not
// ready within StartTimeout.
func (ta *App) Start() *App {
	ta.t.Helper()
	return ta.StartUntil(pubsub.Run, nil)
}

// StartUntil runs the application on a goroutine and returns once a message
// of type msgType is published for which ready (nil: any message) returns
// true. ready is called on the publisher's goroutine. The test fails if the
// application ends first or is not ready within StartTimeout.
func (ta *App) StartUntil(msgType string, ready func(pubsub.Message) bool) *App {
	ta.t.Helper()
	readyCh := make(chan struct{})
	var once sync.Once
	sub := ta.Application.PubSub().Subscribe(msgType, func(m pubsub.Message) error {
		if ready == nil || ready(m) {
			once.Do(func() { close(readyCh) })
		}
		return nil
	})
	defer sub.Unsubscribe()
	timeout := time.NewTimer(StartTimeout)
	defer timeout.Stop()
	ta.run()
	select {
	case <-readyCh:
	case code := <-ta.code:
		ta.setExit(code)
		select {
		case <-readyCh: // ready, then ended at once
			return ta
		default:
		}
		ta.t.Fatalf("asabtest: the application ended with exit code %d before %s (start-up error: %v)", code, msgType, ta.Application.Err())
	case <-timeout.C:
		ta.t.Fatalf("asabtest: no %s within %s", msgType, StartTimeout)
	}
	return ta
}

// RunToExit runs the application until it ends by itself (a Main that
// stops it, a start-up failure) and returns its exit code; the test fails if
// it does not end within ExitTimeout.
func (ta *App) RunToExit() int {
	ta.t.Helper()
	ta.run()
	return ta.Wait()
}

// run starts Run on a goroutine, once.
func (ta *App) run() {
	ta.t.Helper()
	ta.mu.Lock()
	already := ta.started
	ta.started = true
	ta.mu.Unlock()
	if already {
		ta.t.Fatal("asabtest: the application was already run")
	}
	go func() { ta.code <- ta.Application.Run() }()
}

// Stop asks the application to stop, waits for it to end and returns its
// exit code. Calling it again returns the same code.
func (ta *App) Stop() int {
	ta.t.Helper()
	if started, exited, _ := ta.state(); started && !exited {
		ta.Application.Stop()
	}
	return ta.Wait()
}

// Wait waits for the application to end by itself (or after a stop made
// elsewhere) and returns its exit code. The test fails if it does not end
// within ExitTimeout.
func (ta *App) Wait() int {
	ta.t.Helper()
	started, exited, code := ta.state()
	if !started {
		ta.t.Fatal("asabtest: Wait on an application that was never run")
	}
	if exited {
		return code
	}
	timeout := time.NewTimer(ExitTimeout)
	defer timeout.Stop()
	select {
	case code = <-ta.code:
		ta.setExit(code)
	case <-timeout.C:
		ta.t.Fatalf("asabtest: the application did not exit within %s (phase %s)", ExitTimeout, ta.Application.Phase())
	}
	return code
}

// WaitPhase waits until the application has reached phase p (or a later
// one) and fails the test if ctx is done first or it takes longer than
// StartTimeout.
func (ta *App) WaitPhase(ctx context.Context, p app.Phase) {
	ta.t.Helper()
	timeout := time.NewTimer(StartTimeout)
	defer timeout.Stop()
	poll := time.NewTicker(2 * time.Millisecond)
	defer poll.Stop()
	for ta.Application.Phase() < p {
		select {
		case <-poll.C:
		case <-ctx.Done():
			ta.t.Fatalf("asabtest: the application is %s, not yet %s, at %v", ta.Application.Phase(), p, context.Cause(ctx))
			return
		case <-timeout.C:
			ta.t.Fatalf("asabtest: the application is %s after %s, not yet %s", ta.Application.Phase(), StartTimeout, p)
			return
		}
	}
}

func (ta *App) state() (started, exited bool, code int) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.started, ta.exited, ta.exit
}

func (ta *App) setExit(code int) {
	ta.mu.Lock()
	ta.exited, ta.exit = true, code
	ta.mu.Unlock()
}

// cleanup releases an application that never ran and stops one still
// running, so the next test can create its own.
func (ta *App) cleanup() {
	started, exited, _ := ta.state()
	if !started {
		ta.Application.Release()
		return
	}
	if !exited {
		ta.Stop()
	}
}
