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
	"net/http"
	"os"
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

// Counter counts timer ticks in a persistent dictionary.
type Counter struct {
	a    *app.Application
	dict *pdict.Dict
}

// Initialize opens the dictionary ([tutorial:counter] path) and starts the timer.
func (c *Counter) Initialize(context.Context) (err error) {
	if c.dict, err = pdict.OpenSection(c.a.Config(), "tutorial:counter"); err != nil {
		return err
	}
	return timer.New(c.a, c.tick, true).Start(time.Second)
}

func (c *Counter) tick(context.Context) error {
	n, err := pdict.ModifyAs(c.dict, "ticks", func(n int, _ bool) (int, error) { return n + 1, nil })
	c.a.PubSub().Publish(Counted, n)
	return err
}

// Count answers a MOM request with the count.
func (c *Counter) Count(context.Context, *mom.Message) ([]byte, error) {
	n, _, err := pdict.GetAs[int](c.dict, "ticks")
	return fmt.Append(nil, n), err
}

// Finalize closes the dictionary.
func (c *Counter) Finalize(context.Context) error { return c.dict.Close() }

// API serves GET /count by asking the counter over MOM; it needs the
// counter, so it is initialized after it.
type API struct {
	a *app.Application
	c *Counter
}

// DependsOn names the counter.
func (API) DependsOn() []string { return []string{"tutorial.Counter"} }

// Initialize adds the route and the counter's MOM queue.
func (s API) Initialize(ctx context.Context) error {
	ws, err1 := app.Service[*web.Service](s.a)
	ms, err2 := app.Service[*mom.Service](s.a)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	broker := ms.Default()
	ws.Echo().GET("/count", func(e echo.Context) error {
		reply, err := broker.Request(e.Request().Context(), nil, "tutorial.count", mom.PublishOptions{})
		if err != nil {
			return err
		}
		return e.Blob(http.StatusOK, "text/plain", reply.Body)
	})
	return errors.Join(broker.Add("tutorial.count", s.c.Count), broker.Subscribe(s.a.Context(), "tutorial.count", mom.SubscribeOptions{}))
}

// Module registers the two services; it needs no module value of its own.
func Module(a *app.Application) (any, error) {
	c := &Counter{a: a}
	return nil, errors.Join(a.RegisterService("tutorial.Counter", c), a.RegisterService("tutorial.API", API{a, c}))
}

func main() {
	a := app.New(app.WithName("tutorial"))
	_ = a.AddModule(web.Module, mom.Module, Module) // an error is printed and makes Run return 1
	os.Exit(a.Run())
}
