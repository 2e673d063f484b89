// Command webserver is asab's main example: a web server whose GET /hello
// answers "Hello!", with its metrics in Prometheus format at
// /asab/v1/metrics (metrics.Module; JSON at /asab/v1/metrics.json).
//
//	go run ./examples/webserver                 # listens on 0.0.0.0:8080
//	go run ./examples/webserver -c examples/webserver/webserver.conf
//	curl http://localhost:8080/hello
//	curl -s http://localhost:8080/asab/v1/metrics | grep asab_web_requests_total
//	# asab_web_requests_total{container="web",method="GET",route="/hello",status="200"} 1
//
// Without a configuration file it runs on the web module's defaults
// ([web] listen = 0.0.0.0 8080). It traces nothing until [tracing]
// exporter is set (see docs/tracing.md), for example with
// OTEL_TRACES_EXPORTER=otlp and a collector on 127.0.0.1:4318. It stops on SIGINT or SIGTERM, finishing
// the requests in flight first.
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/metrics"
	"github.com/asabgo/asab/tracing"
	"github.com/asabgo/asab/web"
)

func main() {
	a := app.New(
		app.WithName("webserver"),
		app.WithVersion("1.0.0"),
		app.WithDescription("Answers GET /hello with Hello!"),
		app.WithInitialize(initialize),
	)
	// Tracing first, so that it is finalized after web and exports the last
	// spans; it records nothing until [tracing] exporter is set.
	_ = a.AddModule(tracing.Module)
	// A failure (a bad [web] value) is recorded: Run prints it and returns 1.
	_ = a.AddModule(web.Module)
	// Metrics of the application, the Go runtime and every request, served
	// on the web service at /asab/v1/metrics.
	_ = a.AddModule(metrics.Module)
	os.Exit(a.Run())
}

// initialize adds the route to the web service's echo instance.
func initialize(_ context.Context, a *app.Application) error {
	svc, err := app.Service[*web.Service](a)
	if err != nil {
		return err
	}
	svc.Echo().GET("/hello", hello)
	return nil
}

func hello(c echo.Context) error {
	return c.String(http.StatusOK, "Hello!")
}
