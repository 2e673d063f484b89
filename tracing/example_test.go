package tracing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/tracing"
)

// The module records nothing until [tracing] exporter is set: its
// middleware is then the next handler itself.
func ExampleModule() {
	a := app.New(app.WithName("orders"), app.WithArgs())
	defer a.Release()
	_ = a.AddModule(tracing.Module)
	t, _ := app.Service[*tracing.Service](a)
	fmt.Println("recording:", t.Enabled())
	// Output: recording: false
}

// With an exporter configured (stdout here; otlp-http with an endpoint in
// production), every request through the middleware is a server span named
// after its route, and the handler's context carries it.
func ExampleService_EchoMiddleware() {
	a := app.New(app.WithName("orders"), app.WithArgs(),
		app.WithConfigString("[tracing]\nexporter=stdout\nsampler=always_on\n"))
	defer a.Release()
	_ = a.AddModule(tracing.Module)
	t, _ := app.Service[*tracing.Service](a)

	e := echo.New()
	e.Use(t.EchoMiddleware())
	e.GET("/orders/:id", func(c echo.Context) error {
		traceID, _, ok := tracing.IDs(c.Request().Context())
		return c.String(http.StatusOK, fmt.Sprint(ok, len(traceID)))
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orders/42", nil))
	fmt.Println(rec.Body.String())
	// Output: true 32
}

// A broker publishes with StartPublish (the returned headers carry the
// traceparent) and runs the handler inside StartConsume, which continues
// the trace from the headers.
func ExampleService_StartPublish() {
	a := app.New(app.WithName("orders"), app.WithArgs(),
		app.WithConfigString("[tracing]\nexporter=stdout\nsampler=always_on\n"))
	defer a.Release()
	_ = a.AddModule(tracing.Module)
	t, _ := app.Service[*tracing.Service](a)

	ctx, headers, endPublish := t.StartPublish(context.Background(), tracing.SystemRabbitMQ, "orders.created", nil)
	endPublish(nil)

	hctx, endConsume := t.StartConsume(context.Background(), tracing.SystemRabbitMQ, "orders", "orders.created", headers)
	sent, _, _ := tracing.IDs(ctx)
	handled, _, _ := tracing.IDs(hctx)
	endConsume(nil)
	fmt.Println("one trace:", sent == handled)
	// Output: one trace: true
}

// InjectHeaders and ExtractHeaders carry a trace through message headers
// of any broker.
func ExampleInjectHeaders() {
	a := app.New(app.WithName("orders"), app.WithArgs(), app.WithConfigString("[tracing]\nexporter=stdout\n"))
	defer a.Release()
	_ = a.AddModule(tracing.Module)
	t, _ := app.Service[*tracing.Service](a)

	ctx, span := t.Tracer("example").Start(context.Background(), "job")
	defer span.End()
	headers := tracing.InjectHeaders(ctx, map[string]any{"x-kind": "job"})
	fmt.Println(len(headers["traceparent"].(string)), headers["x-kind"])

	received := tracing.ExtractHeaders(context.Background(), headers)
	a1, _, _ := tracing.IDs(ctx)
	a2, _, _ := tracing.IDs(received)
	fmt.Println(a1 == a2)
	// Output:
	// 55 job
	// true
}
