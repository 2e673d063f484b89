// Command module shows a custom module: its factory registers a service that
// counts Application.tick! messages and answers a custom message,
// "Greeter.greet!", published from Main.
//
//	USER_GREETING=Ahoy go run ./examples/module -c examples/module/module.conf
//
// module.conf includes greeter.conf, which reads the USER_GREETING environment
// variable; the application stops itself after [greeter] ticks ticks.
package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
)

// GreetMessage is the custom message the service subscribes to.
const GreetMessage = "Greeter.greet!"

// Greeter is the service: it greets on GreetMessage and stops the
// application after a configured number of ticks.
type Greeter struct {
	app      *app.Application
	greeting string
	maxTicks int64
	ticks    atomic.Int64
	subs     []*pubsub.Subscription
	log      *logging.Logger
}

// Initialize reads the configuration and subscribes to the messages.
func (g *Greeter) Initialize(ctx context.Context) error {
	cfg := g.app.Config()
	var err error
	if g.greeting, err = cfg.Get("greeter", "greeting"); err != nil {
		return err
	}
	n, err := cfg.GetIntOr("greeter", "ticks", 3)
	if err != nil {
		return err
	}
	g.maxTicks = int64(n)
	ps := g.app.PubSub()
	g.subs = append(g.subs,
		ps.Subscribe(pubsub.Tick, g.onTick),
		ps.Subscribe(GreetMessage, g.onGreet),
	)
	return nil
}

func (g *Greeter) onTick(pubsub.Message) error {
	n := g.ticks.Add(1)
	g.log.Notice().Int64("tick", n).Msg("tick")
	if n == g.maxTicks {
		g.app.Stop()
	}
	return nil
}

func (g *Greeter) onGreet(m pubsub.Message) error {
	if len(m.Args) != 1 {
		return fmt.Errorf("%s wants one argument, got %d", m.Type, len(m.Args))
	}
	fmt.Printf("%s, %v!\n", g.greeting, m.Args[0])
	return nil
}

// Finalize unsubscribes.
func (g *Greeter) Finalize(ctx context.Context) error {
	for _, s := range g.subs {
		s.Unsubscribe()
	}
	fmt.Printf("greeter saw %d ticks\n", g.ticks.Load())
	return nil
}

// greeterModule is the module; its factory registers the service.
type greeterModule struct{}

// newGreeterModule is the module factory passed to AddModule.
func newGreeterModule(a *app.Application) (any, error) {
	g := &Greeter{app: a, log: logging.Get("example.greeter")}
	if err := a.RegisterService("example.Greeter", g); err != nil {
		return nil, err
	}
	return &greeterModule{}, nil
}

func main() {
	a := app.New(
		app.WithName("module-example"),
		app.WithDefaults(map[string]map[string]any{"greeter": {"greeting": "Hello", "ticks": 3}}),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			a.PubSub().Publish(GreetMessage, "world")
			return nil
		}),
	)
	if err := a.AddModule(newGreeterModule); err != nil {
		os.Exit(1)
	}
	os.Exit(a.Run())
}
