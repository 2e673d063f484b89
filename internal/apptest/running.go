package apptest

import (
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
)

// StartTimeout bounds how long Run waits for the application to be ready,
// and ExitTimeout how long Stop and Wait wait for it to end.
const (
	StartTimeout = 10 * time.Second
	ExitTimeout  = 15 * time.Second
)

// Running is an application made by New for a test.
type Running struct {
	// App is the application.
	App *app.Application

	t       testing.TB
	code    chan int
	started bool
	exited  bool
	exit    int
}

// New creates an application named "apptest" with no command-line
// arguments and config as its configuration text, then opts (which may
// override those), and adds modules in order. A module that cannot be added
// fails the test. The application does not run until Run or RunUntil.
func New(t testing.TB, config string, opts []app.Option, modules ...app.ModuleFactory) *Running {
	t.Helper()
	all := append([]app.Option{app.WithName("apptest"), app.WithArgs(), app.WithConfigString(config)}, opts...)
	r := &Running{App: app.New(all...), t: t, code: make(chan int, 1)}
	t.Cleanup(r.cleanup)
	for _, m := range modules {
		if err := r.App.AddModule(m); err != nil {
			t.Fatalf("apptest: %v", err)
		}
	}
	return r
}

// Start is New without options, followed by Run.
func Start(t testing.TB, config string, modules ...app.ModuleFactory) *Running {
	t.Helper()
	return New(t, config, nil, modules...).Run()
}

// Run runs the application in a goroutine and returns once it has
// published Application.run! (init-time is over, every module initialized).
func (r *Running) Run() *Running {
	r.t.Helper()
	return r.RunUntil(pubsub.Run, nil)
}

// RunUntil runs the application in a goroutine and returns once a message
// of type topic is published for which ready (nil: any message) returns
// true. ready is called on the publisher's goroutine. The test fails if the
// application ends first or is not ready within StartTimeout.
func (r *Running) RunUntil(topic string, ready func(pubsub.Message) bool) *Running {
	r.t.Helper()
	if r.started {
		r.t.Fatal("apptest: the application was already run")
	}
	r.started = true
	readyCh := make(chan struct{})
	var once sync.Once
	r.App.PubSub().Subscribe(topic, func(m pubsub.Message) error {
		if ready == nil || ready(m) {
			once.Do(func() { close(readyCh) })
		}
		return nil
	})
	go func() { r.code <- r.App.Run() }()
	select {
	case <-readyCh:
	case code := <-r.code:
		r.exited, r.exit = true, code
		select {
		case <-readyCh: // ready, then ended at once
			return r
		default:
		}
		r.t.Fatalf("apptest: the application ended with exit code %d before %s (start-up error: %v)", code, topic, r.App.Err())
	case <-time.After(StartTimeout):
		r.t.Fatalf("apptest: no %s within %s", topic, StartTimeout)
	}
	return r
}

// RunToExit runs the application until it ends by itself (a Main that
// stops it, or a start-up failure) and returns its exit code; the test
// fails if it does not end within ExitTimeout.
func (r *Running) RunToExit() int {
	r.t.Helper()
	if r.started {
		r.t.Fatal("apptest: the application was already run")
	}
	r.started = true
	go func() { r.code <- r.App.Run() }()
	return r.Wait()
}

// Stop asks the application to stop, waits for it to end and returns its
// exit code. Calling it again returns the same code.
func (r *Running) Stop() int {
	r.t.Helper()
	if r.started && !r.exited {
		r.App.Stop()
	}
	return r.Wait()
}

// Wait waits for the application to end by itself (or after a Stop made
// elsewhere) and returns its exit code. The test fails if it does not end
// within ExitTimeout.
func (r *Running) Wait() int {
	r.t.Helper()
	if !r.started {
		r.t.Fatal("apptest: Wait on an application that was never run")
	}
	if r.exited {
		return r.exit
	}
	select {
	case r.exit = <-r.code:
		r.exited = true
	case <-time.After(ExitTimeout):
		r.t.Fatalf("apptest: the application did not exit within %s", ExitTimeout)
	}
	return r.exit
}

// cleanup releases an application that never ran and stops one still
// running, so the next test can create its own.
func (r *Running) cleanup() {
	if !r.started {
		r.App.Release()
		return
	}
	if !r.exited {
		r.Stop()
	}
}

// Service returns the service registered under name as a T, failing the
// test when there is none or it is another type.
func Service[T any](t testing.TB, a *app.Application, name string) T {
	t.Helper()
	s, err := app.GetService[T](a, name)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	return s
}
