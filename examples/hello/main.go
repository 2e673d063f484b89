// Command hello is the smallest asab application: it prints "Hello world!"
// from Main and stops with exit code 0.
//
//	go run ./examples/hello -c examples/hello/hello.conf
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/asabgo/asab/app"
)

func main() {
	a := app.New(
		app.WithName("hello"),
		app.WithVersion("1.0.0"),
		app.WithDescription("Prints a greeting and exits."),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			fmt.Println("Hello world!")
			a.Stop()
			return nil
		}),
	)
	os.Exit(a.Run())
}
