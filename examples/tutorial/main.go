// Command tutorial is the program of docs/tutorial.md, "Your first
// service": a counter kept in a persistent dictionary and counted up by a
// timer, announced on PubSub, asked over the in-process MOM broker and
// shown over HTTP.
//
//	go run ./examples/tutorial -c examples/tutorial/tutorial.conf
//	curl http://127.0.0.1:8080/count
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/pdict"
	"github.com/asabgo/asab/timer"
	"github.com/asabgo/asab/web"
)

// Counted is published with the new count at every tick.
const Counted = "Tutorial.counted!"

// Counter counts timer ticks in a persistent dictionary and answers MOM
// requests to "tutorial.count" with the count.
type Counter struct {
	a    *app.Application
	dict *pdict.Dict
}

// Initialize opens the dictionary ([tutorial:counter] path), serves the
// MOM queue and starts the timer.
func (c *Counter) Initialize(context.Context) (err error) {
	if c.dict, err = pdict.OpenSection(c.a.Config(), "tutorial:counter"); err != nil {
		return err
	}
	return errors.Join(mom.Serve(c.a, "tutorial.count", c.count), timer.Every(c.a, time.Second, c.tick))
}

func (c *Counter) tick(context.Context) error {
	n, err := pdict.Add(c.dict, "ticks", 1)
	c.a.PubSub().Publish(Counted, n)
	return err
}

func (c *Counter) count(context.Context, *mom.Message) ([]byte, error) {
	n, _, err := pdict.GetAs[int](c.dict, "ticks")
	return fmt.Append(nil, n), err
}

// Finalize closes the dictionary.
func (c *Counter) Finalize(context.Context) error { return c.dict.Close() }

// API serves GET /count by asking the counter over MOM; it needs the
// counter, so it is initialized after it.
type API struct{ a *app.Application }

// DependsOn names the counter.
func (API) DependsOn() []string { return []string{"tutorial.Counter"} }

// Initialize adds the route.
func (s API) Initialize(context.Context) error {
	return web.Route(s.a, "GET /count", web.Bytes("text/plain", s.count))
}

func (s API) count(e echo.Context) ([]byte, error) {
	return mom.Ask(e.Request().Context(), s.a, "tutorial.count", nil)
}

// Module registers the two services; it needs no module value of its own.
func Module(a *app.Application) (any, error) {
	return nil, errors.Join(a.RegisterService("tutorial.Counter", &Counter{a: a}), a.RegisterService("tutorial.API", API{a}))
}

func main() { app.Main(app.WithName("tutorial"), app.WithModules(web.Module, mom.Module, Module)) }
