// Command webtrace is the application of the harness's tracing rows
// (bench/harness/tracing.go): examples/webserver's GET /hello with the web
// and metrics modules, and the tracing module first unless -no-tracing is
// given, so that the rows compare the same application with and without
// the module.
//
//	go run ./bench/webtrace -c webtrace.conf               # with tracing.Module
//	go run ./bench/webtrace -c webtrace.conf -no-tracing   # without it
package main

import (
	"context"
	"flag"
	"net/http"
	"os"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/tracing"
	"github.com/asabgo/asab/web"
)

func main() {
	without := slices.Contains(os.Args[1:], "-no-tracing")
	a := app.New(
		app.WithName("webtrace"),
		app.WithFlags(func(fs *flag.FlagSet) { fs.Bool("no-tracing", false, "leave the tracing module out") }),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			svc, err := app.Service[*web.Service](a)
			if err != nil {
				return err
			}
			svc.Echo().GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
			return nil
		}),
	)
	if !without {
		_ = a.AddModule(tracing.Module)
	}
	_ = a.AddModule(web.Module, metrics.Module)
	os.Exit(a.Run())
}
