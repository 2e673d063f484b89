package asabtest_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/pubsub"
)

// exampleT stands in for the *testing.T a real test has: an Example gets
// none. It runs the cleanups when the example calls done.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (e *exampleT) Helper()                   {}
func (e *exampleT) Cleanup(f func())          { e.cleanups = append(e.cleanups, f) }
func (e *exampleT) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (e *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (e *exampleT) Context() context.Context  { return context.Background() }
func (e *exampleT) done() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}

// Ticker is the service under test: it counts Application.tick! messages.
type Ticker struct{ ticks atomic.Int64 }

// Initialize subscribes the counter.
func (tk *Ticker) Initialize(context.Context) error {
	app.Current().PubSub().Subscribe(pubsub.Tick, func(pubsub.Message) error { tk.ticks.Add(1); return nil })
	return nil
}

// NewTickerModule registers the service and needs no module of its own.
func NewTickerModule(a *app.Application) (any, error) {
	return nil, a.RegisterService("example.Ticker", &Ticker{})
}

// A test starts the application from configuration text with its module,
// finds the service by type, waits for ticks and stops it; in a real test
// t is the test's *testing.T.
func Example() {
	t := &exampleT{}
	defer t.done()

	ta := asabtest.New(t, "[general]\ntick_period = 10ms\n[logging:console]\nenabled = false\n").
		AddModule(NewTickerModule)
	ticks := ta.Subscribe(pubsub.Tick)
	ta.Start()

	ticker := asabtest.Service[*Ticker](t, ta)
	for range 4 { // the service sees a tick after the inbox: one more
		ticks.Wait(t.Context(), nil)
	}
	fmt.Println("at least 3 ticks:", ticker.ticks.Load() >= 3)
	fmt.Println("exit code", ta.Stop())
	// Output:
	// at least 3 ticks: true
	// exit code 0
}

// RunToExit runs an application that ends by itself and gives its exit
// code.
func ExampleApp_RunToExit() {
	t := &exampleT{}
	defer t.done()
	ta := asabtest.New(t, "[logging:console]\nenabled = false\n",
		app.WithMain(func(_ context.Context, a *app.Application) error { a.StopWithCode(4); return nil }))
	fmt.Println("exit code", ta.RunToExit())
	// Output:
	// exit code 4
}
