package health_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/health"
)

// A check added with Add is run in the background; Check answers a probe
// from the last results.
func ExampleService_Add() {
	a := app.New(app.WithName("example"), app.WithArgs())
	defer a.Release()
	if err := a.AddModule(health.Module); err != nil {
		fmt.Println(err)
		return
	}
	hs, err := app.Service[*health.Service](a)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = hs.Add("database", true, func(ctx context.Context) error { return errors.New("connection refused") })
	_ = hs.Add("cache", false, func(ctx context.Context) error { return nil })

	hs.CheckNow(context.Background())
	for _, c := range hs.Check(health.Ready).Checks {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s %s required=%v %s", c.Name, c.Status, c.Required, c.Error)))
	}
	// Output:
	// phase down required=true
	// database down required=true connection refused
	// cache up required=false
}
