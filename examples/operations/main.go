// Command operations shows what an orchestrator and an operator get: the
// health probes (health.Module) with a check of the example's own, and the
// debug endpoints (debug.Module) on a listener of their own.
//
//	go run ./examples/operations -c examples/operations/operations.conf
//	curl -i http://127.0.0.1:8081/asab/v1/health/ready     # 200
//	curl -X POST http://127.0.0.1:8081/upstream/down
//	curl -i http://127.0.0.1:8081/asab/v1/health/ready     # 503, "upstream" down
//	curl -s http://127.0.0.1:6061/debug/goroutines | head
//
// The upstream service stands for a dependency (a database, another
// service): POST /upstream/down and /upstream/up switch its health.
package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/debug"
	"github.com/asabgo/asab/health"
	"github.com/asabgo/asab/web"
)

// upstream is a dependency whose health the routes switch.
type upstream struct{ down atomic.Bool }

var _ health.Checker = (*upstream)(nil)

// CheckHealth makes upstream a required health check of its own name.
func (u *upstream) CheckHealth(context.Context) error {
	if u.down.Load() {
		return errors.New("upstream does not answer")
	}
	return nil
}

func main() {
	u := &upstream{}
	a := app.New(app.WithName("operations"), app.WithInitialize(func(_ context.Context, a *app.Application) error {
		svc, err := app.Service[*web.Service](a)
		if err != nil {
			return err
		}
		e := svc.Echo()
		e.POST("/upstream/down", func(c echo.Context) error { u.down.Store(true); return c.NoContent(http.StatusNoContent) })
		e.POST("/upstream/up", func(c echo.Context) error { u.down.Store(false); return c.NoContent(http.StatusNoContent) })
		return nil
	}))
	_ = a.AddModule(web.Module)
	_ = a.AddModule(func(a *app.Application) (any, error) { return nil, a.RegisterService("upstream", u) })
	_ = a.AddModule(health.Module)
	_ = a.AddModule(debug.Module)
	os.Exit(a.Run())
}
