package app_test

import (
	"context"
	"fmt"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
)

// The smallest application: Main prints and stops it; Run returns the exit
// code for os.Exit.
func Example() {
	a := app.New(
		app.WithName("hello"),
		app.WithArgs(), // tests pass the command line explicitly
		app.WithConfigString("[logging]\nlevel = ERROR\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			fmt.Println("Hello world!")
			a.Stop()
			return nil
		}),
	)
	fmt.Println("exit code", a.Run())
	// Output:
	// Hello world!
	// exit code 0
}

// counter is a service: it initializes, counts ticks and stops the
// application after three.
type counter struct {
	a     *app.Application
	ticks int
}

func (c *counter) Initialize(ctx context.Context) error {
	c.a.PubSub().Subscribe(pubsub.Tick, func(pubsub.Message) error {
		c.ticks++
		if c.ticks == 3 {
			c.a.Stop()
		}
		return nil
	})
	return nil
}

func (c *counter) Finalize(ctx context.Context) error {
	fmt.Println("ticks seen:", c.ticks)
	return nil
}

// A module factory registers services; the application initializes them at
// init-time and finalizes them at exit-time.
func ExampleApplication_AddModule() {
	a := app.New(app.WithName("ticker"), app.WithArgs(),
		app.WithConfigString("[general]\ntick_period = 10ms\n[logging]\nlevel = ERROR\n"))
	_ = a.AddModule(func(a *app.Application) (any, error) {
		return nil, a.RegisterService("example.Counter", &counter{a: a}) // no module, just a service
	})
	code := a.Run()
	fmt.Println("exit code", code)
	// Output:
	// ticks seen: 3
	// exit code 0
}

func ExampleApplication_SetExitCode() {
	a := app.New(app.WithName("codes"), app.WithArgs())
	defer a.Release()
	a.SetExitCode(5, false)
	a.SetExitCode(2, false) // the larger code wins
	fmt.Println(a.ExitCode())
	a.SetExitCode(2, true) // unless forced
	fmt.Println(a.ExitCode())
	// Output:
	// 5 false
	// 2 false
}

// Find a service by its Go type when it is the only one of that type, by
// name when several share it.
func ExampleService() {
	a := app.New(app.WithName("lookup"), app.WithArgs())
	defer a.Release()
	_ = a.RegisterService("example.Counter", &counter{a: a})
	c, err := app.Service[*counter](a)
	fmt.Println(c != nil, err)

	_ = a.RegisterService("example.OtherCounter", &counter{a: a})
	_, err = app.Service[*counter](a)
	fmt.Println(err)
	c, err = app.ServiceNamed[*counter](a, "example.OtherCounter")
	fmt.Println(c != nil, err)
	// Output:
	// true <nil>
	// service of type *app_test.counter: 2 services have it, ["example.Counter" "example.OtherCounter"]; look one up by name: several services have the type
	// true <nil>
}

func ExampleServiceNamed() {
	a := app.New(app.WithName("lookup"), app.WithArgs())
	defer a.Release()
	_, err := app.ServiceNamed[*counter](a, "example.Missing")
	fmt.Println(err)
	// Output:
	// service "example.Missing": service not found
}
