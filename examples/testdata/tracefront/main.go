// Command tracefront is process A of the tracing end-to-end test
// (examples/tracing_e2e_test.go): a web server whose GET /ask/:text sends
// the text as a MOM request to [example] queue (served by examples/mom on
// RabbitMQ) and answers with the reply. It adds the tracing module first,
// as docs/tracing.md says.
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	"github.com/asabgo/asab/tracing"
	"github.com/asabgo/asab/web"
)

func main() {
	a := app.New(app.WithName("tracefront"), app.WithInitialize(initialize))
	_ = a.AddModule(tracing.Module)
	_ = a.AddModule(web.Module)
	_ = a.AddModule(mom.ModuleWith(mom.WithBrokerKind("amqp", amqp.FromConfig)))
	os.Exit(a.Run())
}

func initialize(_ context.Context, a *app.Application) error {
	ws, err := app.Service[*web.Service](a)
	if err != nil {
		return err
	}
	ms, err := app.Service[*mom.Service](a)
	if err != nil {
		return err
	}
	queue, err := a.Config().GetOr("example", "queue", "")
	if err != nil {
		return err
	}
	broker := ms.Default()
	ws.Echo().GET("/ask/:text", func(c echo.Context) error {
		reply, err := broker.Request(c.Request().Context(), []byte(c.Param("text")), queue, mom.PublishOptions{ContentType: "text/plain"})
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "text/plain", reply.Body)
	})
	return nil
}
