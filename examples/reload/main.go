// Command reload shows live reconfiguration: a service that applies a
// setting at run time when the process receives SIGHUP, refuses a bad value
// before anything changes, and keeps a listen address that cannot change.
//
//	go run ./examples/reload -c examples/reload/reload.conf &
//	curl http://127.0.0.1:8082/greet            # Hello
//	sed -i 's/^greeting = .*/greeting = Ahoy/' examples/reload/reload.conf
//	kill -HUP %1
//	curl http://127.0.0.1:8082/greet            # Ahoy
//
// An empty greeting is refused: the ERROR names [greeter] greeting and the
// old greeting stays.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/module"
	"github.com/asabgo/asab/web"
)

// greeter answers GET /greet with [greeter] greeting, which it applies at
// run time.
type greeter struct{ greeting atomic.Pointer[string] }

var (
	_ module.ConfigValidator = (*greeter)(nil)
	_ module.Reloader        = (*greeter)(nil)
)

// greetingOf reads and checks [greeter] greeting.
func greetingOf(cfg *config.Config) (string, error) {
	g, err := cfg.Get("greeter", "greeting")
	if errors.Is(err, config.ErrNotFound) {
		g, err = "Hello", nil
	}
	if err != nil {
		return "", err
	}
	if g == "" || len(g) > 100 {
		return "", fmt.Errorf("[greeter] greeting = %q: must be 1 to 100 bytes long", g)
	}
	return g, nil
}

// ValidateConfig refuses a greeting the service cannot use, before the new
// configuration replaces the old one.
func (g *greeter) ValidateConfig(cfg *config.Config) error {
	_, err := greetingOf(cfg)
	return err
}

// Reload applies the new greeting; ValidateConfig has accepted it.
func (g *greeter) Reload(_ context.Context, cfg *config.Config, _ []string) error {
	s, err := greetingOf(cfg)
	if err != nil {
		return err
	}
	g.greeting.Store(&s)
	return nil
}

// Module registers the greeter and its route on the web container, and
// declares [web] listen static.
func Module(a *app.Application) (any, error) {
	s, err := greetingOf(a.Config())
	if err != nil {
		return nil, err
	}
	g := &greeter{}
	g.greeting.Store(&s)
	svc, err := app.Service[*web.Service](a)
	if err != nil {
		return nil, err
	}
	svc.Echo().GET("/greet", func(c echo.Context) error { return c.String(http.StatusOK, *g.greeting.Load()) })
	a.ReloadStatic("web", "listen")
	return nil, a.RegisterService("greeter", g)
}

func main() {
	a := app.New(app.WithName("reload"))
	_ = a.AddModule(web.Module, Module)
	os.Exit(a.Run())
}
